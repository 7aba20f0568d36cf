// WorkDeadline through sentry::Init and a TestTransport: a stuck piece of
// work is reported once, with its thread's own scope and every thread's
// stack; a deadlock of every worker is reported too; work that finishes
// later says so on later events.
#include "sentry/watchdog.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

// ThreadSanitizer runs a signal handler only when the thread passes one of
// its interceptors: a thread blocked in a futex never gives its stack, and
// the others give the sanitizer's frames. The reports are checked there
// without their stacks.
#if defined(__SANITIZE_THREAD__)
constexpr bool kStacks = false;
#else
constexpr bool kStacks = true;
#endif

uint64_t ThisThreadId() { return static_cast<uint64_t>(::syscall(SYS_gettid)); }

// Where the stuck thread waits: its frame must be in the report's stack.
__attribute__((noinline)) void WaitInStuckFunction(absl::Notification* go) {
  go->WaitForNotification();
  asm volatile("" ::: "memory");  // Not a tail call.
}

// Where a deadlocked worker waits (until the test lets it give up).
__attribute__((noinline)) void WaitForTheOtherLock(
    std::timed_mutex& lock, const std::atomic<bool>& give_up) {
  // (Until a system_clock time: pthread_mutex_timedlock, which
  // ThreadSanitizer sees, unlike the clocklock of a steady time.)
  while (!lock.try_lock_until(std::chrono::system_clock::now() +
                              std::chrono::milliseconds(50))) {
    if (give_up.load()) return;
  }
  lock.unlock();
  asm volatile("" ::: "memory");  // Not a tail call.
}

// The functions of a stack, innermost last.
std::vector<std::string> Functions(const protocol::Stacktrace& stack) {
  std::vector<std::string> out;
  for (const auto& frame : stack.frames()) out.push_back(frame.function());
  return out;
}

bool HasFunction(const protocol::Stacktrace& stack, const std::string& name) {
  for (const auto& f : Functions(stack)) {
    if (f.find(name) != std::string::npos) return true;
  }
  return false;
}

class WatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.auto_session_tracking = false;
    guard_.emplace(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    guard_.reset();
    GlobalScope().Clear();
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(WatchdogTest, StuckWorkIsReportedOnceWithItsThreadsScopeAndStacks) {
  absl::Notification go;
  std::atomic<uint64_t> stuck_tid{0};
  std::thread worker([&] {
    // The request's own hub, as the HTTP server integration binds one.
    HubBinding bind(Hub::Main()->Clone());
    ConfigureScope([](Scope& scope) { scope.SetTag("request", "r-7"); });
    AddBreadcrumb("loading the report", "app");
    stuck_tid = ThisThreadId();
    {
      WorkDeadline deadline("render report", absl::Milliseconds(100));
      WaitInStuckFunction(&go);
    }
    CaptureMessage("after the stuck work");
  });
  ASSERT_TRUE(transport_->WaitForEvents(1, absl::Seconds(30)));
  go.Notify();
  worker.join();
  ASSERT_TRUE(Flush(absl::Seconds(10)));

  const auto events = transport_->events();
  ASSERT_EQ(events.size(), 2u);  // Once: the report, then the message.
  const protocol::Event& report = events[0];
  ASSERT_EQ(report.exception().values_size(), 1);
  const protocol::Exception& exception = report.exception().values(0);
  EXPECT_EQ(exception.type(), "StuckWork");
  EXPECT_NE(exception.value().find("\"render report\" still running after"),
            std::string::npos)
      << exception.value();
  EXPECT_NE(exception.value().find("(its deadline: 0.1 s)"), std::string::npos)
      << exception.value();
  EXPECT_EQ(exception.mechanism().type(), "watchdog");
  EXPECT_FALSE(exception.mechanism().handled());
  EXPECT_EQ(exception.thread_id(), stuck_tid.load());
  EXPECT_EQ(report.level(), "error");
  // The stuck thread's hub: its tag and breadcrumb, not the main hub's.
  EXPECT_EQ(report.tags().at("request"), "r-7");
  ASSERT_GE(report.breadcrumbs().values_size(), 1);
  EXPECT_EQ(report.breadcrumbs().values(0).message(), "loading the report");
  // Finished later: the next event on that hub says after how long.
  const protocol::Event& after = events[1];
  EXPECT_EQ(after.logentry().message(), "after the stuck work");
  ASSERT_EQ(after.tags().count("stuck_work"), 1u);
  EXPECT_EQ(after.tags().at("stuck_work").rfind("render report: ", 0), 0u)
      << after.tags().at("stuck_work");
  const auto& crumbs = after.breadcrumbs().values();
  ASSERT_GE(crumbs.size(), 2);
  EXPECT_EQ(crumbs[crumbs.size() - 1].category(), "watchdog");
  EXPECT_NE(crumbs[crumbs.size() - 1].message().find(
                "\"render report\" finished after"),
            std::string::npos);
  // Not the main hub's business.
  EXPECT_EQ(after.tags().at("request"), "r-7");
  // Its stack, as the crashed thread's, and the others' (this one's).
  if (!kStacks) return;
  EXPECT_TRUE(HasFunction(exception.stacktrace(), "WaitInStuckFunction"))
      << ::testing::PrintToString(Functions(exception.stacktrace()));
  bool saw_stuck = false, saw_main = false;
  for (const auto& thread : report.threads().values()) {
    if (thread.id() == stuck_tid.load()) {
      saw_stuck = true;
      EXPECT_TRUE(thread.crashed());
      EXPECT_TRUE(HasFunction(thread.stacktrace(), "WaitInStuckFunction"));
    }
    if (thread.id() == ThisThreadId()) {
      saw_main = true;
      EXPECT_FALSE(thread.crashed());
      EXPECT_TRUE(HasFunction(thread.stacktrace(), "WaitForEvents"))
          << ::testing::PrintToString(Functions(thread.stacktrace()));
    }
  }
  EXPECT_TRUE(saw_stuck);
  EXPECT_TRUE(saw_main);
}

TEST_F(WatchdogTest, EveryWorkerDeadlockedIsStillReported) {
  // Two workers take two locks in opposite orders and wait for each other
  // for good (until the test lets them give up).
  std::timed_mutex a, b;
  std::atomic<bool> give_up{false};
  std::atomic<int> holding{0};
  std::vector<uint64_t> tids(2);
  auto worker = [&](int i, std::timed_mutex& first, std::timed_mutex& second) {
    HubBinding bind(Hub::Main()->Clone());
    ConfigureScope(
        [&](Scope& scope) { scope.SetTag("worker", std::to_string(i)); });
    tids[i] = ThisThreadId();
    WorkDeadline deadline("transfer", absl::Milliseconds(100));
    std::lock_guard<std::timed_mutex> hold(first);
    ++holding;
    while (holding.load() < 2) std::this_thread::yield();
    WaitForTheOtherLock(second, give_up);
  };
  std::thread w0(worker, 0, std::ref(a), std::ref(b));
  std::thread w1(worker, 1, std::ref(b), std::ref(a));
  const bool reported = transport_->WaitForEvents(2, absl::Seconds(30));
  give_up = true;
  w0.join();
  w1.join();
  ASSERT_TRUE(reported);
  const auto events = transport_->events();
  ASSERT_EQ(events.size(), 2u);
  std::vector<std::string> workers;
  for (const auto& event : events) {
    const auto& exception = event.exception().values(0);
    EXPECT_EQ(exception.type(), "StuckWork");
    const std::string worker_tag = event.tags().at("worker");
    workers.push_back(worker_tag);
    EXPECT_EQ(exception.thread_id(), tids[std::stoi(worker_tag)]);
    // Each report shows both workers in their lock waits.
    int in_lock_wait = 0;
    std::string stacks;
    for (const auto& thread : event.threads().values()) {
      if (thread.id() == tids[0] || thread.id() == tids[1]) {
        if (HasFunction(thread.stacktrace(), "WaitForTheOtherLock")) {
          ++in_lock_wait;
        }
        stacks += ::testing::PrintToString(Functions(thread.stacktrace()));
      }
    }
    if (kStacks) EXPECT_EQ(in_lock_wait, 2) << stacks;
  }
  std::sort(workers.begin(), workers.end());
  EXPECT_EQ(workers, (std::vector<std::string>{"0", "1"}));
}

}  // namespace
}  // namespace sentry
