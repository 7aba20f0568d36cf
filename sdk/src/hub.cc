#include "sentry/hub.h"

#include <cxxabi.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <typeinfo>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/time/clock.h"
#include "sdk/src/current_hubs.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/stacktrace.h"
#include "sdk/src/timestamps.h"
#include "sdk/src/user_callback.h"

namespace sentry {
namespace {

// Bumped by every sentry::Init: threads whose implicit hub is older fork a
// new one from the main hub (it may hold a new client).
std::atomic<uint64_t> current_generation{1};

std::atomic<void (*)()> thread_first_use_hook{nullptr};

struct ThreadHub;
// This thread's ThreadHub once it has one: a plain pointer (no constructor,
// no destructor to register), which a crash handler reads without making
// one.
thread_local ThreadHub* this_thread_hub = nullptr;

struct ThreadHub {
  ThreadHub() {
    this_thread_hub = this;
    if (auto* hook = thread_first_use_hook.load(std::memory_order_acquire)) {
      hook();
    }
  }
  ~ThreadHub() { this_thread_hub = nullptr; }
  std::shared_ptr<Hub> hub;
  uint64_t generation = 0;
  bool bound = false;  // Set by Run/HubBinding: never replaced implicitly.
};

ThreadHub& ThisThreadHub() {
  thread_local ThreadHub thread_hub;
  return thread_hub;
}

// Nested exceptions deeper than this are cut (a chain cannot loop, but a
// program can nest without end).
constexpr int kMaxChain = 10;

// Appends `exception` and, through std::nested_exception, its causes:
// outermost first (reversed by the caller).
void AppendChain(const std::exception& exception,
                 std::vector<protocol::Exception>* chain) {
  protocol::Exception value;
  value.set_type(internal::Demangle(typeid(exception).name()));
  value.set_value(exception.what());
  // Where it was thrown, when //integrations/throw_site records that.
  internal::TakeThrowSite(dynamic_cast<const void*>(&exception),
                          value.mutable_stacktrace());
  if (value.stacktrace().frames_size() == 0) value.clear_stacktrace();
  chain->push_back(std::move(value));
  if (chain->size() >= kMaxChain) return;
  try {
    std::rethrow_if_nested(exception);
  } catch (const std::exception& cause) {
    AppendChain(cause, chain);
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    protocol::Exception cause;
    cause.set_type(type != nullptr ? internal::Demangle(type->name())
                                   : "unknown exception");
    chain->push_back(std::move(cause));
  }
}

// An error event for a chain (outermost first): values oldest (innermost
// cause) first, linked by exception_id / parent_id (PROTOCOL.md section
// 3.3); the outermost gets `mechanism`, the causes "chained".
protocol::Event ChainEvent(std::vector<protocol::Exception> chain,
                           protocol::Mechanism mechanism) {
  protocol::Event event;
  event.set_level("error");
  auto* values = event.mutable_exception()->mutable_values();
  const bool linked = chain.size() > 1;
  for (size_t i = chain.size(); i-- > 0;) {
    protocol::Exception& value = chain[i];
    protocol::Mechanism* m = value.mutable_mechanism();
    if (i == 0) {
      *m = mechanism;
    } else {
      m->set_type("chained");
      m->set_source("std::nested_exception");
      m->set_handled(mechanism.has_handled() ? mechanism.handled() : true);
    }
    if (linked) {
      m->set_exception_id(static_cast<uint32_t>(i));
      if (i > 0) m->set_parent_id(static_cast<uint32_t>(i - 1));
    }
    values->Add(std::move(value));
  }
  return event;
}

protocol::Mechanism GenericMechanism() {
  protocol::Mechanism mechanism;
  mechanism.set_type("generic");
  mechanism.set_handled(true);
  return mechanism;
}

protocol::Event ExceptionPtrEvent(std::exception_ptr exception,
                                  protocol::Mechanism mechanism) {
  std::vector<protocol::Exception> chain;
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& e) {
    AppendChain(e, &chain);
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    protocol::Exception value;
    value.set_type(type != nullptr ? internal::Demangle(type->name())
                                   : "unknown exception");
    chain.push_back(std::move(value));
  }
  return ChainEvent(std::move(chain), std::move(mechanism));
}

// The stack of the thread capturing, on the outermost exception, unless
// it has its throw site's.
void AttachCaptureStack(protocol::Event* event) {
  auto* values = event->mutable_exception()->mutable_values();
  if (values->empty() || values->rbegin()->has_stacktrace()) return;
  internal::CaptureStackInto(/*skip=*/2,
                             values->rbegin()->mutable_stacktrace());
}

}  // namespace

Hub::ScopeGuard::ScopeGuard(ScopeGuard&& other) noexcept
    : hub_(std::exchange(other.hub_, nullptr)), depth_(other.depth_) {}

Hub::ScopeGuard::~ScopeGuard() {
  if (hub_ != nullptr) hub_->PopScope(depth_);
}

Hub::Hub(std::shared_ptr<Client> client) : root_client_(std::move(client)) {
  // What a capture reads of the hub fills mu_'s cache line (hub.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  static_assert(offsetof(Hub, root_scope_) + sizeof(root_scope_) <=
                offsetof(Hub, mu_) + 64);
#pragma GCC diagnostic pop
}

Hub::Hub(std::shared_ptr<Client> client, const Scope& scope)
    : root_client_(std::move(client)), root_scope_(scope) {}

std::shared_ptr<Hub> Hub::Main() {
  static auto* const main_hub =
      new std::shared_ptr<Hub>(std::make_shared<Hub>());
  return *main_hub;
}

std::shared_ptr<Hub> Hub::Current() {
  internal::CurrentHub();
  return ThisThreadHub().hub;
}

ABSL_ATTRIBUTE_HOT Hub* internal::CurrentHub() {
  ThreadHub& t = ThisThreadHub();
  if (t.bound) return t.hub.get();
  const uint64_t generation =
      current_generation.load(std::memory_order_acquire);
  if (t.hub == nullptr || t.generation != generation) {
    t.hub = Hub::Main()->Clone();
    t.generation = generation;
  }
  return t.hub.get();
}

void internal::SetThreadFirstUseHook(void (*hook)()) {
  thread_first_use_hook.store(hook, std::memory_order_release);
}

Hub* internal::PeekCurrentHub() {
  const ThreadHub* t = this_thread_hub;
  if (t != nullptr && t->bound) return t->hub.get();
  if (t != nullptr && t->hub != nullptr &&
      t->generation == current_generation.load(std::memory_order_acquire)) {
    return t->hub.get();
  }
  return Hub::Main().get();  // Never destroyed.
}

void internal::ResetCurrentHubs() {
  const uint64_t generation =
      current_generation.fetch_add(1, std::memory_order_acq_rel) + 1;
  ThreadHub& t = ThisThreadHub();
  if (!t.bound) {
    t.hub = Hub::Main();
    t.generation = generation;
  }
}

void Hub::Run(std::shared_ptr<Hub> hub, absl::FunctionRef<void()> fn) {
  HubBinding binding(std::move(hub));
  fn();
}

HubBinding::HubBinding(std::shared_ptr<Hub> hub) {
  ThreadHub& t = ThisThreadHub();
  previous_ = std::exchange(t.hub, std::move(hub));
  previous_generation_ = t.generation;
  previous_bound_ = std::exchange(t.bound, true);
}

HubBinding::~HubBinding() {
  ThreadHub& t = ThisThreadHub();
  t.hub = std::move(previous_);
  t.generation = previous_generation_;
  t.bound = previous_bound_;
}

ABSL_ATTRIBUTE_HOT Scope* Hub::TopLocked(std::shared_ptr<Scope>* keep) const {
  if (pushed_.empty()) return const_cast<Scope*>(&root_scope_);
  *keep = pushed_.back().scope;
  return keep->get();
}

ABSL_ATTRIBUTE_HOT std::shared_ptr<Client>& Hub::TopClientLocked() {
  return pushed_.empty() ? root_client_ : pushed_.back().client;
}

std::shared_ptr<Hub> Hub::Clone() const {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Scope> keep;
  const Scope* scope = TopLocked(&keep);
  const auto& client = pushed_.empty() ? root_client_ : pushed_.back().client;
  return std::make_shared<Hub>(client, *scope);
}

void Hub::ConfigureScope(absl::FunctionRef<void(Scope&)> fn) {
  // In a forked child not even a scope's lock is taken: with Abseil's
  // deadlock detection (debug builds) every lock also takes a global one,
  // which a thread of the parent may have held at the fork.
  if (internal::InForkedChild()) return;
  std::shared_ptr<Scope> keep;
  Scope* scope;
  {
    absl::MutexLock lock(&mu_);
    scope = TopLocked(&keep);
  }
  fn(*scope);
}

Hub::ScopeGuard Hub::PushScope() {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Scope> keep;
  const Scope* top = TopLocked(&keep);
  Layer layer{TopClientLocked(), std::make_shared<Scope>(*top)};
  pushed_.push_back(std::move(layer));
  return ScopeGuard(this, pushed_.size());
}

void Hub::PopScope(size_t depth) {
  absl::MutexLock lock(&mu_);
  if (pushed_.size() < depth) {
    internal::Log(internal::LogLevel::kWarning,
                  "scope guard released after its scope was popped");
    return;
  }
  if (pushed_.size() > depth) {
    internal::Log(internal::LogLevel::kWarning,
                  "scope guards released out of order: popping ",
                  pushed_.size() - depth + 1, " scopes");
  }
  pushed_.resize(depth - 1);
}

void Hub::WithScope(absl::FunctionRef<void(Scope&)> fn) {
  if (internal::InForkedChild()) return;
  ScopeGuard guard = PushScope();
  ConfigureScope(fn);
}

EventId Hub::CaptureEvent(protocol::Event event) {
  // In a forked child the SDK is disabled, before any lock that a thread of
  // the parent may have held at the fork.
  if (internal::InForkedChild()) return {};
  EventId id;
  {
    // The client only queues (no user code runs), so it is called under the
    // hub's lock: no reference count shared by all threads is touched.
    absl::MutexLock lock(&mu_);
    const auto& client = pushed_.empty() ? root_client_ : pushed_.back().client;
    if (client == nullptr) return {};
    std::shared_ptr<Scope> keep;
    id = client->CaptureEvent(std::move(event), TopLocked(&keep));
    SetLastEventIdLocked(id);
  }
  return id;
}

EventId Hub::CaptureFeedback(Feedback feedback) {
  if (internal::InForkedChild()) return {};
  // The client only validates and queues (no user code runs).
  absl::MutexLock lock(&mu_);
  const auto& client = TopClientLocked();
  if (client == nullptr) return {};
  std::shared_ptr<Scope> keep;
  return client->CaptureFeedback(std::move(feedback), TopLocked(&keep));
}

EventId CaptureFeedback(Feedback feedback) {
  return Hub::Current()->CaptureFeedback(std::move(feedback));
}

ABSL_ATTRIBUTE_HOT EventId Hub::CaptureMessage(absl::string_view message,
                                               Level level) {
  if (internal::InForkedChild()) return {};
  {
    // Read in place: copying the client pointer would touch a reference
    // count shared by every thread.
    absl::MutexLock lock(&mu_);
    const auto& client = TopClientLocked();
    if (client == nullptr) return {};
    if (!client->attach_stacktrace_) {
      // The worker builds the event (as CaptureEvent, under the hub's lock).
      std::shared_ptr<Scope> keep;
      EventId id = client->CaptureMessage(message, level, TopLocked(&keep));
      SetLastEventIdLocked(id);
      return id;
    }
  }
  return CaptureMessageWithStacktrace(message, level);
}

// Out of CaptureMessage's line: its event would make that function's stack
// frame large, and every capture's later calls would run below it, on
// stack lines that are cold after a pause (BENCHMARKS.md, the seventh
// change).
ABSL_ATTRIBUTE_NOINLINE EventId
Hub::CaptureMessageWithStacktrace(absl::string_view message, Level level) {
  protocol::Event event;
  event.set_level(std::string(LevelName(level)));
  event.mutable_logentry()->set_message(std::string(message));
  auto* thread = event.mutable_threads()->add_values();
  thread->set_id(static_cast<uint64_t>(::gettid()));
  thread->set_current(true);
  internal::CaptureStackInto(/*skip=*/1, thread->mutable_stacktrace());
  return CaptureEvent(std::move(event));
}

namespace {

// Options::dedupe: the exception this thread captured last. Holding it keeps
// its object alive, so that no later exception can reuse its address.
thread_local std::exception_ptr last_captured_exception;

// `exception` as an exception_ptr when it is the exception being handled
// (caught by reference); null otherwise (a copy, or never thrown).
std::exception_ptr BeingHandled(const std::exception& exception) {
  std::exception_ptr current = std::current_exception();
  if (current == nullptr) return nullptr;
  try {
    std::rethrow_exception(current);
  } catch (const std::exception& handled) {
    if (&handled == &exception) return current;
  } catch (...) {
  }
  return nullptr;
}

}  // namespace

bool Hub::CapturedBefore(std::exception_ptr exception) {
  if (exception == nullptr) return false;
  std::shared_ptr<Client> client;
  {
    absl::MutexLock lock(&mu_);
    client = TopClientLocked();
  }
  if (client == nullptr || !client->options().dedupe) return false;
  if (exception == last_captured_exception) {
    client->client_reports().Record(DiscardReason::kEventProcessor,
                                    DataCategory::kError);
    internal::Log(internal::LogLevel::kDebug,
                  "dedupe: an exception captured before is not sent again");
    return true;
  }
  // The previous exception may be destroyed here: no SDK lock is held.
  last_captured_exception = std::move(exception);
  return false;
}

EventId Hub::CaptureException(const std::exception& exception) {
  if (CapturedBefore(BeingHandled(exception))) return {};
  std::vector<protocol::Exception> chain;
  AppendChain(exception, &chain);
  protocol::Event event = ChainEvent(std::move(chain), GenericMechanism());
  AttachCaptureStack(&event);
  return CaptureEvent(std::move(event));
}

EventId Hub::CaptureException(std::exception_ptr exception) {
  if (exception == nullptr || CapturedBefore(exception)) return {};
  protocol::Event event = ExceptionPtrEvent(exception, GenericMechanism());
  AttachCaptureStack(&event);
  return CaptureEvent(std::move(event));
}

EventId Hub::CaptureException(std::exception_ptr exception,
                              protocol::Mechanism mechanism) {
  if (exception == nullptr) return {};
  // An exception that ends the process is reported as fatal even when it
  // was captured (handled) before.
  if (mechanism.type() != "terminate" && CapturedBefore(exception)) return {};
  protocol::Event event = ExceptionPtrEvent(exception, std::move(mechanism));
  AttachCaptureStack(&event);
  return CaptureEvent(std::move(event));
}

void Hub::AddBreadcrumb(protocol::Breadcrumb breadcrumb) {
  if (internal::InForkedChild()) return;
  std::shared_ptr<Client> client;
  {
    absl::MutexLock lock(&mu_);
    client = TopClientLocked();
  }
  if (client == nullptr || !client->IsEnabled()) return;
  const Options& options = client->options();
  breadcrumb.set_timestamp(internal::TimestampOrNow(breadcrumb.timestamp()));
  if (options.before_breadcrumb &&
      !internal::CallUserCallback("before_breadcrumb", [&] {
        return options.before_breadcrumb(breadcrumb);
      })) {
    return;
  }
  std::shared_ptr<Scope> keep;
  Scope* scope;
  {
    absl::MutexLock lock(&mu_);
    scope = TopLocked(&keep);
  }
  scope->AddBreadcrumb(std::move(breadcrumb),
                       static_cast<size_t>(options.max_breadcrumbs));
}

void Hub::AddBreadcrumb(absl::string_view message, absl::string_view category,
                        Level level) {
  protocol::Breadcrumb breadcrumb;
  breadcrumb.set_message(std::string(message));
  breadcrumb.set_category(std::string(category));
  breadcrumb.set_level(std::string(LevelName(level)));
  AddBreadcrumb(std::move(breadcrumb));
}

EventId Hub::LastEventId() const {
  absl::MutexLock lock(&mu_);
  return last_event_id_;
}

void Hub::SetLastEventIdLocked(const EventId& id) {
  if (!id.empty()) last_event_id_ = id;
}

void Hub::BindClient(std::shared_ptr<Client> client) {
  absl::MutexLock lock(&mu_);
  TopClientLocked() = std::move(client);
}

std::shared_ptr<Client> Hub::client() const {
  absl::MutexLock lock(&mu_);
  return pushed_.empty() ? root_client_ : pushed_.back().client;
}

bool Hub::Flush(absl::Duration timeout) {
  if (internal::InForkedChild()) return false;
  std::shared_ptr<Client> c = client();
  return c == nullptr || c->Flush(timeout);
}

}  // namespace sentry
