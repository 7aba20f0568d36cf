#include "transports/http/src/delivery_worker.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sdk/src/log.h"
#include "sdk/src/sdk_thread.h"
#include "transports/http/src/packed_envelope.h"
#include "transports/http/src/rate_limits.h"

namespace sentry::internal {
namespace {

// Settled envelopes kept for the queueing thread to free (see Settle).
constexpr size_t kMaxFinished = 256;
// A network error is first retried in memory: an envelope gets this many
// attempts, and the network counts as down (queued envelopes move to the
// spool, or are dropped without one) after this many failures in a row.
constexpr int kMemoryAttempts = 3;
// Backlogged() is true from this many queued envelopes (or half the byte
// bound) on: enough to keep every request slot busy for milliseconds while
// the client's worker renders the next ones, and few enough that a burst
// waits as compact captures in the client rather than as envelopes here.
constexpr size_t kRenderAhead = 64;

// An envelope waiting or in flight.
struct Pending {
  PackedEnvelope envelope;
  absl::Time created;
  // Set when it came from the spool (and is locked there until done).
  std::unique_ptr<SpooledFile> file;
  int attempts = 0;  // Sends that met a network error.
};

// The envelopes waiting to be sent, oldest first: a FIFO in two vectors that
// trade places (the consumer takes the producer's when it has used up its
// own), so that no memory is allocated by the queueing thread and freed by
// the sending thread for every envelope, as std::deque's blocks would be
// (contention for the allocator's lock of the other thread).
class PendingQueue {
 public:
  size_t size() const { return in_.size() + (out_.size() - next_); }
  bool empty() const { return size() == 0; }
  void push_back(Pending pending) { in_.push_back(std::move(pending)); }
  // For a retry: it goes out next.
  void push_front(Pending pending) {
    if (next_ > 0) {
      out_[--next_] = std::move(pending);
    } else {
      out_.insert(out_.begin(), std::move(pending));
    }
  }
  // Requires !empty().
  Pending PopFront() {
    if (next_ == out_.size()) {
      out_.clear();  // Moved-from entries: nothing to free.
      next_ = 0;
      out_.swap(in_);
    }
    return std::move(out_[next_++]);
  }
  std::vector<Pending> TakeAll() {
    std::vector<Pending> all;
    all.reserve(size());
    for (; next_ < out_.size(); ++next_) all.push_back(std::move(out_[next_]));
    for (auto& pending : in_) all.push_back(std::move(pending));
    out_.clear();
    in_.clear();
    next_ = 0;
    return all;
  }

 private:
  std::vector<Pending> in_;   // Pushed to.
  std::vector<Pending> out_;  // Popped from, at next_.
  size_t next_ = 0;
};

// One request in flight; reused, with its body's capacity.
struct Request {
  uint64_t id = 0;
  Pending pending;
  std::string body;
};

class DeliveryWorker final : public Transport {
 public:
  DeliveryWorker(DeliveryOptions options, std::unique_ptr<Sender> sender,
                 std::unique_ptr<Spool> spool)
      : options_(options),
        sender_(std::move(sender)),
        spool_(std::move(spool)),
        backoff_(options_.initial_backoff) {}

  ~DeliveryWorker() override { Shutdown(absl::ZeroDuration()); }

  void Start(std::shared_ptr<ClientReports> reports) noexcept override {
    EnsureStarted(std::move(reports));
  }

  void SendEnvelope(Envelope envelope) noexcept override {
    EnsureStarted(nullptr);
    std::vector<Pending> finished;  // Freed here, after the lock.
    // The expensive part of compression happens here, on the SDK's worker
    // thread, in parallel with the sending thread.
    Pending pending;
    pending.envelope =
        PackedEnvelope::Pack(std::move(envelope), options_.compress);
    pending.created = absl::Now();
    const size_t size = pending.envelope.size();
    {
      absl::MutexLock lock(&mu_);
      finished.swap(finished_);
      if (!stopping_ && queue_.size() < options_.max_queue_envelopes &&
          queue_bytes_ + size <= options_.max_queue_bytes) {
        queue_bytes_ += size;
        ++accepted_;
        queue_.push_back(std::move(pending));
        NoteBacklog();
        // A busy sending thread looks at the queue before it sleeps again:
        // the wakeup (a syscall on both sides) is only for one that waits.
        if (polling_) {
          polling_ = false;
          sender_->Wake();
        }
        return;
      }
    }
    if (DebugLoggingEnabled()) {
      Log(LogLevel::kWarning, "http transport: queue full, dropped envelope ",
          pending.envelope.event_id());
    }
    Record(DiscardReason::kQueueOverflow, pending.envelope);
  }

  bool Backlogged() const noexcept override {
    return backlogged_.load(std::memory_order_relaxed);
  }

  bool Flush(absl::Duration timeout) noexcept override {
    absl::MutexLock lock(&mu_);
    struct Arg {
      DeliveryWorker* self;
      uint64_t target;
    } arg{this, accepted_};
    const uint64_t deferred = deferred_;
    const bool settled = mu_.AwaitWithTimeout(
        absl::Condition(
            +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return a->self->settled_ >= a->target && !a->self->replaying_ &&
                     a->self->spool_in_flight_ == 0;
            },
            &arg),
        timeout);
    return settled && deferred_ == deferred;
  }

  bool Shutdown(absl::Duration timeout) noexcept override {
    const bool flushed = Flush(timeout);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return flushed;
      stopping_ = true;
      abort_ = !flushed;
      sender_->Wake();
    }
    if (worker_.joinable()) worker_.join();
    return flushed;
  }

 private:
  void EnsureStarted(std::shared_ptr<ClientReports> reports) {
    absl::MutexLock lock(&mu_);
    if (started_) return;
    started_ = true;
    reports_ = std::move(reports);
    if (spool_ != nullptr) spool_->set_reports(reports_);
    replaying_ = spool_ != nullptr;
    worker_ = std::thread([this] {
      BecomeSdkThread("sentry-http");
      WorkerLoop();
    });
  }

  std::shared_ptr<ClientReports> reports() {
    absl::MutexLock lock(&mu_);
    return reports_;
  }

  void Record(DiscardReason reason, const PackedEnvelope& envelope) {
    if (auto r = reports()) {
      for (const auto& item : envelope.item_summaries()) {
        r->RecordItem(reason, item.type, item.count, item.bytes, item.spans);
      }
    }
  }

  // Marks an envelope as finished; `deferred` when it went (or stays) in the
  // spool instead of being delivered or dropped. The envelope itself is
  // freed by the thread that queues envelopes (SendEnvelope), which
  // allocated it: a free on another thread contends for the allocator's
  // lock of that thread (measured: most of the futex calls of a load test).
  // When that thread queues nothing for a while (a spool replay, say), this
  // thread frees them itself once kMaxFinished are waiting.
  void Settle(Pending pending, bool deferred) {
    std::vector<Pending> overflow;  // Freed here, after the lock.
    absl::MutexLock lock(&mu_);
    if (pending.file != nullptr) {  // From the spool, not the queue.
      --spool_in_flight_;
    } else {
      ++settled_;
    }
    if (deferred) ++deferred_;
    finished_.push_back(std::move(pending));
    if (finished_.size() >= kMaxFinished) overflow.swap(finished_);
  }

  // Writes an envelope that could not be delivered to the spool, or counts
  // it as lost with `reason` when there is no spool or it cannot be written.
  void Defer(Pending pending, DiscardReason reason) {
    if (pending.file != nullptr) {  // Stays in the spool, for a retry.
      spool_dirty_ = true;
      return Settle(std::move(pending), /*deferred=*/true);
    }
    if (spool_ != nullptr) {
      auto envelope = pending.envelope.Unpack();
      const absl::Status status =
          envelope.ok() ? spool_->Store(envelope->Serialize(), pending.created)
                        : envelope.status();
      if (status.ok()) {
        spool_dirty_ = true;
        return Settle(std::move(pending), /*deferred=*/true);
      }
      Log(LogLevel::kError, "http transport: ", status.ToString());
    }
    Record(reason, pending.envelope);
    Settle(std::move(pending), /*deferred=*/false);
  }

  void Finish(Pending pending) {
    if (pending.file != nullptr) spool_->Done(std::move(*pending.file));
    Settle(std::move(pending), /*deferred=*/false);
  }

  // Next envelope to send: spooled ones first (they are older).
  std::optional<Pending> Next() {
    if (spool_ != nullptr && spool_dirty_) {
      while (auto file = spool_->ClaimNext()) {
        auto envelope = Envelope::Parse(file->bytes());
        if (!envelope.ok()) {  // Checked by ClaimNext; cannot happen.
          spool_->Done(*std::move(file));
          continue;
        }
        // Sent as it was stored: compressing it would cost this thread.
        Pending pending;
        pending.envelope = PackedEnvelope::Pack(*std::move(envelope), false);
        pending.created = absl::Now();
        pending.file = std::make_unique<SpooledFile>(*std::move(file));
        absl::MutexLock lock(&mu_);
        ++spool_in_flight_;
        return pending;
      }
      spool_dirty_ = false;
      absl::MutexLock lock(&mu_);
      replaying_ = false;  // Everything spooled before has been tried.
    }
    absl::MutexLock lock(&mu_);
    if (queue_.empty()) return std::nullopt;
    Pending pending = queue_.PopFront();
    queue_bytes_ -= pending.envelope.size();
    NoteBacklog();
    return pending;
  }

  // Removes the items that a rate limit holds back, counting them; false
  // when nothing is left to send. The client reports of an envelope whose
  // other items were all removed go back to the client's reports, to leave
  // with a later envelope, instead of making a request of their own for
  // every dropped event.
  bool ApplyRateLimits(Pending& pending, absl::Time now) {
    if (now >= limits_.Horizon()) return true;  // Nothing is limited.
    const std::vector<absl::string_view> types = pending.envelope.item_types();
    if (std::none_of(types.begin(), types.end(), [&](absl::string_view type) {
          return limits_.IsLimited(RateLimitCategory(type), now);
        })) {
      return true;
    }
    auto envelope = pending.envelope.Unpack();
    if (!envelope.ok()) {  // Cannot happen: it was packed here.
      Log(LogLevel::kError, "http transport: ", envelope.status().ToString());
      Record(DiscardReason::kInternalSdkError, pending.envelope);
      return false;
    }
    auto& items = envelope->mutable_items();
    std::vector<EnvelopeItem> dropped;
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](EnvelopeItem& item) {
                                 if (!limits_.IsLimited(
                                         RateLimitCategory(item.type), now)) {
                                   return false;
                                 }
                                 dropped.push_back(std::move(item));
                                 return true;
                               }),
                items.end());
    Log(LogLevel::kDebug, "http transport: rate limited, dropped ",
        dropped.size(), " item(s)");
    // Client reports are never limited themselves.
    const bool only_reports = std::all_of(
        items.begin(), items.end(),
        [](const EnvelopeItem& i) { return i.type == "client_report"; });
    if (const std::shared_ptr<ClientReports> reports = this->reports()) {
      // Restored before the drops are counted: whoever sees the new count
      // also finds the restored ones.
      if (only_reports) {
        for (const auto& item : items) reports->Restore(item.payload);
      }
      for (const auto& item : dropped) {
        reports->RecordItem(DiscardReason::kRatelimitBackoff, item);
      }
    }
    if (only_reports) return false;
    // Compressed here, in this rare case, on the sending thread.
    pending.envelope =
        PackedEnvelope::Pack(*std::move(envelope), options_.compress);
    return true;
  }

  void StartRequest(Pending pending) {
    const absl::Time now = absl::Now();
    if (!ApplyRateLimits(pending, now)) return Finish(std::move(pending));
    std::unique_ptr<Request> request;
    if (!free_requests_.empty()) {
      request = std::move(free_requests_.back());
      free_requests_.pop_back();
    } else {
      request = std::make_unique<Request>();
    }
    request->id = ++last_request_id_;
    request->pending = std::move(pending);
    bool gzipped = false;
    request->pending.envelope.WriteBody(now, &request->body, &gzipped);
    if (!sender_->Start(request->id, request->body, gzipped)) {
      Log(LogLevel::kError, "http transport: could not start a request");
      Defer(std::move(request->pending), DiscardReason::kInternalSdkError);
      return Recycle(std::move(request));
    }
    in_flight_.push_back(std::move(request));
  }

  void Complete(SendResult& result) {
    auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                           [&](const auto& r) { return r->id == result.id; });
    if (it == in_flight_.end()) return;
    std::unique_ptr<Request> request = std::move(*it);
    in_flight_.erase(it);
    const absl::Time now = absl::Now();
    Pending& pending = request->pending;

    if (result.status == 0) {  // A network error.
      ++failures_in_a_row_;
      const bool retry_in_memory = result.transient &&
                                   pending.file == nullptr &&
                                   ++pending.attempts < kMemoryAttempts &&
                                   failures_in_a_row_ < kMemoryAttempts;
      Log(LogLevel::kWarning, "http transport: ", sender_->endpoint(), ": ",
          result.error,
          retry_in_memory     ? " (retried in memory after a backoff)"
          : spool_ != nullptr ? " (kept in the spool for a retry)"
                              : "");
      backoff_until_ = now + backoff_;
      backoff_ = std::min(backoff_ * 2, options_.max_backoff);
      if (spool_ != nullptr) {
        absl::MutexLock lock(&mu_);
        replaying_ = false;  // The spool waits for the network.
      }
      if (retry_in_memory) {
        absl::MutexLock lock(&mu_);
        queue_bytes_ += pending.envelope.size();
        queue_.push_front(std::move(pending));
        NoteBacklog();
      } else {
        Defer(std::move(pending), DiscardReason::kNetworkError);
      }
      return Recycle(std::move(request));
    }
    backoff_ = options_.initial_backoff;
    failures_in_a_row_ = 0;
    limits_.Update(result.status, result.rate_limits, result.retry_after, now);
    if (result.status >= 200 && result.status < 300) {
      if (DebugLoggingEnabled()) {
        Log(LogLevel::kDebug, "http transport: delivered ",
            pending.envelope.event_id());
      }
    } else if (result.status == 429) {
      // The server counts what it rejected: no client report.
      Log(LogLevel::kWarning, "http transport: rate limited (429)");
    } else {
      Log(LogLevel::kError, "http transport: HTTP ", result.status,
          " for envelope ", pending.envelope.event_id(), ": ", result.body);
      Record(DiscardReason::kSendError, pending.envelope);
    }
    Finish(std::move(pending));
    Recycle(std::move(request));
  }

  void Recycle(std::unique_ptr<Request> request) {
    if (free_requests_.size() <
        static_cast<size_t>(options_.max_requests_in_flight)) {
      request->pending = Pending{};
      free_requests_.push_back(std::move(request));
    }
  }

  bool HasFreeSlot() const {
    return in_flight_.size() <
           static_cast<size_t>(options_.max_requests_in_flight);
  }

  void WorkerLoop() {
    std::vector<SendResult> results;
    for (;;) {
      bool stopping, abort;
      {
        absl::MutexLock lock(&mu_);
        stopping = stopping_;
        abort = abort_;
      }
      if (abort) return AbortAll();
      const absl::Time now = absl::Now();
      if (now < backoff_until_) {
        if (failures_in_a_row_ >= kMemoryAttempts) {
          // The network stays down: queued envelopes wait in the spool (or
          // are dropped without one), not in memory, where they would
          // overflow the queue. After a short blip they simply wait for
          // the backoff, in memory.
          DeferQueued();
        }
      } else {
        while (HasFreeSlot()) {
          std::optional<Pending> next = Next();
          if (!next) break;
          StartRequest(*std::move(next));
        }
      }
      if (stopping && in_flight_.empty()) {
        absl::MutexLock lock(&mu_);
        if (queue_.empty()) return;
      }

      results.clear();
      sender_->Poll(&results);
      for (auto& result : results) Complete(result);
      if (!results.empty()) continue;  // Slots are free: fill them first.
      absl::Duration wait = absl::Seconds(1);
      if (now < backoff_until_) wait = std::min(wait, backoff_until_ - now);
      std::vector<Pending> finished;  // Idle: frees them itself.
      {
        absl::MutexLock lock(&mu_);
        // Checked under the lock SendEnvelope pushes under: an envelope
        // queued after this either is seen here or wakes the wait below.
        if (!queue_.empty() && HasFreeSlot() && now >= backoff_until_) {
          continue;
        }
        polling_ = true;
        if (queue_.empty()) finished.swap(finished_);
      }
      finished.clear();
      sender_->Wait(wait);
      absl::MutexLock lock(&mu_);
      polling_ = false;
    }
  }

  // Shutdown timed out: what is in flight or queued goes to the spool, or is
  // counted as lost.
  void AbortAll() {
    for (auto& request : in_flight_) {
      sender_->Cancel(request->id);
      Defer(std::move(request->pending), DiscardReason::kNetworkError);
    }
    in_flight_.clear();
    DeferQueued();
  }

  void NoteBacklog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    backlogged_.store(
        queue_.size() >=
                std::min(kRenderAhead, options_.max_queue_envelopes) ||
            queue_bytes_ >= options_.max_queue_bytes / 2,
        std::memory_order_relaxed);
  }

  // Everything queued goes to the spool, or is counted as lost.
  void DeferQueued() {
    std::vector<Pending> queued;
    {
      absl::MutexLock lock(&mu_);
      queued = queue_.TakeAll();
      queue_bytes_ = 0;
      NoteBacklog();
    }
    for (auto& pending : queued) {
      Defer(std::move(pending), DiscardReason::kNetworkError);
    }
  }

  const DeliveryOptions options_;
  const std::unique_ptr<Sender> sender_;

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool abort_ ABSL_GUARDED_BY(mu_) = false;
  // The sending thread is (about to be) waiting in Sender::Wait.
  bool polling_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<ClientReports> reports_ ABSL_GUARDED_BY(mu_);
  PendingQueue queue_ ABSL_GUARDED_BY(mu_);
  size_t queue_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // The queue's state for Backlogged(), written under mu_ (NoteBacklog).
  std::atomic<bool> backlogged_{false};
  uint64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t settled_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t deferred_ ABSL_GUARDED_BY(mu_) = 0;
  // Flush also waits for the files spooled by earlier runs to be tried once,
  // and for spooled files in flight.
  bool replaying_ ABSL_GUARDED_BY(mu_) = false;
  int spool_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  // Settled envelopes, to be freed by SendEnvelope's thread (see Settle).
  std::vector<Pending> finished_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;

  // Owned by the worker thread.
  const std::unique_ptr<Spool> spool_;
  bool spool_dirty_ = true;  // Files may be waiting there.
  RateLimits limits_;
  absl::Time backoff_until_ = absl::InfinitePast();
  int failures_in_a_row_ = 0;  // Network errors since the last response.
  absl::Duration backoff_;
  uint64_t last_request_id_ = 0;
  std::vector<std::unique_ptr<Request>> in_flight_;
  std::vector<std::unique_ptr<Request>> free_requests_;
};

}  // namespace

std::shared_ptr<Transport> NewDeliveryWorker(DeliveryOptions options,
                                             std::unique_ptr<Sender> sender,
                                             std::unique_ptr<Spool> spool) {
  return std::make_shared<DeliveryWorker>(options, std::move(sender),
                                          std::move(spool));
}

}  // namespace sentry::internal
