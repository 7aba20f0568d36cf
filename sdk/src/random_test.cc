#include "sdk/src/random.h"

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

// UUID version 4, RFC 4122 variant, 32 lowercase hex digits.
TEST(RandomTest, EventIdsAreVersionFourUuids) {
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewEventId();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(id[12], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[16]), std::string::npos) << id;
  }
}

// Every byte value, at every position of a 16-byte block (two of them), of
// a word and in the tail that is not a whole word, as its two digits, high
// nibble first.
TEST(RandomTest, HexIntoWritesEachByteAsTwoLowercaseDigitsInOrder) {
  for (size_t size = 0; size <= 37; ++size) {
    for (int first = 0; first < 256; ++first) {
      uint8_t bytes[37];
      for (size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<uint8_t>(first + 37 * i);
      }
      char hex[74];
      HexInto(bytes, size, hex);
      ASSERT_EQ(absl::string_view(hex, 2 * size),
                absl::BytesToHexString(absl::string_view(
                    reinterpret_cast<const char*>(bytes), size)))
          << "size " << size << ", first byte " << first;
    }
  }
}

// Every thread has its own generator, each seeded differently: no id
// repeats, within a thread or across threads.
TEST(RandomTest, EventIdsAreUniqueAcrossThreads) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10000;
  absl::Mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < kPerThread; ++i) mine.push_back(NewEventId());
      absl::MutexLock lock(&mu);
      ids.insert(mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

// A forked child starts from a copy of its parent's generators: it must
// not draw the ids the parent draws next.
TEST(RandomTest, ForkedChildrenDoNotRepeatTheParentsIds) {
  NewEventId();  // This thread's generator exists before the fork.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string id = NewEventId();
    ::_exit(::write(pipe_fds[1], id.data(), id.size()) == 32 ? 0 : 1);
  }
  const std::string parents = NewEventId();
  char childs[32];
  ASSERT_EQ(::read(pipe_fds[0], childs, sizeof(childs)), 32);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_NE(std::string(childs, sizeof(childs)), parents);
}

// Uniform in [0, 1): the mean of 100,000 draws is 0.5 within 5.5 standard
// deviations, and each tenth of the interval gets its share.
TEST(RandomTest, RandomUnitIsUniform) {
  constexpr int kDraws = 100000;
  double sum = 0;
  int deciles[10] = {};
  for (int i = 0; i < kDraws; ++i) {
    const double u = RandomUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    ++deciles[static_cast<int>(u * 10)];
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.005);
  for (int count : deciles) EXPECT_NEAR(count, kDraws / 10, 500);
}

}  // namespace
}  // namespace sentry::internal
