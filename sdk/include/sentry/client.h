// sentry::Client: turns captured events into envelopes and hands them to the
// transport. Hubs share one client; sentry::Init creates it.
//
//   auto client = sentry::Client::Create(std::move(options));
//   if (!client.ok()) return client.status();  // names the bad option
//   auto hub = std::make_shared<sentry::Hub>(*client);
//
// Capturing only queues the event (a third of a microsecond on the calling
// thread in a burst). It does not wake the worker, which looks for captures
// by itself (see WorkerLoop), unless the worker has slept for a second. The
// worker applies the scopes, runs event processors and before_send,
// samples, encodes JSON and calls the transport, in that order (PROTOCOL.md
// section 7.3); every drop is counted for client reports.
//
// Thread-safety: all methods are thread-safe.
#ifndef SENTRY_CLIENT_H_
#define SENTRY_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "sentry/check_in.h"
#include "sentry/client_reports.h"
#include "sentry/dsn.h"
#include "sentry/event_id.h"
#include "sentry/feedback.h"
#include "sentry/level.h"
#include "sentry/options.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/scope.h"

namespace sentry {
class Client;
namespace internal {
class SessionTracker;
class SessionAggregator;
}  // namespace internal

namespace internal {
struct CaptureWork;
struct CaptureQueue;
struct CapturedScopes;
class StoredBreadcrumb;
struct Dsc;
struct RecordedSpans;
struct TransactionState;
class PropagationTargets;
class EventFilters;
class Scrubber;
class TelemetryBuffer;
class TelemetryAccess;
// Request-mode release health (sdk/src/request_sessions.h).
// Captures an event about an earlier run of the program (the crash
// integration's report of an OOM kill, found at start): like CaptureEvent,
// but not counted in this run's session.
EventId CapturePreviousRunEvent(Client& client, protocol::Event event);
void RecordRequestSession(Client& client, absl::Time started, bool errored,
                          bool crashed);
}  // namespace internal

class Client {
 public:
  // Validates `options` (DSN, sample_rate, max_breadcrumbs, transport) and
  // starts the worker thread. The error message names the problem.
  static absl::StatusOr<std::shared_ptr<Client>> Create(Options options);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  // Closes without waiting.
  ~Client();

  // Queues `event` with `scope` (and the global scope) as they are now.
  // Fills event_id and timestamp when unset. Returns the event id, empty when
  // the event was not queued (client closed, queue full).
  EventId CaptureEvent(protocol::Event event, const Scope* scope = nullptr);
  // The same for a message at `level` (what CaptureMessage makes, without a
  // stack): the worker builds its event.
  EventId CaptureMessage(absl::string_view message, Level level,
                         const Scope* scope = nullptr);

  // Waits until every event captured before the call has reached the
  // transport and the transport has flushed, or `timeout` passes.
  bool Flush(absl::Duration timeout);

  // Flushes within `timeout`, then stops; later captures are dropped.
  bool Close(absl::Duration timeout);

  bool IsEnabled() const;
  // Starts this client's release-health session (sentry::Init does, when
  // Options::auto_session_tracking is on and a release is set).
  void StartSession();
  // Release health: the user the session belongs to (its `did`). Events
  // that carry a user set it as well; InitGuard passes the main hub's user
  // when it closes, so a session without errors has it too.
  void SetSessionUser(const protocol::User& user);
  // Whether integrations add trace headers to a request for `url`
  // (Options::trace_propagation_targets).
  bool ShouldPropagateTrace(absl::string_view url) const;
  const Options& options() const { return options_; }
  const std::optional<Dsn>& dsn() const { return dsn_; }
  // Counts of dropped events by reason; shared with the transport.
  ClientReports& client_reports() { return *reports_; }

 private:
  explicit Client(Options options);
  void WorkerLoop();
  // Queues `work` (the event `id`); returns the id, empty when the queue is
  // full (counted as a drop of `category`) or the client closed.
  EventId Enqueue(internal::CaptureWork&& work, absl::string_view id,
                  DataCategory category = DataCategory::kError);
  // The same for work that `fill` (called as fill(internal::CaptureWork&))
  // writes into its queue slot, under the queue's lock (no temporary is
  // moved and destroyed: a capture's path); `fill` is not called when
  // nothing is queued. Defined and instantiated in client.cc only, where
  // it is inlined into its caller: a capture runs no thunk of its own.
  template <typename Fill>
  EventId EnqueueFilled(Fill&& fill, absl::string_view id,
                        DataCategory category);
  // Queues a valid check-in with the trace of the scope it was captured in;
  // returns its id, or an empty one.
  EventId CaptureCheckIn(CheckIn check_in, std::string trace_id,
                         std::string span_id);
  void ProcessCheckIn(internal::CaptureWork& work);
  // Queues valid feedback with `scope`'s data; returns its event id, or an
  // empty one.
  EventId CaptureFeedback(Feedback feedback, const Scope* scope);
  void ProcessFeedback(internal::CaptureWork& work);
  friend class Hub;  // Tracing: DSCs, sampling, finished transactions.
  friend class internal::TelemetryAccess;  // Logs and metrics.
  friend EventId internal::CapturePreviousRunEvent(Client& client,
                                                   protocol::Event event);
  friend void internal::RecordRequestSession(Client& client, absl::Time started,
                                             bool errored, bool crashed);

  // Queues a finished transaction with `scope` (and the global scope) as
  // they are now; its DSC becomes its envelope's "trace" header.
  void CaptureTransaction(
      std::shared_ptr<internal::TransactionState> transaction,
      const Scope* scope);
  // The DSC of a trace this SDK heads (not continued from a caller).
  std::shared_ptr<const internal::Dsc> NewDsc(
      const std::string& trace_id, double sample_rand,
      std::optional<double> sample_rate, std::optional<bool> sampled,
      absl::string_view transaction) const;
  bool TracingEnabled() const {
    return options_.traces_sample_rate.has_value() ||
           options_.traces_sampler != nullptr;
  }
  std::optional<uint64_t> org_id() const;

  // Whether user code (event processors, integrations, before_send or
  // before_send_transaction) will see the event: only then are the parts
  // the SDK writes from their encodings (breadcrumbs, the "os" context, a
  // transaction's spans) put into it.
  bool UserCodeSees(const internal::CaptureWork& work) const;
  // The steps of the event pipeline (Process), in order.
  void Process(internal::CaptureWork& work);
  void ApplyOptions(protocol::Event& event) const;
  // Event processors, integrations, before_send; why the event is dropped.
  std::optional<DiscardReason> RunUserCode(
      const internal::CapturedScopes& scopes, protocol::Event& event) const;
  // The event's JSON with the scopes' `breadcrumbs` (and the "os" context
  // when `os_context_encoded`, the trace context when `trace_json` is not
  // empty) written from their encodings, and a transaction's `spans` from
  // their records; shrunk when too large; nullopt when it stays too large.
  std::optional<std::string> EncodeEvent(
      protocol::Event& event,
      const std::vector<const internal::StoredBreadcrumb*>& breadcrumbs,
      bool os_context_encoded, absl::string_view trace_json,
      const internal::RecordedSpans* spans = nullptr) const;
  Envelope EventEnvelope(const std::string& event_id, std::string json,
                         std::vector<Attachment> attachments,
                         std::optional<std::string> session_update,
                         const internal::Dsc& dsc);
  void ProcessTransaction(internal::CaptureWork& work);
  // Close in a forked child (see sdk/src/fork.h).
  void AbandonInForkedChild();
  // An envelope with this client's headers (dsn, sdk): every envelope the
  // client sends starts here.
  Envelope NewEnvelope() const;
  // Pending drop counts travel with the envelope
  // (Options::send_client_reports).
  void AddPendingClientReport(Envelope& envelope);
  // Sends pending drop counts and flushes the transport by `deadline`, then
  // sends (and flushes) what that flush dropped or put back.
  bool FlushTransport(absl::Time deadline);
  // Sends the pending drop counts as a client report; true when it did.
  bool SendClientReportIfAny();
  // Whether the error event is kept: the error_sampler's rate (or, when it
  // fails, sample_rate) against a fresh random number.
  bool SampleError(const protocol::Event& event) const;
  // Counts the error event `event` as dropped.
  void Drop(DiscardReason reason, const protocol::Event& event);
  // Counts the transaction `spans` as dropped, with its spans: those in
  // its `event` (when the worker built it), those still recorded, and
  // itself.
  void DropTransaction(DiscardReason reason,
                       const internal::RecordedSpans& spans,
                       const protocol::Event* event);
  // Counts a capture given up at shutdown as queue_overflow, in its
  // category (a transaction also counts its spans).
  void Abandon(const internal::CaptureWork& work);
  // Waits while the transport is backlogged (Transport::Backlogged); false
  // when the client stops meanwhile.
  bool WaitForTransport();
  // Counts and logs a capture that found the queue full.
  void DropOverflow(absl::string_view id, DataCategory category);
  // Queues an empty work, to be filled before the lock is released.
  internal::CaptureWork& EmplaceLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The worker's sleep between looks: until Wake or `timeout`; true when
  // woken.
  bool WaitForWake(absl::Duration timeout);
  // Ends the worker's current WaitForWake (or its next one) at once.
  void Wake();
  void SendSessionUpdate(std::string payload);
  void SendSessionAggregates();

  Options options_;
  std::optional<Dsn> dsn_;
  std::shared_ptr<ClientReports> reports_;
  // Whether some integration's ProcessEvent must see the events.
  const bool integrations_process_events_;
  google::protobuf::Struct os_context_;
  // Encoded once: the "os" context and envelope headers.
  std::string os_context_json_;
  std::string sdk_header_;
  std::string dsn_header_;
  std::string server_name_;
  std::vector<std::string> integration_names_;
  std::unique_ptr<const internal::PropagationTargets> propagation_targets_;
  // Options::ignore_errors and ignore_transactions, compiled.
  std::unique_ptr<const internal::EventFilters> filters_;
  // Options::scrub_data and its lists.
  std::unique_ptr<const internal::Scrubber> scrubber_;
  // The last head DSC NewDsc made, and what it was made from: most calls
  // ask for the same trace's (every thread shares the main hub's trace).
  struct DscKey {
    std::string trace_id;
    double sample_rand = 0;
    std::optional<double> sample_rate;
    std::optional<bool> sampled;
    std::string transaction;
  };
  mutable absl::Mutex dsc_mu_;
  mutable DscKey last_dsc_key_ ABSL_GUARDED_BY(dsc_mu_);
  mutable std::shared_ptr<const internal::Dsc> last_dsc_
      ABSL_GUARDED_BY(dsc_mu_);
  // Structured logs and metrics waiting to be sent (null when off or
  // without a transport); thread-safe themselves.
  std::unique_ptr<internal::TelemetryBuffer> logs_;
  std::unique_ptr<internal::TelemetryBuffer> metrics_;
  // Null when sessions are off; thread-safe itself.
  std::unique_ptr<internal::SessionTracker> session_;
  std::unique_ptr<internal::SessionAggregator> aggregator_;

  // What a capture reads and writes of the client, on one cache line (a
  // capture at the rates servers capture at finds each line it touches
  // out of the caches; BENCHMARKS.md, the seventh change): the lock, the
  // queue, and the options a capture checks, copied.
  alignas(64) mutable absl::Mutex mu_;
  // True while the queue holds captures (set with the push, cleared with the
  // take, both under mu_): the worker's periodic looks read it alone, so
  // that they neither lock mu_ nor read the queue, and a capture finds
  // mu_'s line as it left it.
  std::atomic<bool> queued_{false};
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // options_.transport != nullptr, attach_stacktrace and max_queue_size.
  const bool has_transport_;
  const bool attach_stacktrace_;
  const size_t max_queue_size_;
  const std::unique_ptr<internal::CaptureQueue> queue_ ABSL_PT_GUARDED_BY(mu_);
  uint64_t enqueued_ ABSL_GUARDED_BY(mu_) = 0;
  // Written by the worker after each batch: not on the captures' line.
  alignas(64) uint64_t processed_ ABSL_GUARDED_BY(mu_) = 0;
  // How often the worker looks for captures without being woken: right
  // after a batch, and then until kLinger has passed since it last found one
  // (Client::WorkerLoop). kLingerPoll bounds how long a capture waits for
  // the worker at low rates.
  static constexpr absl::Duration kPoll = absl::Microseconds(200);
  static constexpr absl::Duration kLingerPoll = absl::Milliseconds(4);
  static constexpr absl::Duration kLinger = absl::Seconds(1);
  // How often a worker held back by a backlogged transport looks again.
  static constexpr absl::Duration kBacklogPoll = absl::Milliseconds(1);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // What the worker sleeps on between looks (see WorkerLoop). Taken after
  // mu_ when both are held.
  absl::Mutex wake_mu_ ABSL_ACQUIRED_AFTER(mu_);
  bool wake_ ABSL_GUARDED_BY(wake_mu_) = false;
  std::thread worker_;
};

}  // namespace sentry

#endif  // SENTRY_CLIENT_H_
