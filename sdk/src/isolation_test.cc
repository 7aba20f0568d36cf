// The isolation guarantees under concurrency, run under ThreadSanitizer in
// CI: the two patterns from Sentry's Go concurrency docs, many threads and
// iterations, every event carrying exactly its own thread's data.
#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

constexpr int kThreads = 8;
constexpr int kIterations = 200;

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.max_queue_size = kThreads * kIterations * 2;
    guard_.emplace(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok());
  }
  void TearDown() override { guard_.reset(); }

  // Every event's tag must name the thread that captured it (the message,
  // "thread-T:I"), and every thread's events must all arrive.
  void ExpectEachEventHasItsOwnTag(int expected) {
    ASSERT_TRUE(guard_->client()->Flush(absl::Seconds(30)));
    auto events = transport_->events();
    ASSERT_EQ(events.size(), static_cast<size_t>(expected));
    std::map<std::string, int> per_thread;
    for (const auto& event : events) {
      ASSERT_EQ(event.tags().count("secretTag"), 1u);
      EXPECT_EQ(event.tags().at("secretTag"), ThreadOf(event));
      ++per_thread[event.tags().at("secretTag")];
    }
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kThreads));
    for (const auto& [thread, count] : per_thread) {
      EXPECT_EQ(count, expected / kThreads) << thread;
    }
  }

  static std::string ThreadOf(const protocol::Event& event) {
    const std::string& message = event.logentry().message();
    return message.substr(0, message.find(':'));
  }
  static int IterationOf(const protocol::Event& event) {
    const std::string& message = event.logentry().message();
    return std::stoi(message.substr(message.find(':') + 1));
  }

  std::shared_ptr<testing::TestTransport> transport_ =
      std::make_shared<testing::TestTransport>();
  std::optional<InitGuard> guard_;
};

// Go calls this pattern "discouraged" because goroutines share one hub.
// Here each thread's first Hub::Current() forks the main hub, so it is safe.
TEST_F(IsolationTest, GlobalCallsFromRawThreadsDoNotLeak) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      const std::string mine = absl::StrCat("thread-", t);
      for (int i = 0; i < kIterations; ++i) {
        ConfigureScope([&](Scope& scope) { scope.SetTag("secretTag", mine); });
        AddBreadcrumb(mine);
        CaptureMessage(absl::StrCat(mine, ":", i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ExpectEachEventHasItsOwnTag(kThreads * kIterations);
  // Iteration i of a thread has added i + 1 breadcrumbs, all its own (the
  // scope keeps the last 100).
  for (const auto& event : transport_->events()) {
    const int iteration = IterationOf(event);
    ASSERT_EQ(event.breadcrumbs().values_size(), std::min(iteration + 1, 100))
        << event.logentry().message();
    for (const auto& crumb : event.breadcrumbs().values()) {
      EXPECT_EQ(crumb.message(), ThreadOf(event)) << event.logentry().message();
    }
  }
}

// Go's "correct" pattern: a clone of the current hub passed to each thread.
TEST_F(IsolationTest, ClonedHubPerThreadDoesNotLeak) {
  ConfigureScope([](Scope& scope) { scope.SetTag("shared", "from-main"); });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, hub = Hub::Current()->Clone()] {
      const std::string mine = absl::StrCat("thread-", t);
      for (int i = 0; i < kIterations; ++i) {
        hub->ConfigureScope(
            [&](Scope& scope) { scope.SetTag("secretTag", mine); });
        hub->WithScope([&](Scope& scope) {
          scope.SetExtra("iteration", i);
          hub->CaptureMessage(absl::StrCat(mine, ":", i));
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ExpectEachEventHasItsOwnTag(kThreads * kIterations);
  // The extra set in WithScope belongs to this capture alone: its iteration.
  for (const auto& event : transport_->events()) {
    EXPECT_EQ(event.tags().at("shared"), "from-main");
    ASSERT_EQ(event.extra().count("iteration"), 1u);
    EXPECT_EQ(event.extra().at("iteration").number_value(), IterationOf(event))
        << event.logentry().message();
  }
}

// One hub shared by many threads (what integrations avoid, but users may do):
// no data race, no lost scope update, every capture delivered. (Pushing
// scopes on a hub shared by threads would interleave their stacks; forks
// are what threads push on.)
TEST_F(IsolationTest, SharedHubIsRaceFree) {
  auto hub = Hub::Current();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, hub] {
      for (int i = 0; i < kIterations; ++i) {
        hub->ConfigureScope([&](Scope& scope) {
          scope.SetTag(absl::StrCat("t", t), absl::StrCat(i));
        });
        auto fork = hub->Clone();
        auto guard = fork->PushScope();
        fork->AddBreadcrumb("b");
        hub->CaptureMessage("m");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(guard_->client()->Flush(absl::Seconds(30)));
  EXPECT_EQ(transport_->event_count(),
            static_cast<size_t>(kThreads * kIterations));
  std::map<std::string, std::string> final_tags;
  hub->ConfigureScope([&](Scope& scope) { final_tags = scope.tags(); });
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(final_tags[absl::StrCat("t", t)], absl::StrCat(kIterations - 1));
  }
}

}  // namespace
}  // namespace sentry
