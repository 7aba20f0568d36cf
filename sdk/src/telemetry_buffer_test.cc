#include "sdk/src/telemetry_buffer.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

// Records every batch the buffer hands over (as the texts of its records).
class Batches {
 public:
  TelemetryBuffer::Sink Sink() {
    return [this](absl::Span<TelemetryRecord* const> batch) {
      std::vector<std::string> texts;
      for (const TelemetryRecord* r : batch) texts.push_back(r->text);
      if (block_ != nullptr) block_->WaitForNotification();
      absl::MutexLock lock(&mu_);
      batches_.push_back(std::move(texts));
    };
  }
  std::vector<std::vector<std::string>> Get() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }
  // Makes the sink wait for `n` before it records.
  void BlockOn(absl::Notification* n) { block_ = n; }
  // Waits until `count` batches were handed over.
  bool WaitFor(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return batches_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
  }

 private:
  absl::Mutex mu_;
  std::vector<std::vector<std::string>> batches_ ABSL_GUARDED_BY(mu_);
  absl::Notification* block_ = nullptr;
};

bool AddText(TelemetryBuffer& buffer, std::string text) {
  return buffer.Add([&](TelemetryRecord& r) { r.text = text; });
}

TEST(TelemetryBufferTest, SendsFullBatchesAtTheBatchSizeWithoutWaiting) {
  Batches batches;
  // An interval no test waits for: only the batch size can send.
  TelemetryBuffer buffer({/*max_waiting=*/1000, /*batch_size=*/100,
                          /*interval=*/absl::Hours(1)},
                         batches.Sink());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(AddText(buffer, std::to_string(i)));
  ASSERT_TRUE(batches.WaitFor(1));
  const auto got = batches.Get();
  ASSERT_EQ(got[0].size(), 100u);
  EXPECT_EQ(got[0].front(), "0");
  EXPECT_EQ(got[0].back(), "99");
}

TEST(TelemetryBufferTest, FlushSendsWhatWaitsInBatchesOfAtMostTheBatchSize) {
  Batches batches;
  TelemetryBuffer buffer({1000, 100, absl::Hours(1)}, batches.Sink());
  absl::Notification release;
  batches.BlockOn(&release);
  // The first 100 wake the thread, which blocks in the sink; 150 more wait.
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(AddText(buffer, std::to_string(i)));
  release.Notify();
  ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  size_t total = 0;
  std::vector<std::string> all;
  for (const auto& batch : batches.Get()) {
    EXPECT_LE(batch.size(), 100u);
    total += batch.size();
    all.insert(all.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(total, 250u);
  EXPECT_EQ(all.front(), "0");
  EXPECT_EQ(all.back(), "249");
  EXPECT_EQ(buffer.waiting(), 0u);
}

// The client's buffers use the defaults: the README's 1000 waiting at most,
// envelopes of 100, 5 seconds after the first record waiting.
TEST(TelemetryBufferTest, DefaultLimitsAreTheReadmes) {
  const TelemetryBuffer::Limits limits;
  EXPECT_EQ(limits.max_waiting, 1000u);
  EXPECT_EQ(limits.batch_size, 100u);
  EXPECT_EQ(limits.interval, absl::Seconds(5));
}

TEST(TelemetryBufferTest, SendsAfterTheIntervalBelowTheBatchSize) {
  Batches batches;
  TelemetryBuffer buffer({1000, 100, absl::Milliseconds(50)}, batches.Sink());
  ASSERT_TRUE(AddText(buffer, "only"));
  ASSERT_TRUE(batches.WaitFor(1));
  EXPECT_EQ(batches.Get()[0], std::vector<std::string>{"only"});
}

// At a steady rate the record after a drain finds the thread still looking
// by itself (for `interval` after it last saw records): recording wakes no
// thread, and the next full batch goes out at the thread's own look.
TEST(TelemetryBufferTest, RecordsAfterADrainWithinTheIntervalWakeNoThread) {
  Batches batches;
  TelemetryBuffer buffer({1000, /*batch_size=*/10, absl::Hours(1)},
                         batches.Sink());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AddText(buffer, "first"));
  ASSERT_TRUE(batches.WaitFor(1));
  // Past the burst's polls: the thread looks twice more after the drain
  // (once polling, once at its slower pace) without any record to wake it.
  const uint64_t looks = buffer.looks();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (buffer.looks() < looks + 2 && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_GE(buffer.looks(), looks + 2) << "the thread stopped looking";
  const uint64_t wakes = buffer.wakes();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AddText(buffer, "second"));
  ASSERT_TRUE(batches.WaitFor(2));
  EXPECT_EQ(batches.Get()[1], std::vector<std::string>(10, "second"));
  EXPECT_EQ(buffer.wakes(), wakes);
}

// A sink that holds the buffer's thread in each call until the test lets
// it go: while it is held the thread cannot look, so the test knows which
// records each drain finds.
class GatedSink {
 public:
  TelemetryBuffer::Sink Sink() {
    return [this](absl::Span<TelemetryRecord* const> batch) {
      absl::MutexLock lock(&mu_);
      std::vector<std::string> texts;
      for (const TelemetryRecord* r : batch) texts.push_back(r->text);
      batches_.push_back(std::move(texts));
      const size_t call = batches_.size();
      auto released = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return released_ >= call;
      };
      mu_.Await(absl::Condition(&released));
    };
  }
  // Waits until the thread is held in its `n`th call.
  bool WaitHeld(size_t n) {
    absl::MutexLock lock(&mu_);
    auto held = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return batches_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&held), absl::Seconds(30));
  }
  // Lets the first `n` calls return.
  void Release(size_t n) {
    absl::MutexLock lock(&mu_);
    released_ = n;
  }
  std::vector<std::vector<std::string>> Get() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::vector<std::string>> batches_ ABSL_GUARDED_BY(mu_);
  size_t released_ ABSL_GUARDED_BY(mu_) = 0;
};

// Records numbered texts, all of one length (longer than any string's
// inline capacity), and counts the records it found without room for one.
class NumberedRecorder {
 public:
  explicit NumberedRecorder(TelemetryBuffer& buffer) : buffer_(buffer) {}
  static std::string Text(int n) {
    return absl::StrCat("record ", absl::Dec(n, absl::kZeroPad4),
                        std::string(64, '.'));
  }
  // Records the next `count` texts.
  void Add(int count) {
    for (int i = 0; i < count; ++i, ++next_) {
      ASSERT_TRUE(buffer_.Add([&](TelemetryRecord& r) {
        const std::string text = Text(next_);
        if (r.text.capacity() < text.size()) ++fresh_;
        r.text = text;
      }));
    }
  }
  // Records found without room for their text, and forgets them.
  int TakeFresh() { return std::exchange(fresh_, 0); }
  int recorded() const { return next_; }

 private:
  TelemetryBuffer& buffer_;
  int next_ = 0;
  int fresh_ = 0;
};

// Everything `sink` was given is the recorder's texts, in order, in
// batches of at most `batch_size`.
void ExpectSentInOrder(GatedSink& sink, const NumberedRecorder& recorder,
                       size_t batch_size) {
  std::vector<std::string> all;
  for (const auto& batch : sink.Get()) {
    EXPECT_LE(batch.size(), batch_size);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(recorder.recorded()));
  for (int n = 0; n < recorder.recorded(); ++n) {
    EXPECT_EQ(all[n], NumberedRecorder::Text(n));
  }
}

// Records beyond the last full batch wait for the next one in the thread's
// own records: the shards' records they were recorded in come back with
// their strings' buffers, so a steady recorder allocates nothing (a swap
// would give the recorder a new, empty record for each one kept back).
TEST(TelemetryBufferTest, RecordsKeptBackLeaveTheRecordersBuffersInPlace) {
  GatedSink sink;
  TelemetryBuffer buffer({1000, /*batch_size=*/10, absl::Hours(1)},
                         sink.Sink());
  NumberedRecorder recorder(buffer);
  // The thread takes a shard's records when a batch waits, and gives the
  // shard the records it took the time before: two sets, A and B.
  recorder.Add(10);  // A: sent whole.
  ASSERT_TRUE(sink.WaitHeld(1));
  recorder.Add(15);  // B: 10 sent, 5 kept back.
  sink.Release(1);
  ASSERT_TRUE(sink.WaitHeld(2));
  recorder.Add(10);  // A again: with the 5 kept back, 10 sent, 5 kept back.
  sink.Release(2);
  ASSERT_TRUE(sink.WaitHeld(3));
  // B again: each of its 15 records held a text before, the 5 kept back
  // included.
  recorder.TakeFresh();
  recorder.Add(15);
  EXPECT_EQ(recorder.TakeFresh(), 0);
  sink.Release(1000);
  ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  // Nothing lost, in order, the kept-back records whole.
  ExpectSentInOrder(sink, recorder, /*batch_size=*/10);
}

// When a shard's records are taken, the records it gets instead are as
// many as it had in use, each with the buffers of one used before: a
// recorder that keeps its pace, or comes back to the pace of a burst,
// allocates nothing (the records' strings and vectors) and grows nothing.
TEST(TelemetryBufferTest, AShardGetsBackAsManyRecordsAsItHadInUseWithBuffers) {
  GatedSink sink;
  TelemetryBuffer buffer({1000, /*batch_size=*/10, absl::Hours(1)},
                         sink.Sink());
  NumberedRecorder recorder(buffer);
  recorder.Add(10);  // Taken at once: the shard gets 10 records.
  ASSERT_TRUE(sink.WaitHeld(1));
  recorder.Add(30);  // 10 records, 20 more the recorder makes: a faster pace.
  sink.Release(1);
  ASSERT_TRUE(sink.WaitHeld(2));
  // The shard's first 10 records again, and 20 more, made by the batching
  // thread with a used record's buffers.
  recorder.TakeFresh();
  recorder.Add(30);
  EXPECT_EQ(recorder.TakeFresh(), 0);
  sink.Release(1000);
  ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  ExpectSentInOrder(sink, recorder, /*batch_size=*/10);
}

TEST(TelemetryBufferTest,
     ABurstsRecordsAreFreedOnceItsShardWasQuieterForAWindow) {
  Batches batches;
  // A batch size above the burst: only the flushes drain.
  TelemetryBuffer buffer(
      {/*max_waiting=*/1000, /*batch_size=*/1000, absl::Hours(1)},
      batches.Sink());
  int added = 0;
  auto add_and_flush = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(AddText(buffer, std::to_string(added++)));
    }
    ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  };
  add_and_flush(400);
  // The 400 records recorded into, and 400 spare ones the shard got back.
  EXPECT_EQ(buffer.records_held(), 800u);
  // The rest of the burst's window: the shard keeps them all.
  for (int d = 1; d < TelemetryBuffer::kDecayDrains; ++d) add_and_flush(5);
  EXPECT_EQ(buffer.records_held(), 800u);
  // A whole window of drains of 5: both sets hold 5 records again.
  for (int d = 0; d < TelemetryBuffer::kDecayDrains + 2; ++d) {
    add_and_flush(5);
  }
  EXPECT_EQ(buffer.records_held(), 10u);
  std::vector<std::string> all;
  for (const auto& batch : batches.Get()) {
    all.insert(all.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(added));
  for (int i = 0; i < added; ++i) EXPECT_EQ(all[i], std::to_string(i));
}

TEST(TelemetryBufferTest, RefusesBeyondMaxWaitingUntilTheyAreSent) {
  Batches batches;
  absl::Notification release;
  batches.BlockOn(&release);
  TelemetryBuffer buffer(
      {/*max_waiting=*/10, /*batch_size=*/100, absl::Hours(1)}, batches.Sink());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AddText(buffer, "kept"));
  EXPECT_FALSE(AddText(buffer, "dropped"));
  EXPECT_EQ(buffer.waiting(), 10u);
  release.Notify();
  ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  EXPECT_TRUE(AddText(buffer, "room again"));
  ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  std::vector<std::string> all;
  for (const auto& batch : batches.Get()) {
    all.insert(all.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(std::count(all.begin(), all.end(), "kept"), 10);
  EXPECT_EQ(std::count(all.begin(), all.end(), "dropped"), 0);
  EXPECT_EQ(std::count(all.begin(), all.end(), "room again"), 1);
}

TEST(TelemetryBufferTest, CloseSendsWhatWaitsAndRefusesLaterAdds) {
  Batches batches;
  TelemetryBuffer buffer({1000, 100, absl::Hours(1)}, batches.Sink());
  ASSERT_TRUE(AddText(buffer, "a"));
  ASSERT_TRUE(AddText(buffer, "b"));
  EXPECT_EQ(buffer.Close(absl::Now() + absl::Seconds(30)), 0u);
  EXPECT_FALSE(AddText(buffer, "late"));
  EXPECT_TRUE(buffer.closed());
  ASSERT_EQ(batches.Get().size(), 1u);
  EXPECT_EQ(batches.Get()[0], (std::vector<std::string>{"a", "b"}));
}

TEST(TelemetryBufferTest, EightThreadsLoseNothingAndKeepEachThreadsOrder) {
  Batches batches;
  TelemetryBuffer buffer({100000, 100, absl::Hours(1)}, batches.Sink());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(AddText(buffer, std::to_string(t * kPerThread + i)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(buffer.Flush(absl::Now() + absl::Seconds(30)));
  std::vector<int> last(kThreads, -1);
  size_t total = 0;
  for (const auto& batch : batches.Get()) {
    EXPECT_LE(batch.size(), 100u);
    for (const std::string& text : batch) {
      const int n = std::stoi(text);
      const int t = n / kPerThread;
      EXPECT_GT(n, last[t]) << "thread " << t << " out of order";
      last[t] = n;
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace sentry::internal
