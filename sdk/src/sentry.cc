#include "sentry/sentry.h"

#include <atomic>
#include <cstdlib>
#include <exception>
#include <utility>

#include "sdk/src/fatal.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/stacktrace.h"
#include "sentry/dsn.h"
#include "sentry/transports/http_transport.h"

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

// The HTTP transport for a DSN given without a transport. nullptr when there
// is no (valid) DSN: Client::Create then decides what that means.
absl::StatusOr<std::shared_ptr<Transport>> DefaultTransport(
    const Options& options) {
  std::string dsn = options.dsn;
  if (dsn.empty()) {
    const char* env = std::getenv("SENTRY_DSN");
    if (env != nullptr) dsn = env;
  }
  if (dsn.empty() || !Dsn::Parse(dsn).ok()) return nullptr;
  HttpTransportOptions http;
  http.dsn = std::move(dsn);
  http.ca_certs = options.ca_certs;
  http.http_proxy = options.http_proxy;
  http.https_proxy = options.https_proxy;
  http.compress = options.compress_envelopes;
  http.max_queue_envelopes = options.max_transport_queue;
  http.max_queue_bytes = options.max_transport_queue_bytes;
  http.cache_dir = options.cache_dir;
  http.max_cache_files = options.max_cache_files;
  auto transport = NewHttpTransport(http);
  if (!transport.ok() && !http.cache_dir.empty()) {
    // If the cache directory was the problem, run without a spool; any
    // other problem fails again and is reported.
    http.cache_dir.clear();
    auto without_spool = NewHttpTransport(std::move(http));
    if (without_spool.ok()) {
      internal::Log(internal::LogLevel::kError,
                    "offline spool disabled: ", transport.status().ToString());
    }
    return without_spool;
  }
  return transport;
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

InitGuard Init(Options options) {
  internal::SetDebugLogging(options.debug);
  absl::StatusOr<std::shared_ptr<Client>> client =
      absl::InternalError("not created");
  if (options.transport == nullptr) {
    auto transport = DefaultTransport(options);
    if (transport.ok()) {
      options.transport = *std::move(transport);
      client = Client::Create(std::move(options));
    } else {
      client = transport.status();
    }
  } else {
    client = Client::Create(std::move(options));
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

std::string CaptureMessage(absl::string_view message, Level level) {
  return Hub::Current()->CaptureMessage(message, level);
}

std::string CaptureException(const std::exception& exception) {
  return Hub::Current()->CaptureException(exception);
}

std::string CaptureException(std::exception_ptr exception) {
  return Hub::Current()->CaptureException(std::move(exception));
}

std::string CaptureEvent(protocol::Event event) {
  return Hub::Current()->CaptureEvent(std::move(event));
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

std::string LastEventId() { return Hub::Current()->LastEventId(); }

}  // namespace sentry
