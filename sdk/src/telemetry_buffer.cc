#include "sdk/src/telemetry_buffer.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "sdk/src/sdk_thread.h"

namespace sentry::internal {

TelemetryBuffer::TelemetryBuffer(Limits limits, Sink sink)
    : limits_(limits), sink_(std::move(sink)) {
  // Add's fields end on limits_'s cache line (telemetry_buffer.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  static_assert(offsetof(TelemetryBuffer, sleeping_) + sizeof(sleeping_) <=
                offsetof(TelemetryBuffer, limits_) + 64);
#pragma GCC diagnostic pop
}

TelemetryBuffer::~TelemetryBuffer() { Close(absl::InfinitePast()); }

size_t TelemetryBuffer::ThisThreadShard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t shard =
      next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

void TelemetryBuffer::StartOnce() {
  absl::MutexLock lock(&mu_);
  if (started_.load(std::memory_order_relaxed) || stop_) return;
  thread_ = std::thread([this] {
    BecomeSdkThread("sentry-batch");
    Loop();
  });
  started_.store(true, std::memory_order_release);
}

void TelemetryBuffer::Wake() {
  wakes_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void TelemetryBuffer::Loop() {
  // How the thread waits decides what recording costs: waking it is a
  // system call for the recording thread, and the woken thread takes a CPU
  // (on two, often the recorder's). So recorders wake it only when the
  // first record of a quiet spell starts waiting and when half of
  // max_waiting wait; otherwise it looks by itself:
  // - after a drain that sent full batches (a burst), every kPoll;
  // - while records wait, and for `interval` after it last saw any, every
  //   kBatchPoll: for full batches, and for all of them once `interval`
  //   has passed since it first saw them. At a steady rate the record after
  //   a drain or a flush finds the thread looking, so it wakes nothing;
  // - after `interval` with nothing waiting, a quiet spell, it sleeps until
  //   a record wakes it (or `interval` passes).
  bool polling = false;
  absl::Time everything_due = absl::InfiniteFuture();
  absl::Time looking_until = absl::InfinitePast();
  for (;;) {
    uint64_t flush_target;
    bool stop;
    bool everything;
    {
      absl::MutexLock lock(&mu_);
      absl::Time now = absl::Now();
      const bool looking = now < looking_until;
      // Set before waiting_ is read: a recorder that adds the first record
      // after this read sees it (and wakes the thread), or the read sees
      // the record (both sides are sequentially consistent).
      if (!polling && !looking) sleeping_.store(true);
      const bool records_wait = waiting_.load() > 0;
      if (records_wait) looking_until = now + limits_.interval;
      if (!records_wait) everything_due = absl::InfiniteFuture();
      const absl::Duration timeout =
          polling        ? kPoll
          : records_wait ? std::min(kBatchPoll, everything_due - now)
          : looking      ? std::min(kBatchPoll, looking_until - now)
                         : limits_.interval;
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](TelemetryBuffer* b) ABSL_EXCLUSIVE_LOCKS_REQUIRED(b->mu_) {
                return b->wake_ || b->stop_ ||
                       b->flush_requested_ != b->flush_done_ ||
                       b->waiting_.load() >= b->limits_.max_waiting / 2;
              },
              this),
          timeout);
      sleeping_.store(false, std::memory_order_relaxed);
      looks_.fetch_add(1, std::memory_order_relaxed);
      now = absl::Now();
      // The first records of a quiet spell start the interval.
      if (everything_due == absl::InfiniteFuture() && waiting_.load() > 0) {
        everything_due = now + limits_.interval;
      }
      // Everything goes on a flush, at the end, and when the interval
      // passed; otherwise only full batches.
      everything =
          stop_ || flush_requested_ != flush_done_ || now >= everything_due;
      wake_ = false;
      flush_target = flush_requested_;
      stop = stop_;
    }
    const size_t sent = Drain(everything);
    if (everything) everything_due = absl::InfiniteFuture();
    polling = sent > 0 && !everything;
    absl::MutexLock lock(&mu_);
    flush_done_ = flush_target;
    if (stop) return;
  }
}

size_t TelemetryBuffer::Drain(bool everything) {
  // Below a batch nothing would go: the records stay where they are (a
  // look takes no shard's lock, and keeps nothing back).
  if (!everything &&
      waiting_.load(std::memory_order_relaxed) < limits_.batch_size) {
    return 0;
  }
  // Oldest first: what the last drain kept back, then the shards'.
  std::vector<TelemetryRecord*> taken;
  std::array<size_t, kShards> counts{};
  size_t total = carry_used_;
  for (size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    size_t in_use;
    {
      absl::MutexLock lock(&shard.mu);
      in_use = shard.used;
      // Once: a copy of the first record recorded, the shape of the spare
      // records made below (without its references to the scopes'
      // attributes).
      if (in_use > 0 && !shape_.has_value()) {
        shape_ = shard.records.front();
        shape_->global_attributes.Reset();
        shape_->scope_attributes.Reset();
      }
    }
    if (in_use == 0) continue;
    // The records a shard gets back are at least as many as it has in use
    // now, and as it had at a drain in the last window or the one before
    // (most_used_), each with a used record's buffers: at a steady rate,
    // or within two windows of a burst, its recorders neither grow them
    // nor allocate.
    const size_t needed = std::max(in_use, most_used_[i]);
    if (spare_[i].size() < needed) {
      const TelemetryRecord used =
          spare_[i].empty() ? *shape_ : spare_[i].front();
      records_held_.fetch_add(needed - spare_[i].size(),
                              std::memory_order_relaxed);
      spare_[i].resize(needed, used);
    }
    absl::MutexLock lock(&shard.mu);
    std::swap(shard.records, spare_[i]);
    counts[i] = std::exchange(shard.used, 0);
    most_used_[i] = std::max(most_used_[i], counts[i]);
    window_most_used_[i] = std::max(window_most_used_[i], counts[i]);
    total += counts[i];
  }
  DecayMostUsed();
  if (total == 0) return 0;
  taken.reserve(total);
  for (size_t j = 0; j < carry_used_; ++j) taken.push_back(&carry_[j]);
  for (size_t i = 0; i < kShards; ++i) {
    for (size_t j = 0; j < counts[i]; ++j) taken.push_back(&spare_[i][j]);
  }
  // Woken by the batch size, only full batches go; the rest waits for the
  // next one, the interval or a flush.
  const size_t sending =
      everything ? total : total - total % limits_.batch_size;
  // Kept back: copied out of the records the shards get back next time,
  // into records of this thread's. Swapped, a shard's record would come
  // back with a new record's empty strings and vectors, for the recording
  // thread to allocate.
  size_t kept = 0;
  for (size_t k = sending; k < total; ++k, ++kept) {
    if (next_carry_.size() == kept) next_carry_.emplace_back();
    next_carry_[kept] = *taken[k];
  }
  // Handed over: no longer waiting here (the transport bounds its queue).
  waiting_.fetch_sub(sending, std::memory_order_relaxed);
  for (size_t start = 0; start < sending; start += limits_.batch_size) {
    const size_t n = std::min(limits_.batch_size, sending - start);
    sink_(absl::MakeConstSpan(taken.data() + start, n));
  }
  // The scopes' attributes are not kept alive by spare records (nor by the
  // copied ones').
  for (size_t k = 0; k < total; ++k) {
    taken[k]->global_attributes.Reset();
    taken[k]->scope_attributes.Reset();
  }
  std::swap(carry_, next_carry_);
  carry_used_ = kept;
  // The records taken beyond what the shard now needs (a burst's, once
  // the shard has been quieter for a window) are freed with their buffers
  // (most_used_ counts this drain's too: none in use is freed).
  for (size_t i = 0; i < kShards; ++i) {
    const size_t keep = most_used_[i];
    if (counts[i] > 0 && spare_[i].size() > keep) {
      records_held_.fetch_sub(spare_[i].size() - keep,
                              std::memory_order_relaxed);
      spare_[i].resize(keep);
      spare_[i].shrink_to_fit();
    }
  }
  return sending;
}

void TelemetryBuffer::DecayMostUsed() {
  if (++window_drains_ < kDecayDrains) return;
  window_drains_ = 0;
  most_used_ = window_most_used_;
  window_most_used_.fill(0);
}

bool TelemetryBuffer::Flush(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (!started_.load(std::memory_order_relaxed) || stop_) return true;
  const uint64_t target = ++flush_requested_;
  struct Arg {
    TelemetryBuffer* buffer;
    uint64_t target;
  } arg{this, target};
  return mu_.AwaitWithDeadline(absl::Condition(
                                   +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                     return a->buffer->flush_done_ >= a->target;
                                   },
                                   &arg),
                               deadline);
}

size_t TelemetryBuffer::Close(absl::Time deadline) {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return 0;
  Flush(deadline);
  std::thread thread;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  // The thread finishes the batch it is sending, if any, and one more
  // drain (which a flush that timed out had asked for).
  if (thread.joinable()) thread.join();
  return waiting_.load(std::memory_order_relaxed);
}

}  // namespace sentry::internal
