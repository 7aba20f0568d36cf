#include "sdk/src/chunked_queue.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace sentry::internal
