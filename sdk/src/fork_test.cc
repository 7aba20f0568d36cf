// Processes that fork while other threads capture: the child neither
// deadlocks nor crashes when it uses and closes the SDK (which is disabled
// there), and the parent's events are all delivered, once, by the parent.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <new>
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

// What forked children did with the SDK, counted across processes (in
// memory shared with them).
struct InChildren {
  std::atomic<int> callbacks{0};  // User callbacks that ran in a child.
  std::atomic<int> sends{0};      // Envelopes a child's transport got.
};

InChildren* SharedCounts() {
  void* memory = ::mmap(nullptr, sizeof(InChildren), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return memory == MAP_FAILED ? nullptr : new (memory) InChildren();
}

// The test transport, and a count of what reaches it in a child.
class CountingTransport final : public Transport {
 public:
  CountingTransport(std::shared_ptr<testing::TestTransport> inner, pid_t parent,
                    InChildren* children)
      : inner_(std::move(inner)), parent_(parent), children_(children) {}
  void Start(std::shared_ptr<ClientReports> reports) noexcept override {
    inner_->Start(std::move(reports));
  }
  void SendEnvelope(Envelope envelope) noexcept override {
    if (::getpid() != parent_) {
      ++children_->sends;
      return;  // (the test transport's lock may be held for good there)
    }
    inner_->SendEnvelope(std::move(envelope));
  }
  bool Flush(absl::Duration timeout) noexcept override {
    return inner_->Flush(timeout);
  }
  bool Shutdown(absl::Duration timeout) noexcept override {
    return inner_->Shutdown(timeout);
  }

 private:
  std::shared_ptr<testing::TestTransport> inner_;
  pid_t parent_;
  InChildren* children_;
};

// What a forked child does with the SDK before it exits: capture, scope,
// breadcrumbs, flush and close, as a pre-fork server's worker might. The
// flush and close are given a minute: a child that waited for them would
// outlive WaitFor's bound.
[[noreturn]] void UseTheSdkInTheChild(InitGuard& guard) {
  ConfigureScope([](Scope& scope) { scope.SetTag("process", "child"); });
  AddBreadcrumb("in the child");
  const bool captured = !CaptureMessage("from the child").empty();
  const bool flushed = Flush(absl::Seconds(60));
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
  InChildren* children = SharedCounts();
  ASSERT_NE(children, nullptr);
  const pid_t parent = ::getpid();
  auto transport = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport =
      std::make_shared<CountingTransport>(transport, parent, children);
  options.max_queue_size = 100000;
  options.shutdown_timeout = absl::Seconds(60);
  options.debug = true;
  // Callbacks must not run in a child (they would report the parent's
  // state twice, or deadlock on a lock a parent's thread held).
  const auto in_child = [parent, children] {
    if (::getpid() != parent) ++children->callbacks;
  };
  options.before_send = [in_child](protocol::Event&) {
    in_child();
    return true;
  };
  options.before_breadcrumb = [in_child](protocol::Breadcrumb&) {
    in_child();
    return true;
  };
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
    int log_pipe[2];  // The child's stderr: its debug log.
    ASSERT_EQ(::pipe2(log_pipe, O_NONBLOCK), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::dup2(log_pipe[1], STDERR_FILENO);
      UseTheSdkInTheChild(guard);
    }
    ::close(log_pipe[1]);
    EXPECT_EQ(WaitFor(child, absl::Seconds(10)), 0) << "child " << k;
    // The child said why it sent nothing.
    std::string log;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(log_pipe[0], buffer, sizeof(buffer))) > 0) {
      log.append(buffer, static_cast<size_t>(n));
    }
    ::close(log_pipe[0]);
    EXPECT_NE(log.find("forked child: the SDK is disabled in this process"),
              std::string::npos)
        << "child " << k << ": " << log;
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
  }
  // The children sent nothing (the parent's queue stays the parent's) and
  // ran no callback.
  EXPECT_EQ(children->sends.load(), 0);
  EXPECT_EQ(children->callbacks.load(), 0);
}

}  // namespace
}  // namespace sentry
