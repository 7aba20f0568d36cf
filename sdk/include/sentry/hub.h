// sentry::Hub: the entry point for capturing. A hub pairs a client with a
// stack of scopes; every thread has its own current hub, so scope data never
// leaks between concurrent units of work.
//
//   // Plain calls on any thread use that thread's hub (forked from the main
//   // hub the first time), so this tag stays on this thread's events:
//   sentry::Hub::Current()->ConfigureScope(
//       [](sentry::Scope& scope) { scope.SetTag("job", "resize"); });
//
//   // Hand work to another thread with its own fork of this hub:
//   std::thread worker([hub = sentry::Hub::Current()->Clone()] {
//     sentry::Hub::Run(hub, [] { sentry::CaptureMessage("from the worker"); });
//   });
//
//   // Data for a block only:
//   {
//     auto guard = hub->PushScope();
//     hub->ConfigureScope([](sentry::Scope& s) { s.SetTag("step", "2"); });
//     hub->CaptureMessage("tagged step=2");
//   }  // the tag is gone again
//
// Thread-safety: all methods are thread-safe. User functions passed in
// (ConfigureScope, WithScope, Run) run with no SDK lock held.
#ifndef SENTRY_HUB_H_
#define SENTRY_HUB_H_

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/check_in.h"
#include "sentry/client.h"
#include "sentry/event_id.h"
#include "sentry/feedback.h"
#include "sentry/level.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/scope.h"
#include "sentry/span.h"
#include "sentry/tracing.h"

namespace sentry {
namespace internal {
struct Dsc;
struct TransactionState;
class TelemetryAccess;
class CrashScope;
}  // namespace internal

class Hub : public std::enable_shared_from_this<Hub> {
 public:
  // Pops its scope when destroyed. A guard destroyed out of order (while
  // scopes pushed after it are still there) pops those too and logs it.
  class [[nodiscard]] ScopeGuard {
   public:
    ScopeGuard(ScopeGuard&& other) noexcept;
    ScopeGuard& operator=(ScopeGuard&&) = delete;
    ~ScopeGuard();

   private:
    friend class Hub;
    ScopeGuard(Hub* hub, size_t depth) : hub_(hub), depth_(depth) {}
    Hub* hub_;
    size_t depth_;
  };

  explicit Hub(std::shared_ptr<Client> client = nullptr);
  Hub(std::shared_ptr<Client> client, const Scope& scope);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // This thread's hub. A thread's first call forks the main hub (the thread
  // that called sentry::Init gets the main hub itself); Run and HubBinding
  // replace it for a while.
  static std::shared_ptr<Hub> Current();
  // The process-wide hub that sentry::Init binds its client to.
  static std::shared_ptr<Hub> Main();
  // Makes `hub` current on this thread while `fn` runs.
  static void Run(std::shared_ptr<Hub> hub, absl::FunctionRef<void()> fn);

  // A new hub with the same client and a copy-on-write fork of the top
  // scope: O(1), and neither side sees the other's later changes.
  std::shared_ptr<Hub> Clone() const;

  // Runs `fn` on the top scope (outside any SDK lock; the scope's own
  // setters are atomic).
  void ConfigureScope(absl::FunctionRef<void(Scope&)> fn);
  // Pushes a fork of the top scope until the guard is destroyed.
  ScopeGuard PushScope();
  // Pushes a scope, runs `fn` on it (captures inside see it), pops it.
  void WithScope(absl::FunctionRef<void(Scope&)> fn);

  // Each returns the event id, or an empty EventId when nothing was
  // queued.
  EventId CaptureMessage(absl::string_view message, Level level = Level::kInfo);
  EventId CaptureException(const std::exception& exception);
  EventId CaptureException(std::exception_ptr exception);
  // With the mechanism that caught it (integrations: type "thread_pool" or
  // "http_server", handled false, ...).
  EventId CaptureException(std::exception_ptr exception,
                           protocol::Mechanism mechanism);
  EventId CaptureEvent(protocol::Event event);
  // A cron check-in (sentry/crons.h) with the top scope's trace.
  EventId CaptureCheckIn(CheckIn check_in);
  // User feedback (sentry/feedback.h) with the top scope's data.
  EventId CaptureFeedback(Feedback feedback);

  // Runs before_breadcrumb, then adds to the top scope. Ignored without an
  // enabled client.
  void AddBreadcrumb(protocol::Breadcrumb breadcrumb);
  void AddBreadcrumb(absl::string_view message, absl::string_view category = "",
                     Level level = Level::kInfo);

  // The id of the last event captured through this hub (empty if none).
  EventId LastEventId() const;

  // Replaces the client of the top scope layer.
  void BindClient(std::shared_ptr<Client> client);
  std::shared_ptr<Client> client() const;
  // Flushes the client (see Client::Flush); true without a client.
  bool Flush(absl::Duration timeout);

  // Tracing (see sentry/tracing.h). A transaction is sampled by the
  // client's options; finished, it is sent through this hub, with the data
  // of its top scope then. Without an enabled client, or with tracing off,
  // it is an unsampled span of the scope's trace.
  Span StartTransaction(TransactionContext context);
  TraceHeaders GetTraceHeaders(absl::string_view existing_baggage = "");
  bool ContinueTrace(absl::string_view sentry_trace, absl::string_view baggage,
                     absl::string_view traceparent = "");
  void StartNewTrace();

 private:
  friend class internal::TelemetryAccess;  // Logs and metrics.
  friend class internal::CrashScope;       // Read in a crash, unlocked.
  void CaptureTransaction(
      std::shared_ptr<internal::TransactionState> transaction);
  // CaptureMessage with Options::attach_stacktrace.
  EventId CaptureMessageWithStacktrace(absl::string_view message, Level level);
  // Options::dedupe: true (and counted) when this thread's last captured
  // exception is `exception`; otherwise it becomes that one.
  bool CapturedBefore(std::exception_ptr exception);

  struct Layer {
    std::shared_ptr<Client> client;
    std::shared_ptr<Scope> scope;
  };
  // The top layer's client and scope, holding the lock; `keep` holds a
  // pushed scope alive (the root scope lives as long as the hub).
  Scope* TopLocked(std::shared_ptr<Scope>* keep) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<Client>& TopClientLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PopScope(size_t depth);
  // Keeps `id` as LastEventId (unless it is empty).
  void SetLastEventIdLocked(const EventId& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // What a capture reads of the hub, on one cache line, then the id it
  // writes on the next (a capture at the rates servers capture at finds
  // each line it touches out of the caches; BENCHMARKS.md, the seventh
  // change).
  alignas(64) mutable absl::Mutex mu_;
  std::shared_ptr<Client> root_client_ ABSL_GUARDED_BY(mu_);
  std::vector<Layer> pushed_ ABSL_GUARDED_BY(mu_);
  Scope root_scope_;
  // By value: a capture writes it without touching a heap buffer.
  EventId last_event_id_ ABSL_GUARDED_BY(mu_);
};

// Makes a hub current on this thread until destroyed, then restores the
// previous one.
//
//   sentry::HubBinding bind(hub);
//   sentry::CaptureMessage("goes to hub");
class [[nodiscard]] HubBinding {
 public:
  explicit HubBinding(std::shared_ptr<Hub> hub);
  HubBinding(const HubBinding&) = delete;
  HubBinding& operator=(const HubBinding&) = delete;
  ~HubBinding();

 private:
  std::shared_ptr<Hub> previous_;
  uint64_t previous_generation_;
  bool previous_bound_;
};

}  // namespace sentry

#endif  // SENTRY_HUB_H_
