// What a capture, a transaction's finish, a log and a metric allocate on the
// calling thread, counted by this test binary's operator new: at the rates
// servers capture at, each allocation finds the allocator's code and lists
// out of the caches, and memory the capturing thread allocates and the
// worker frees crosses between threads.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"
#include "sentry/tracing.h"

namespace {
// This thread's allocations (trivially constructed: no allocation of its
// own on first use).
thread_local int64_t t_allocations = 0;

void* Allocate(size_t size, size_t alignment) {
  ++t_allocations;
  if (size == 0) size = 1;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(alignment, (size + alignment - 1) /
                                                    alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(size_t size) { return Allocate(size, 0); }
void* operator new[](size_t size) { return Allocate(size, 0); }
void* operator new(size_t size, std::align_val_t alignment) {
  return Allocate(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return Allocate(size, static_cast<size_t>(alignment));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace sentry {
namespace {

class CaptureAllocationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.traces_sample_rate = 1.0;
    guard_.emplace(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
    // A thread that has captured before, whose captures were all taken by
    // the worker: its hub, and the queue's spare chunk and lists, exist
    // (the second batch gives the queue its spare list).
    for (int i = 0; i < 2; ++i) {
      CaptureMessage("warm-up");
      ASSERT_TRUE(Flush(absl::Seconds(10)));
    }
  }

  // The allocations made on this thread by capturing `message`, with
  // the queue empty.
  int64_t AllocationsOfCapturing(const std::string& message, EventId* id) {
    const int64_t before = t_allocations;
    *id = CaptureMessage(message);
    return t_allocations - before;
  }

  // The last event sent (after the two warm-ups) is `message`'s, whole,
  // under the id its capture returned.
  void ExpectSentWhole(const std::string& message, const EventId& id) {
    ASSERT_EQ(id.size(), 32u);
    ASSERT_TRUE(Flush(absl::Seconds(10)));
    const auto events = transport_->events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[2].event_id(), id.view());
    EXPECT_EQ(events[2].logentry().message(), message);
  }

  std::shared_ptr<testing::TestTransport> transport_ =
      std::make_shared<testing::TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(CaptureAllocationsTest, AMessageThatFitsItsQueueSlotAllocatesNothing) {
  const std::string message(128, 'a');  // the slot's room for text
  EventId id;
  EXPECT_EQ(AllocationsOfCapturing(message, &id), 0);
  ExpectSentWhole(message, id);
}

TEST_F(CaptureAllocationsTest, ALongerMessageAllocatesOnlyItsText) {
  const std::string message = std::string(128, 'b') + "c";
  EventId id;
  EXPECT_EQ(AllocationsOfCapturing(message, &id), 1);
  ExpectSentWhole(message, id);
}

// A transaction with 10 finished children, started on this thread.
Span TransactionWithChildren(const std::string& name) {
  Span transaction = StartTransaction({name, "task"});
  for (int i = 0; i < 10; ++i) {
    transaction.StartChild("db.query", "SELECT 1").Finish();
  }
  return transaction;
}

TEST_F(CaptureAllocationsTest, FinishingATransactionAllocatesNothing) {
  // As for a capture: the queue's spare chunk and lists exist.
  for (int i = 0; i < 2; ++i) {
    TransactionWithChildren("warm-up").Finish();
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  Span transaction = TransactionWithChildren("checkout");
  const int64_t before = t_allocations;
  transaction.Finish();
  EXPECT_EQ(t_allocations - before, 0);
  // Sent whole: its name, trace and all its children.
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto transactions = transport_->transactions();
  ASSERT_EQ(transactions.size(), 3u);
  const protocol::Event& sent = transactions[2];
  EXPECT_EQ(sent.transaction(), "checkout");
  EXPECT_EQ(sent.contexts().at("trace").fields().at("trace_id").string_value(),
            transaction.trace_id());
  ASSERT_EQ(sent.spans_size(), 10);
  for (const auto& span : sent.spans()) {
    EXPECT_EQ(span.op(), "db.query");
    EXPECT_EQ(span.trace_id(), transaction.trace_id());
  }
}

// A log and a metric copy their arguments into records the buffer reuses:
// once this thread has recorded a batch's worth, and the SDK's thread has
// taken them, neither allocates, and each is sent whole.
TEST_F(CaptureAllocationsTest, ALogAndAMetricAllocateNothingOnReusedRecords) {
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 100; ++i) {
      logger::Info({{"queue", "billing"}, {"shard", 7}}, "job $0 took $1 ms", i,
                   12.5);
      metrics::Count("jobs.done", 1, {{"queue", "billing"}, {"shard", "7"}});
    }
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  const int64_t before = t_allocations;
  logger::Info({{"queue", "refunds"}, {"shard", 8}}, "job $0 took $1 ms", 200,
               7.25);
  metrics::Count("jobs.done", 3, {{"queue", "refunds"}, {"shard", "8"}});
  EXPECT_EQ(t_allocations - before, 0);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 201u);
  EXPECT_EQ(testing::RecordField(logs.back(), "body"), "job 200 took 7.25 ms");
  EXPECT_EQ(testing::RecordAttribute(logs.back(), "queue"), "string:refunds");
  EXPECT_EQ(testing::RecordAttribute(logs.back(), "shard"), "integer:8");
  const auto metrics = transport_->metrics();
  ASSERT_EQ(metrics.size(), 201u);
  EXPECT_EQ(testing::RecordField(metrics.back(), "value"), "3");
  EXPECT_EQ(testing::RecordAttribute(metrics.back(), "queue"),
            "string:refunds");
  EXPECT_EQ(testing::RecordAttribute(metrics.back(), "shard"), "string:8");
}

}  // namespace
}  // namespace sentry
