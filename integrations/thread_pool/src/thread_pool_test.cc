#include "sentry/integrations/thread_pool.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "sentry/integrations/asio.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

// A minimal fixed-size pool with a Submit method, like many in the wild.
class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~Pool() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (auto& worker : workers_) worker.join();
  }
  void Submit(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Pool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
              return p->stop_ || !p->tasks_.empty();
            },
            this));
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

class ThreadPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.max_queue_size = 20000;
    options.traces_sample_rate = 1.0;
    guard_ = std::make_unique<InitGuard>(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok());
  }
  void TearDown() override { guard_.reset(); }

  std::vector<protocol::Event> Events(size_t n) {
    EXPECT_TRUE(transport_->WaitForEvents(n, absl::Seconds(60)));
    return transport_->events();
  }

  // Task i (its message) was submitted while the submitter's scope had
  // submitted=i, and set set_by_i itself: exactly those two tags.
  void ExpectEachTaskHasOnlyItsOwnTags(size_t tasks) {
    const auto events = Events(tasks);
    ASSERT_EQ(events.size(), tasks);
    for (const auto& event : events) {
      const std::string& id = event.logentry().message();
      EXPECT_EQ(event.tags().at("submitted"), id);
      EXPECT_EQ(event.tags().at("set_by_" + id), "yes");
      EXPECT_EQ(event.tags().size(), 2u) << id;
    }
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::unique_ptr<InitGuard> guard_;
};

TEST_F(ThreadPoolTest, TenThousandTasksEachSeeOnlyTheirOwnData) {
  constexpr int kTasks = 10000;
  {
    Pool pool(4);
    auto executor = PropagateHubs(pool);
    for (int i = 0; i < kTasks; ++i) {
      // The submitter's scope at submit time travels with the task.
      ConfigureScope(
          [i](Scope& scope) { scope.SetTag("submitted", absl::StrCat(i)); });
      executor.Submit([i] {
        ConfigureScope([i](Scope& scope) {
          scope.SetTag("task", absl::StrCat(i));
          scope.SetTag(absl::StrCat("set_by_", i), "yes");
          protocol::User user;
          user.set_id(absl::StrCat(i));
          scope.SetUser(user);
        });
        CaptureMessage(absl::StrCat(i));
      });
    }
  }
  const auto events = Events(kTasks);
  ASSERT_EQ(events.size(), static_cast<size_t>(kTasks));
  std::vector<bool> seen(kTasks, false);
  for (const auto& event : events) {
    int i = -1;
    ASSERT_TRUE(absl::SimpleAtoi(event.logentry().message(), &i));
    ASSERT_TRUE(i >= 0 && i < kTasks);
    seen[i] = true;
    const std::string id = absl::StrCat(i);
    EXPECT_EQ(event.tags().at("task"), id);
    EXPECT_EQ(event.tags().at("submitted"), id);
    EXPECT_EQ(event.user().id(), id);
    // Exactly one set_by_ tag: its own. Nothing from an earlier task on the
    // same worker.
    int set_by = 0;
    for (const auto& [key, value] : event.tags()) {
      if (key.rfind("set_by_", 0) == 0) {
        ++set_by;
        EXPECT_EQ(key, "set_by_" + id);
      }
    }
    EXPECT_EQ(set_by, 1);
  }
  for (int i = 0; i < kTasks; ++i) ASSERT_TRUE(seen[i]) << i;
  // The submitter's own scope was not touched by any task.
  CaptureMessage("submitter");
  const auto all = Events(kTasks + 1);
  for (const auto& event : all) {
    if (event.logentry().message() != "submitter") continue;
    EXPECT_EQ(event.tags().count("task"), 0u);
    EXPECT_FALSE(event.has_user());
  }
}

TEST_F(ThreadPoolTest, WorkersHubIsRestoredEvenWhenTheTaskThrows) {
  const auto before = Hub::Current();
  auto ok = BindHub([] { EXPECT_NE(Hub::Current(), nullptr); });
  ok();
  EXPECT_EQ(Hub::Current(), before);
  auto throws = BindHub([]() -> int { throw std::runtime_error("boom"); });
  EXPECT_THROW(throws(), std::runtime_error);
  EXPECT_EQ(Hub::Current(), before);
  // Without capture_exceptions nothing was reported.
  CaptureMessage("marker");
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].logentry().message(), "marker");
}

// What a pool's worker does with a task; never inlined, so it is a frame
// in every build mode.
template <typename Task>
__attribute__((noinline)) void RunTheTaskOnAWorker(Task& task) {
  EXPECT_THROW(task(), std::logic_error);
}

TEST_F(ThreadPoolTest, OptInCaptureOfTaskExceptionsRethrows) {
  ConfigureScope([](Scope& scope) { scope.SetTag("job", "resize"); });
  BindOptions options;
  options.capture_exceptions = true;
  auto task =
      BindHub([]() -> int { throw std::logic_error("bad input"); }, options);
  std::thread worker([&] { RunTheTaskOnAWorker(task); });
  worker.join();
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& value = events[0].exception().values(0);
  EXPECT_EQ(value.type(), "std::logic_error");
  EXPECT_EQ(value.value(), "bad input");
  EXPECT_EQ(value.mechanism().type(), "thread_pool");
  EXPECT_FALSE(value.mechanism().handled());
  EXPECT_EQ(events[0].tags().at("job"), "resize");
  // The SDK's wrapper that caught the exception is not the culprit: the
  // newest frame is the code that ran the task, and no SDK frame is in-app.
  const auto& frames = value.stacktrace().frames();
  ASSERT_GE(frames.size(), 1);
  EXPECT_TRUE(
      absl::StrContains(frames.rbegin()->function(), "RunTheTaskOnAWorker"))
      << frames.rbegin()->function();
  EXPECT_TRUE(frames.rbegin()->in_app());
  for (const auto& frame : frames) {
    if (absl::StartsWith(frame.function(), "sentry::") &&
        !absl::StartsWith(frame.function(), "sentry::(anonymous namespace)")) {
      EXPECT_FALSE(frame.in_app()) << frame.function();
    }
  }
}

// Where the stuck task waits: its frame must be in the report.
__attribute__((noinline)) void ResizeWaitingForStorage(absl::Notification* go) {
  go->WaitForNotification();
  asm volatile("" ::: "memory");  // Not a tail call.
}

TEST_F(ThreadPoolTest, AStuckTaskIsReportedOnceWithItsOwnScope) {
  ConfigureScope([](Scope& scope) { scope.SetTag("submitter", "main"); });
  absl::Notification go;
  BindOptions options;
  options.deadline = absl::Milliseconds(100);
  options.task_name = "resize image";
  {
    Pool pool(2);
    pool.Submit(BindHub(
        [&go] {
          ConfigureScope([](Scope& scope) { scope.SetTag("image", "i-42"); });
          ResizeWaitingForStorage(&go);
        },
        options));
    // A task that finishes in time is not reported.
    pool.Submit(BindHub([] {}, options));
    const bool reported = transport_->WaitForEvents(1, absl::Seconds(60));
    go.Notify();
    ASSERT_TRUE(reported);
  }
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto events = transport_->events();
  ASSERT_EQ(events.size(), 1u);
  const auto& exception = events[0].exception().values(0);
  EXPECT_EQ(exception.type(), "StuckWork");
  EXPECT_TRUE(absl::StrContains(exception.value(), "\"resize image\""))
      << exception.value();
  EXPECT_EQ(exception.mechanism().type(), "watchdog");
  // The task's own scope: its tag and its submitter's.
  EXPECT_EQ(events[0].tags().at("image"), "i-42");
  EXPECT_EQ(events[0].tags().at("submitter"), "main");
#if !defined(__SANITIZE_THREAD__)  // (no stacks there: watchdog_test.cc)
  bool in_stack = false;
  for (const auto& frame : exception.stacktrace().frames()) {
    in_stack |= absl::StrContains(frame.function(), "ResizeWaitingForStorage");
  }
  EXPECT_TRUE(in_stack);
#endif
}

TEST_F(ThreadPoolTest, NestedSubmissionPropagatesFromTheTask) {
  Pool pool(2);
  auto executor = PropagateHubs(pool);
  absl::Notification done;
  executor.Submit([&] {
    ConfigureScope([](Scope& scope) { scope.SetTag("outer", "1"); });
    executor.Submit([&] {
      ConfigureScope([](Scope& scope) { scope.SetTag("inner", "1"); });
      CaptureMessage("inner");
      done.Notify();
    });
    CaptureMessage("outer");
  });
  done.WaitForNotification();
  const auto events = Events(2);
  for (const auto& event : events) {
    EXPECT_EQ(event.tags().at("outer"), "1");
    if (event.logentry().message() == "outer") {
      EXPECT_EQ(event.tags().count("inner"), 0u);
    }
  }
}

TEST_F(ThreadPoolTest, RepeatedRunsOfOneTaskDoNotShareScope) {
  std::function<void(int)> task = BindHub([](int run) {
    ConfigureScope(
        [run](Scope& scope) { scope.SetTag(absl::StrCat("run", run), "yes"); });
    CaptureMessage(absl::StrCat(run));
  });
  std::thread([&] {
    task(1);
    task(2);
  }).join();
  const auto events = Events(2);
  ASSERT_EQ(events.size(), 2u);
  for (const auto& event : events) {
    const std::string& run = event.logentry().message();
    const std::string other = run == "1" ? "run2" : "run1";
    EXPECT_EQ(event.tags().at("run" + run), "yes") << run;
    EXPECT_EQ(event.tags().count(other), 0u) << run;
  }
}

TEST_F(ThreadPoolTest, ThreadForksItsCreatorsHubNotTheMainHub) {
  ConfigureScope([](Scope& scope) { scope.SetTag("creator", "main"); });
  std::thread([] {
    // A plain thread's own hub, with data the main hub does not have.
    ConfigureScope([](Scope& scope) { scope.SetTag("creator", "worker"); });
    Thread child([] { CaptureMessage("child"); });
    ConfigureScope([](Scope& scope) { scope.SetTag("after_start", "yes"); });
    child.join();
  }).join();
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].tags().at("creator"), "worker");
  EXPECT_EQ(events[0].tags().count("after_start"), 0u);
}

// The submitter's active span is active in the task (on a pool, on a
// sentry::Thread and through Asio): children the task starts are its
// children, and the task's events carry its trace.
TEST_F(ThreadPoolTest, TasksRunWithTheSubmittersActiveSpan) {
  Span transaction = StartTransaction({"batch", "task"});
  std::vector<std::string> parents(3);
  {
    SpanGuard active(transaction);
    auto child_of_active = [](std::string* parent) {
      return [parent] {
        Span active;
        ConfigureScope([&](Scope& scope) { active = scope.GetSpan(); });
        Span work = active.StartChild("work");
        *parent = active.span_id();
        work.Finish();
        CaptureMessage("in task");
      };
    };
    {
      Pool pool(2);
      pool.Submit(BindHub(child_of_active(&parents[0])));
    }  // Runs it, then joins.
    Thread thread(child_of_active(&parents[1]));
    thread.join();
    boost::asio::io_context context;
    boost::asio::post(asio::PropagateHubs(context.get_executor()),
                      child_of_active(&parents[2]));
    context.run();
  }
  transaction.Finish();
  for (const auto& parent : parents) EXPECT_EQ(parent, transaction.span_id());
  const auto events = Events(3);
  for (const auto& event : events) {
    EXPECT_EQ(
        event.contexts().at("trace").fields().at("span_id").string_value(),
        transaction.span_id());
  }
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  for (const auto& t : transport_->transactions()) {
    if (t.transaction() != "batch") continue;
    ASSERT_EQ(t.spans_size(), 3);
    for (const auto& span : t.spans()) {
      EXPECT_EQ(span.parent_span_id(), transaction.span_id());
    }
  }
}

TEST_F(ThreadPoolTest, AsioThreadPoolExecutorPropagates) {
  constexpr int kTasks = 1000;
  {
    boost::asio::thread_pool pool(4);
    auto executor = asio::PropagateHubs(pool.get_executor());
    for (int i = 0; i < kTasks; ++i) {
      ConfigureScope(
          [i](Scope& scope) { scope.SetTag("submitted", absl::StrCat(i)); });
      boost::asio::post(executor, [i] {
        ConfigureScope([i](Scope& scope) {
          scope.SetTag(absl::StrCat("set_by_", i), "yes");
        });
        CaptureMessage(absl::StrCat(i));
      });
    }
    pool.join();
  }
  ExpectEachTaskHasOnlyItsOwnTags(kTasks);
}

TEST_F(ThreadPoolTest, AsioIoContextExecutorPropagates) {
  boost::asio::io_context context;
  auto executor = asio::PropagateHubs(context.get_executor());
  for (int i = 0; i < 100; ++i) {
    ConfigureScope(
        [i](Scope& scope) { scope.SetTag("submitted", absl::StrCat(i)); });
    boost::asio::post(executor, [i] {
      ConfigureScope([i](Scope& scope) {
        scope.SetTag(absl::StrCat("set_by_", i), "yes");
      });
      CaptureMessage(absl::StrCat(i));
    });
  }
  std::thread a([&] { context.run(); });
  std::thread b([&] { context.run(); });
  a.join();
  b.join();
  ExpectEachTaskHasOnlyItsOwnTags(100);
}

}  // namespace
}  // namespace sentry
