#include "sentry/sentry.h"

#include <atomic>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/synchronization/mutex.h"
#include "sdk/src/current_hubs.h"
#include "sdk/src/default_transport.h"
#include "sdk/src/fatal.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/spotlight.h"
#include "sdk/src/stacktrace.h"
#include "sentry/dsn.h"

namespace sentry {

InitGuard::InitGuard(absl::Status status, std::shared_ptr<Client> client)
    : status_(std::move(status)), client_(std::move(client)) {}

InitGuard::InitGuard(InitGuard&& other) noexcept
    : status_(std::move(other.status_)), client_(std::move(other.client_)) {}

InitGuard& InitGuard::operator=(InitGuard&& other) noexcept {
  if (this != &other) {
    Close();
    status_ = std::move(other.status_);
    client_ = std::move(other.client_);
  }
  return *this;
}

InitGuard::~InitGuard() { Close(); }

bool InitGuard::enabled() const {
  return client_ != nullptr && client_->IsEnabled();
}

bool InitGuard::Close() {
  if (client_ == nullptr) return true;
  std::shared_ptr<Client> client = std::move(client_);
  if (internal::InForkedChild()) {
    // Touches no hub (a parent's thread may have held its lock at the
    // fork); the client only lets go of the parent's threads.
    client->Close(absl::ZeroDuration());
    return false;
  }
  auto main = Hub::Main();
  if (main->client() == client) {
    std::optional<protocol::User> user;
    main->ConfigureScope([&](Scope& scope) { user = scope.user(); });
    if (user) client->SetSessionUser(*user);
  }
  const bool delivered = client->Close(client->options().shutdown_timeout);
  if (main->client() == client) main->BindClient(nullptr);
  return delivered;
}

namespace {

absl::Mutex g_factory_mu;

internal::TransportFactory& DefaultFactoryLocked()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_factory_mu) {
  static auto* const factory = new internal::TransportFactory();
  return *factory;
}

// The transport for `options` when none was given: from its factory, else
// the default one (HTTP, when //sdk:sentry is linked). nullptr without a
// (valid) DSN: Client::Create then decides what that means.
absl::StatusOr<std::shared_ptr<Transport>> TransportFor(Options& options) {
  if (options.dsn.empty()) {
    const char* env = std::getenv("SENTRY_DSN");
    if (env != nullptr) options.dsn = env;
  }
  if (options.dsn.empty() || !Dsn::Parse(options.dsn).ok()) return nullptr;
  internal::TransportFactory factory =
      options.transport_factory ? options.transport_factory
                                : internal::DefaultTransportFactory();
  if (!factory) {
    return absl::FailedPreconditionError(
        "a DSN is set but there is no transport: link //sdk:sentry (HTTP), "
        "or set Options::transport or Options::transport_factory");
  }
  absl::StatusOr<std::shared_ptr<Transport>> transport =
      absl::InternalError("transport factory threw an exception");
  try {
    transport = factory(options);
  } catch (...) {
  }
  return transport;
}

// With Spotlight on, every envelope also goes to the sidecar. A sidecar
// that cannot be set up is logged; Sentry still gets everything.
void AddSpotlight(Options& options) {
  std::optional<std::string> url =
      internal::SpotlightUrl(options, std::getenv("SENTRY_SPOTLIGHT"));
  if (!url) return;
  internal::SpotlightFactory factory = internal::SpotlightTransportFactory();
  if (!factory) {
    internal::Log(internal::LogLevel::kError,
                  "Spotlight needs the HTTP transport: link //sdk:sentry");
    return;
  }
  absl::StatusOr<std::shared_ptr<Transport>> sidecar =
      absl::InternalError("Spotlight's transport factory threw an exception");
  try {
    sidecar = factory(*url, options);
  } catch (...) {
  }
  if (!sidecar.ok()) {
    internal::Log(internal::LogLevel::kError,
                  "Spotlight disabled: ", sidecar.status().ToString());
    return;
  }
  internal::Log(internal::LogLevel::kInfo, "Spotlight: sending to ", *url);
  options.transport = internal::NewTeeTransport(std::move(options.transport),
                                                *std::move(sidecar));
}

// std::terminate with an exception in flight: report it as fatal, close the
// client (delivering, or spooling what cannot be delivered in time), then
// let the previous handler end the process.
std::atomic<std::terminate_handler> previous_terminate{nullptr};

[[noreturn]] void OnTerminate() {
  static std::atomic<bool> entered{false};
  if (!entered.exchange(true)) {
    if (std::exception_ptr exception = std::current_exception()) {
      // The stack runs through the C++ runtime (no frame pointers) down to
      // the function that threw: unwind it fully.
      internal::ScopedFullUnwind full_unwind;
      auto hub = Hub::Current();
      protocol::Mechanism mechanism;
      mechanism.set_type("terminate");
      mechanism.set_handled(false);
      hub->WithScope([&](Scope& scope) {
        scope.SetLevel(Level::kFatal);
        hub->CaptureException(exception, mechanism);
      });
      internal::MarkFatalReported();
      if (auto client = hub->client()) {
        client->Close(client->options().shutdown_timeout);
      }
    }
  }
  std::terminate_handler previous = previous_terminate.load();
  if (previous != nullptr && previous != &OnTerminate) previous();
  std::abort();
}

}  // namespace

namespace internal {

bool SetDefaultTransportFactory(TransportFactory factory) {
  absl::MutexLock lock(&g_factory_mu);
  DefaultFactoryLocked() = std::move(factory);
  return true;
}

TransportFactory DefaultTransportFactory() {
  absl::MutexLock lock(&g_factory_mu);
  return DefaultFactoryLocked();
}

}  // namespace internal

InitGuard Init(Options options) {
  internal::SetDebugLogging(options.debug);
  absl::StatusOr<std::shared_ptr<Client>> client =
      absl::InternalError("not created");
  absl::Status transport_status = absl::OkStatus();
  if (options.transport == nullptr) {
    auto transport = TransportFor(options);
    if (transport.ok()) {
      options.transport = *std::move(transport);
    } else {
      transport_status = transport.status();
    }
  }
  if (transport_status.ok()) {
    AddSpotlight(options);
    client = Client::Create(std::move(options));
  } else {
    client = transport_status;
  }
  auto main = Hub::Main();
  // A fresh start: the main hub's scope data and every thread's implicit
  // hub belong to the previous client.
  main->ConfigureScope([](Scope& scope) { scope = Scope(); });
  if (!client.ok()) {
    internal::Log(internal::LogLevel::kError,
                  "SDK disabled: ", client.status().ToString());
    main->BindClient(nullptr);
    internal::ResetCurrentHubs();
    return InitGuard(client.status(), nullptr);
  }
  main->BindClient(*client);
  internal::ResetCurrentHubs();
  (*client)->StartSession();
  if ((*client)->options().capture_terminate) {
    std::terminate_handler previous = std::set_terminate(&OnTerminate);
    if (previous != &OnTerminate) previous_terminate.store(previous);
  }
  if (!(*client)->IsEnabled()) {
    internal::Log(internal::LogLevel::kInfo,
                  "no DSN and no transport: events are not sent");
  }
  return InitGuard(absl::OkStatus(), *std::move(client));
}

// The captures run no user code on the calling thread, so the thread's hub
// is used in place (no reference count touched; see current_hubs.h). A
// bound null hub captures nothing.
// The functions a capture runs on the calling thread are marked
// ABSL_ATTRIBUTE_HOT (here, in hub.cc, client.cc, apply_scopes.cc,
// scope.cc, random.cc, timestamps.cc): GCC puts them in .text.hot, which the
// linker lays out together, so a capture's code spans two pages instead of
// one or more per source file. At the rates servers capture at, each call
// finds its code out of the caches and the TLB (BENCHMARKS.md).
ABSL_ATTRIBUTE_HOT EventId CaptureMessage(absl::string_view message,
                                          Level level) {
  Hub* hub = internal::CurrentHub();
  return hub != nullptr ? hub->CaptureMessage(message, level) : EventId();
}

EventId CaptureException(const std::exception& exception) {
  Hub* hub = internal::CurrentHub();
  return hub != nullptr ? hub->CaptureException(exception) : EventId();
}

EventId CaptureException(std::exception_ptr exception) {
  Hub* hub = internal::CurrentHub();
  return hub != nullptr ? hub->CaptureException(std::move(exception))
                        : EventId();
}

EventId CaptureEvent(protocol::Event event) {
  Hub* hub = internal::CurrentHub();
  return hub != nullptr ? hub->CaptureEvent(std::move(event)) : EventId();
}

void AddBreadcrumb(protocol::Breadcrumb breadcrumb) {
  Hub::Current()->AddBreadcrumb(std::move(breadcrumb));
}

void AddBreadcrumb(absl::string_view message, absl::string_view category,
                   Level level) {
  Hub::Current()->AddBreadcrumb(message, category, level);
}

void ConfigureScope(absl::FunctionRef<void(Scope&)> fn) {
  Hub::Current()->ConfigureScope(fn);
}

void WithScope(absl::FunctionRef<void(Scope&)> fn) {
  Hub::Current()->WithScope(fn);
}

bool Flush(absl::Duration timeout) { return Hub::Current()->Flush(timeout); }

EventId LastEventId() { return Hub::Current()->LastEventId(); }

}  // namespace sentry
