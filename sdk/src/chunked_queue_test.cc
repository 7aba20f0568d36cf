#include "sdk/src/chunked_queue.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "gtest/gtest.h"

// Counts this test binary's allocations.
std::atomic<int64_t> g_allocations{0};

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size != 0 ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace sentry::internal {
namespace {

TEST(ChunkedQueueTest, ElementsComeOutInOrderAcrossChunks) {
  ChunkedQueue<int, 4> queue;
  for (int i = 0; i < 10; ++i) queue.push_back(i);
  EXPECT_EQ(queue.size(), 10u);
  auto batch = queue.TakeAll();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(batch.size(), 10u);
  std::vector<int> seen;
  batch.Drain([&](int& i) { seen.push_back(i); });
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // Pushed after a take: a new batch, still in order.
  queue.Recycle(std::move(batch));
  queue.push_back(10);
  queue.push_back(11);
  seen.clear();
  queue.TakeAll().Drain([&](int& i) { seen.push_back(i); });
  EXPECT_EQ(seen, (std::vector<int>{10, 11}));
}

// Memory follows the queue: a chunk's elements are destroyed as soon as the
// consumer is done with that chunk, not at the end of the batch.
TEST(ChunkedQueueTest, DrainDestroysEachChunkOnceItIsDone) {
  auto alive = std::make_shared<int>(0);
  struct Counted {
    explicit Counted(std::shared_ptr<int> n) : alive(std::move(n)) { ++*alive; }
    Counted(Counted&& other) noexcept : alive(std::move(other.alive)) {}
    ~Counted() {
      if (alive) --*alive;
    }
    std::shared_ptr<int> alive;
  };
  ChunkedQueue<Counted, 4> queue;
  for (int i = 0; i < 12; ++i) queue.push_back(Counted(alive));
  EXPECT_EQ(*alive, 12);
  auto batch = queue.TakeAll();
  std::vector<int> alive_at;
  batch.Drain([&](Counted&) { alive_at.push_back(*alive); });
  EXPECT_EQ(alive_at,
            (std::vector<int>{12, 12, 12, 12, 8, 8, 8, 8, 4, 4, 4, 4}));
  EXPECT_EQ(*alive, 0);
}

// In a steady state the producer reuses the consumer's chunks: the same
// storage, nothing allocated.
TEST(ChunkedQueueTest, RecycledChunksAreReused) {
  ChunkedQueue<int, 4, 2> queue;
  queue.push_back(1);
  auto batch = queue.TakeAll();
  const int* first = nullptr;
  batch.Drain([&](int& i) { first = &i; });
  queue.Recycle(std::move(batch));
  queue.push_back(2);
  const int* second = nullptr;
  queue.TakeAll().Drain([&](int& i) { second = &i; });
  EXPECT_EQ(first, second);
}

// Each capture finds the queue empty at the rates servers capture at (the
// worker took the last one): neither its chunk nor the list of chunks is
// allocated then, and the consumer frees nothing.
TEST(ChunkedQueueTest, ASteadyStateAllocatesNothing) {
  ChunkedQueue<int, 4, 2> queue;
  auto cycle = [&queue](int pushes) {
    for (int i = 0; i < pushes; ++i) queue.push_back(i);
    auto batch = queue.TakeAll();
    batch.Drain([](int&) {});
    queue.Recycle(std::move(batch));
  };
  // The first two cycles make the chunk and the two lists of chunks.
  cycle(1);
  cycle(1);
  const int64_t before = g_allocations.load();
  for (int round = 0; round < 100; ++round) cycle(1 + round % 3);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

// emplace_back's element is the one the consumer sees: filled in place,
// never moved.
TEST(ChunkedQueueTest, EmplacedElementsAreFilledInPlace) {
  ChunkedQueue<int, 4> queue;
  std::vector<const int*> filled;
  for (int i = 0; i < 6; ++i) {
    int& slot = queue.emplace_back();
    slot = 100 + i;
    filled.push_back(&slot);
  }
  EXPECT_EQ(queue.size(), 6u);
  std::vector<const int*> drained;
  std::vector<int> values;
  queue.TakeAll().Drain([&](int& i) {
    drained.push_back(&i);
    values.push_back(i);
  });
  EXPECT_EQ(drained, filled);
  EXPECT_EQ(values, (std::vector<int>{100, 101, 102, 103, 104, 105}));
}

}  // namespace
}  // namespace sentry::internal
