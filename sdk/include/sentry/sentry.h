// sentry-cpp: report errors and messages to Sentry from C++.
//
//   #include "sentry/sentry.h"
//
//   int main() {
//     sentry::Options options;
//     options.dsn = "https://key@o1.ingest.sentry.io/42";
//     options.transport = ...;  // e.g. sentry::NewStdoutTransport(std::cout)
//     sentry::InitGuard guard = sentry::Init(std::move(options));
//     if (!guard.status().ok()) std::cerr << guard.status() << "\n";
//
//     sentry::ConfigureScope([](sentry::Scope& s) { s.SetTag("cmd", "demo");
//     }); sentry::AddBreadcrumb("started"); try {
//       Run();
//     } catch (const std::exception& e) {
//       sentry::CaptureException(e);
//     }
//   }  // the guard flushes and closes within Options::shutdown_timeout
//
// The free functions act on Hub::Current(), this thread's hub. They never
// throw and never block on I/O; with the SDK disabled they do nothing.
#ifndef SENTRY_SENTRY_H_
#define SENTRY_SENTRY_H_

// Said before anything else: without it, the first error would be about
// std::optional in some header of the SDK. (The SDK's own targets set
// -std=c++17 themselves; the code that includes this header is yours.)
#if __cplusplus < 201703L
#error \
    "sentry-cpp needs C++17 or later in the code that includes it: add 'build --cxxopt=-std=c++17' to your .bazelrc (Bazel 4 compiles C++ as C++0x by default)"
#endif

#include <exception>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sentry/client.h"
#include "sentry/crons.h"
#include "sentry/envelope.h"
#include "sentry/event_id.h"
#include "sentry/feedback.h"
#include "sentry/hub.h"
#include "sentry/level.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"
#include "sentry/options.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/scope.h"
#include "sentry/span.h"
#include "sentry/tracing.h"
#include "sentry/transport.h"
#include "sentry/version.h"
#include "sentry/watchdog.h"

namespace sentry {

// Keeps the SDK running; when destroyed (or Close()d), flushes within
// Options::shutdown_timeout and unbinds the client. Movable.
class [[nodiscard]] InitGuard {
 public:
  InitGuard(absl::Status status, std::shared_ptr<Client> client);
  InitGuard(InitGuard&& other) noexcept;
  InitGuard& operator=(InitGuard&& other) noexcept;
  ~InitGuard();

  // OK, or why the SDK is disabled (an invalid DSN or option).
  const absl::Status& status() const { return status_; }
  // True when events are sent somewhere.
  bool enabled() const;
  const std::shared_ptr<Client>& client() const { return client_; }
  // Flushes and closes now; returns whether everything was delivered.
  bool Close();

 private:
  absl::Status status_;
  std::shared_ptr<Client> client_;
};

// Creates the client and binds it to the main hub (and to the calling
// thread, whose current hub becomes the main hub). Replaces the main hub's
// scope with an empty one (event processors included). May be called again once
// the previous guard is gone.
InitGuard Init(Options options);

EventId CaptureMessage(absl::string_view message, Level level = Level::kInfo);
EventId CaptureException(const std::exception& exception);
EventId CaptureException(std::exception_ptr exception);
EventId CaptureEvent(protocol::Event event);
void AddBreadcrumb(protocol::Breadcrumb breadcrumb);
void AddBreadcrumb(absl::string_view message, absl::string_view category = "",
                   Level level = Level::kInfo);
void ConfigureScope(absl::FunctionRef<void(Scope&)> fn);
void WithScope(absl::FunctionRef<void(Scope&)> fn);
// True once every event captured before the call reached the transport and
// the transport flushed, within `timeout`.
bool Flush(absl::Duration timeout);
EventId LastEventId();

}  // namespace sentry

#endif  // SENTRY_SENTRY_H_
