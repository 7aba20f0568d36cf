// Processes that fork while other threads capture: the child neither
// deadlocks nor crashes when it uses and closes the SDK (which is disabled
// there), and the parent's events are all delivered, once, by the parent.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

// What a forked child does with the SDK before it exits: capture, scope,
// breadcrumbs, flush and close, as a pre-fork server's worker might.
[[noreturn]] void UseTheSdkInTheChild(InitGuard& guard) {
  ConfigureScope([](Scope& scope) { scope.SetTag("process", "child"); });
  AddBreadcrumb("in the child");
  const bool captured = !CaptureMessage("from the child").empty();
  const bool flushed = Flush(absl::Seconds(1));
  guard.Close();
  // Disabled: nothing is captured or flushed.
  ::_exit(captured || flushed ? 1 : 0);
}

// Waits for `child` up to `timeout`; its exit code, or -1 when it hangs
// (then it is killed) or dies of a signal.
int WaitFor(pid_t child, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      return -1;
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ForkTest, ChildrenForkedWhileThreadsCaptureAreSafeAndSilent) {
  auto transport = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = transport;
  options.max_queue_size = 100000;
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok());

  constexpr int kThreads = 3;
  std::atomic<bool> stop{false};
  std::atomic<int> captured{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        AddBreadcrumb("parent");
        if (!CaptureMessage(absl::StrCat("parent ", t, ":", i)).empty()) {
          ++captured;
        }
      }
    });
  }
  // Fork while the others capture: each child must exit on its own.
  for (int k = 0; k < 20; ++k) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) UseTheSdkInTheChild(guard);
    EXPECT_EQ(WaitFor(child, absl::Seconds(10)), 0) << "child " << k;
  }
  stop = true;
  for (auto& thread : threads) thread.join();

  // The parent still works, and its events are all there, once.
  ASSERT_FALSE(CaptureMessage("parent after the forks").empty());
  ASSERT_TRUE(Flush(absl::Seconds(30)));
  const auto events = transport->events();
  EXPECT_EQ(events.size(), static_cast<size_t>(captured.load()) + 1);
  for (const auto& event : events) {
    EXPECT_EQ(event.logentry().message().rfind("parent", 0), 0u)
        << event.logentry().message();
    EXPECT_EQ(event.tags().count("process"), 0u);
  }
}

}  // namespace
}  // namespace sentry
