// TelemetryBuffer: where structured logs and metrics wait between the
// threads that record them and the envelopes that carry them (TELEMETRY.md
// sections 5 and 6: batches of at most 100, sent when 100 are waiting (within
// 200 ms) or 5 seconds after the first of them, and at most 1000 waiting).
//
//   internal::TelemetryBuffer buffer(
//       {}, [&](absl::Span<internal::TelemetryRecord* const> batch) {
//         transport->SendEnvelope(LogEnvelope(batch));  // <= 100 records
//       });
//   if (!buffer.Add([&](internal::TelemetryRecord& r) { r.text = "..."; })) {
//     // full: the caller counts the drop
//   }
//   buffer.Flush(absl::Now() + absl::Seconds(2));
//
// Recording is cheap and scales with threads: each thread writes into one of
// a few shards, under that shard's lock, into records that are reused (their
// strings keep their capacity, so a steady state allocates nothing). The
// only shared write is one atomic count of waiting records. The buffer's own
// thread, started by the first Add, takes the shards' records and hands
// them to the sink in batches, with no lock held.
//
// Thread-safety: Add, Flush and Close are thread-safe.
#ifndef SENTRY_SDK_SRC_TELEMETRY_BUFFER_H_
#define SENTRY_SDK_SRC_TELEMETRY_BUFFER_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sdk/src/cow.h"
#include "sentry/attributes.h"

namespace sentry::internal {

// One log or metric as recorded on the calling thread: copies of the call's
// arguments and references to the scopes' attributes; formatted later.
// Aligned to a cache line: a paced call writes all of it, four lines.
struct alignas(64) TelemetryRecord {
  absl::Time timestamp;
  int kind = 0;            // sentry::LogLevel or sentry::MetricType.
  char trace_id[32] = {};  // All 0: none.
  uint64_t span_id = 0;    // 0: no active span.
  std::string text;        // A log's template, a metric's name.
  std::string unit;        // A metric's.
  double value = 0;        // A metric's.
  size_t arg_count = 0;    // A log's template arguments: args[0, arg_count).
  std::vector<AttributeValue> args;
  size_t attribute_count = 0;  // attributes[0, attribute_count).
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  // The global scope's and the current scope's attributes (the latter win).
  Cow<LogAttributes> global_attributes;
  Cow<LogAttributes> scope_attributes;
};
static_assert(sizeof(TelemetryRecord) == 4 * 64);

class TelemetryBuffer {
 public:
  struct Limits {
    size_t max_waiting = 1000;
    size_t batch_size = 100;
    absl::Duration interval = absl::Seconds(5);
  };
  // Called on the buffer's thread, never under a lock, with 1..batch_size
  // records (in the order each thread recorded them).
  using Sink = std::function<void(absl::Span<TelemetryRecord* const> batch)>;

  TelemetryBuffer(Limits limits, Sink sink);
  TelemetryBuffer(const TelemetryBuffer&) = delete;
  TelemetryBuffer& operator=(const TelemetryBuffer&) = delete;
  // Closes without waiting (what waits is sent to the sink still).
  ~TelemetryBuffer();

  // Records one item: `fill` writes it into a reused record (every field it
  // uses must be set). False, without calling `fill`, when max_waiting are
  // already waiting or the buffer is closed.
  template <typename Fill>
  bool Add(Fill&& fill);

  // Hands everything recorded before the call to the sink; false when that
  // did not finish by `deadline`.
  bool Flush(absl::Time deadline);
  // Flushes by `deadline`, then stops the thread; later Adds return false.
  // Returns the number of records that were still waiting (dropped).
  size_t Close(absl::Time deadline);

  size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // How many times recorders woke the thread, and how many times it looked
  // (woken or not): what recording costs beyond its own work.
  uint64_t wakes() const { return wakes_.load(std::memory_order_relaxed); }
  uint64_t looks() const { return looks_.load(std::memory_order_relaxed); }
  // How many records the shards hold, in use or spare (each with the
  // buffers of the longest text and arguments it held): what recording
  // keeps in memory.
  size_t records_held() const {
    return records_held_.load(std::memory_order_relaxed);
  }

  // A shard keeps as many records as it had in use at a drain in the last
  // window of this many drains or the one before: the records a burst
  // left are freed once the shard has been quieter for a whole window.
  static constexpr int kDecayDrains = 16;

 private:
  static constexpr size_t kShards = 8;
  // How often the thread looks for full batches during a burst, and while
  // records wait (Loop).
  static constexpr absl::Duration kPoll = absl::Microseconds(200);
  static constexpr absl::Duration kBatchPoll = absl::Milliseconds(200);
  struct alignas(64) Shard {
    absl::Mutex mu;
    std::vector<TelemetryRecord> records ABSL_GUARDED_BY(mu);
    size_t used ABSL_GUARDED_BY(mu) = 0;
  };

  static size_t ThisThreadShard();
  void StartOnce();
  void Wake();
  void Loop();
  // Takes every shard's records and sends them in batches: all of them, or
  // only full batches (keeping the rest in carry_). Returns how many it
  // sent.
  size_t Drain(bool everything);
  // At the end of each window of kDecayDrains drains, the most records in
  // use becomes the window's.
  void DecayMostUsed();

  // What Add reads and writes besides its shard, on one cache line (a
  // paced recording finds it out of the cache; checked in the constructor).
  alignas(64) const Limits limits_;
  std::atomic<size_t> waiting_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> closed_{false};
  // Whether the thread sleeps until woken (it neither polls for a burst's
  // next batch nor looks after recent records): then the first record of
  // a quiet spell wakes it (see Loop).
  std::atomic<bool> sleeping_{false};

  const Sink sink_;
  std::array<Shard, kShards> shards_;
  // Records taken from the shards, by shard: given back (emptied, strings
  // kept) on the next drain.
  std::array<std::vector<TelemetryRecord>, kShards> spare_;
  // The most records a drain found in use in each shard, over the last
  // window of kDecayDrains drains or the one before, and the most in the
  // current window.
  std::array<size_t, kShards> most_used_{};
  std::array<size_t, kShards> window_most_used_{};
  int window_drains_ = 0;
  // The records held in the shards and their spares (not the carry).
  std::atomic<size_t> records_held_{0};
  // A copy of the first record recorded: what new spare records copy.
  std::optional<TelemetryRecord> shape_;
  // Records a drain kept back (the oldest), and the next drain's spare.
  std::vector<TelemetryRecord> carry_;
  std::vector<TelemetryRecord> next_carry_;
  size_t carry_used_ = 0;
  std::atomic<uint64_t> wakes_{0};
  std::atomic<uint64_t> looks_{0};

  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t flush_requested_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t flush_done_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

template <typename Fill>
bool TelemetryBuffer::Add(Fill&& fill) {
  if (closed_.load(std::memory_order_acquire)) return false;
  // Sequentially consistent, as the thread's sleeping_ (see Loop).
  const size_t before = waiting_.fetch_add(1);
  if (before >= limits_.max_waiting) {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  if (!started_.load(std::memory_order_acquire)) StartOnce();
  Shard& shard = shards_[ThisThreadShard()];
  {
    absl::MutexLock lock(&shard.mu);
    if (shard.used == shard.records.size()) {
      // A batch's worth at first, then doubling: growing from one record
      // moved them all at every small doubling, on the recording thread.
      if (shard.records.capacity() == shard.records.size()) {
        shard.records.reserve(
            std::max(shard.records.size() * 2, limits_.batch_size));
      }
      shard.records.emplace_back();
      records_held_.fetch_add(1, std::memory_order_relaxed);
    }
    fill(shard.records[shard.used++]);
  }
  // The first record of a quiet spell wakes the sleeping thread (which then
  // looks by itself while records wait); half of max_waiting wakes it
  // whatever it does (see Loop).
  if ((before == 0 && sleeping_.load()) ||
      before + 1 == limits_.max_waiting / 2) {
    Wake();
  }
  return true;
}

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_TELEMETRY_BUFFER_H_
