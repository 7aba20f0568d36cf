// Tests of the public API through sentry::Init, a TestTransport and the
// free functions: scopes, hubs, the event pipeline and its drops.
#include "sentry/hub.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

class HubTest : public ::testing::Test {
 protected:
  void Init(Options options = Options()) {
    options.transport = transport_;
    options.server_name = "test-host";
    guard_.emplace(sentry::Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    guard_.reset();
    GlobalScope().Clear();
  }
  // Inits with `options` and a worker that takes one event ("first") and
  // then waits in before_send for `release`: later captures stay queued.
  void InitWithWorkerBlocked(Options options, absl::Notification* release) {
    auto entered = std::make_shared<absl::Notification>();
    options.before_send = [entered, release](protocol::Event&) {
      if (!entered->HasBeenNotified()) entered->Notify();
      release->WaitForNotification();
      return true;
    };
    Init(std::move(options));
    CaptureMessage("first");
    entered->WaitForNotification();
  }
  std::vector<protocol::Event> Events(size_t n) {
    EXPECT_TRUE(transport_->WaitForEvents(n, absl::Seconds(10)));
    EXPECT_TRUE(sentry::Flush(absl::Seconds(10)));
    return transport_->events();
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(HubTest, CapturesMessageWithScopeData) {
  Options options;
  options.release = "app@1.0";
  options.environment = "staging";
  options.dist = "x86";
  Init(std::move(options));
  ConfigureScope([](Scope& scope) {
    scope.SetTag("a", "1");
    scope.SetExtra("n", 3);
    protocol::User user;
    user.set_id("7");
    scope.SetUser(user);
    scope.SetFingerprint({"{{ default }}", "x"});
    scope.SetTransactionName("/checkout");
  });
  AddBreadcrumb("first", "nav");
  const std::string id = CaptureMessage("hello", Level::kWarning);
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(LastEventId(), id);
  auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& e = events[0];
  EXPECT_EQ(e.event_id(), id);
  EXPECT_EQ(e.level(), "warning");
  EXPECT_EQ(e.platform(), "native");
  EXPECT_EQ(e.logentry().message(), "hello");
  EXPECT_EQ(e.tags().at("a"), "1");
  EXPECT_EQ(e.extra().at("n").number_value(), 3);
  EXPECT_EQ(e.user().id(), "7");
  EXPECT_EQ(e.release(), "app@1.0");
  EXPECT_EQ(e.environment(), "staging");
  EXPECT_EQ(e.dist(), "x86");
  EXPECT_EQ(e.server_name(), "test-host");
  EXPECT_EQ(e.transaction(), "/checkout");
  ASSERT_EQ(e.fingerprint_size(), 2);
  ASSERT_EQ(e.breadcrumbs().values_size(), 1);
  EXPECT_EQ(e.breadcrumbs().values(0).message(), "first");
  EXPECT_GT(e.breadcrumbs().values(0).timestamp(), 0);
  EXPECT_EQ(e.sdk().name(), kSdkName);
  EXPECT_TRUE(e.contexts().count("os"));
  EXPECT_GT(e.timestamp(), 1.6e9);
}

TEST_F(HubTest, CapturesExceptions) {
  Init();
  CaptureException(std::out_of_range("index 9"));
  CaptureException(std::make_exception_ptr(std::runtime_error("boom")));
  CaptureException(std::make_exception_ptr(42));
  auto events = Events(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].exception().values(0).type(), "std::out_of_range");
  EXPECT_EQ(events[0].exception().values(0).value(), "index 9");
  EXPECT_EQ(events[0].level(), "error");
  EXPECT_EQ(events[0].exception().values(0).mechanism().type(), "generic");
  EXPECT_TRUE(events[0].exception().values(0).mechanism().handled());
  EXPECT_EQ(events[1].exception().values(0).type(), "std::runtime_error");
  EXPECT_EQ(events[2].exception().values(0).type(), "int");
}

TEST_F(HubTest, EventDataWinsOverScope) {
  Init();
  ConfigureScope([](Scope& scope) {
    scope.SetTag("k", "scope");
    scope.SetTag("only-scope", "yes");
  });
  GlobalScope().SetTag("k", "global");
  GlobalScope().SetTag("only-global", "yes");
  protocol::Event event;
  (*event.mutable_tags())["k"] = "event";
  CaptureEvent(event);
  auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].tags().at("k"), "event");
  EXPECT_EQ(events[0].tags().at("only-scope"), "yes");
  EXPECT_EQ(events[0].tags().at("only-global"), "yes");
}

TEST_F(HubTest, ScopeLevelOverridesAndGlobalBreadcrumbsMerge) {
  Init();
  GlobalScope().SetLevel(Level::kDebug);
  GlobalScope().AddBreadcrumb([] {
    protocol::Breadcrumb b;
    b.set_message("global");
    b.set_timestamp(1.0);
    return b;
  }());
  AddBreadcrumb("local");
  CaptureMessage("m", Level::kInfo);
  ConfigureScope([](Scope& s) { s.SetLevel(Level::kFatal); });
  CaptureMessage("m2", Level::kInfo);
  auto events = Events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].level(), "debug");
  EXPECT_EQ(events[1].level(), "fatal");
  ASSERT_EQ(events[0].breadcrumbs().values_size(), 2);
  EXPECT_EQ(events[0].breadcrumbs().values(0).message(), "global");
  EXPECT_EQ(events[0].breadcrumbs().values(1).message(), "local");
}

TEST_F(HubTest, BreadcrumbsKeepNewest) {
  Options options;
  options.max_breadcrumbs = 3;
  Init(std::move(options));
  for (int i = 0; i < 10; ++i) AddBreadcrumb(std::to_string(i));
  CaptureMessage("m");
  auto events = Events(1);
  ASSERT_EQ(events[0].breadcrumbs().values_size(), 3);
  EXPECT_EQ(events[0].breadcrumbs().values(0).message(), "7");
  EXPECT_EQ(events[0].breadcrumbs().values(2).message(), "9");
}

// The default keeps the newest 100, in the event and in the scope itself.
TEST_F(HubTest, DefaultMaxBreadcrumbsIs100) {
  Init();
  for (int i = 0; i < 150; ++i) AddBreadcrumb(std::to_string(i));
  size_t in_scope = 0;
  ConfigureScope([&](Scope& scope) { in_scope = scope.breadcrumb_count(); });
  EXPECT_EQ(in_scope, 100u);
  CaptureMessage("m");
  auto events = Events(1);
  ASSERT_EQ(events[0].breadcrumbs().values_size(), 100);
  EXPECT_EQ(events[0].breadcrumbs().values(0).message(), "50");
  EXPECT_EQ(events[0].breadcrumbs().values(99).message(), "149");
}

// A scope's own buffer never holds more than its limit.
TEST(ScopeTest, BreadcrumbBufferHoldsAtMostTheLimit) {
  Scope scope;
  for (int i = 0; i < 10; ++i) {
    protocol::Breadcrumb crumb;
    crumb.set_message(std::to_string(i));
    scope.AddBreadcrumb(std::move(crumb), 4);
    EXPECT_EQ(scope.breadcrumb_count(), std::min<size_t>(i + 1, 4));
  }
}

// Without user callbacks the scopes' breadcrumbs are written from their
// cached JSON; with before_send they are copied into the event first. Both
// must send the same breadcrumbs, also when the event has its own.
TEST_F(HubTest, BreadcrumbsAreTheSameWithOrWithoutBeforeSend) {
  std::vector<std::vector<std::string>> sent;
  for (const bool with_before_send : {false, true}) {
    Options options;
    options.max_breadcrumbs = 4;
    if (with_before_send) {
      options.before_send = [](protocol::Event&) { return true; };
    }
    transport_ = std::make_shared<TestTransport>();
    Init(std::move(options));
    GlobalScope().AddBreadcrumb([] {
      protocol::Breadcrumb b;
      b.set_message("global");
      b.set_timestamp(1.0);
      return b;
    }());
    for (int i = 0; i < 5; ++i) AddBreadcrumb(std::to_string(i), "app");
    CaptureMessage("scope breadcrumbs only");
    protocol::Event event;
    event.mutable_logentry()->set_message("own breadcrumbs too");
    event.mutable_breadcrumbs()->add_values()->set_message("own");
    CaptureEvent(std::move(event));
    for (const auto& e : Events(2)) {
      std::vector<std::string> messages;
      for (const auto& b : e.breadcrumbs().values()) {
        messages.push_back(b.message());
      }
      sent.push_back(messages);
    }
    TearDown();
  }
  const std::vector<std::string> scope_only = {"1", "2", "3", "4"};
  const std::vector<std::string> with_own = {"2", "3", "4", "own"};
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0], scope_only);
  EXPECT_EQ(sent[1], with_own);
  EXPECT_EQ(sent[2], scope_only);
  EXPECT_EQ(sent[3], with_own);
}

// The SDK's "os" context is a default: a scope's own wins, with or without
// user callbacks (which decide whether it is copied into the event).
TEST_F(HubTest, ScopeOsContextWinsOverTheDefault) {
  for (const bool with_before_send : {false, true}) {
    Options options;
    if (with_before_send) {
      options.before_send = [](protocol::Event&) { return true; };
    }
    transport_ = std::make_shared<TestTransport>();
    Init(std::move(options));
    CaptureMessage("default os");
    ConfigureScope([](Scope& scope) {
      google::protobuf::Struct os;
      (*os.mutable_fields())["name"].set_string_value("CustomOS");
      scope.SetContext("os", os);
    });
    CaptureMessage("scope os");
    auto events = Events(2);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_NE(events[0].contexts().at("os").fields().at("name").string_value(),
              "CustomOS");
    EXPECT_FALSE(events[0]
                     .contexts()
                     .at("os")
                     .fields()
                     .at("name")
                     .string_value()
                     .empty());
    EXPECT_EQ(events[1].contexts().at("os").fields().at("name").string_value(),
              "CustomOS");
    TearDown();
  }
}

TEST_F(HubTest, BeforeBreadcrumbCanChangeAndDrop) {
  Options options;
  options.before_breadcrumb = [](protocol::Breadcrumb& b) {
    if (b.message() == "drop") return false;
    if (b.message() == "throw") throw std::runtime_error("x");
    b.set_category("changed");
    return true;
  };
  Init(std::move(options));
  AddBreadcrumb("keep");
  AddBreadcrumb("drop");
  AddBreadcrumb("throw");
  CaptureMessage("m");
  auto events = Events(1);
  ASSERT_EQ(events[0].breadcrumbs().values_size(), 1);
  EXPECT_EQ(events[0].breadcrumbs().values(0).category(), "changed");
}

TEST_F(HubTest, PipelineOrderAndDropReasons) {
  std::vector<std::string> order;
  std::mutex mu;
  auto note = [&](std::string s) {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(std::move(s));
  };
  Options options;
  options.before_send = [&](protocol::Event& e) {
    note("before_send");
    if (e.logentry().message() == "drop-in-before-send") return false;
    if (e.logentry().message() == "throw-in-before-send") {
      throw std::runtime_error("bad callback");
    }
    EXPECT_EQ(e.tags().at("processed"), "yes");
    return true;
  };
  Init(std::move(options));
  ConfigureScope([&](Scope& scope) {
    scope.AddEventProcessor([&](protocol::Event& e) {
      note("processor");
      (*e.mutable_tags())["processed"] = "yes";
      return e.logentry().message() != "drop-in-processor";
    });
  });
  CaptureMessage("kept");
  CaptureMessage("drop-in-processor");
  CaptureMessage("drop-in-before-send");
  CaptureMessage("throw-in-before-send");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(transport_->event_count(), 1u);
  EXPECT_EQ(order, (std::vector<std::string>{
                       "processor", "before_send", "processor", "processor",
                       "before_send", "processor", "before_send"}));
  auto& reports = guard_->client()->client_reports();
  EXPECT_EQ(reports.Count(DiscardReason::kEventProcessor, DataCategory::kError),
            1u);
  EXPECT_EQ(reports.Count(DiscardReason::kBeforeSend, DataCategory::kError),
            2u);
  // Flush sent the pending counts as a client report envelope.
  bool saw_report = false;
  for (const auto& envelope : transport_->envelopes()) {
    for (const auto& item : envelope.items()) {
      if (item.type != "client_report") continue;
      saw_report = true;
      EXPECT_NE(item.payload.find("\"reason\":\"before_send\""),
                std::string::npos);
      EXPECT_NE(item.payload.find("\"quantity\":2"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_report);
}

TEST_F(HubTest, ErrorSamplerDecidesEachEventAfterBeforeSend) {
  Options options;
  options.sample_rate = 0.0;  // Applies only where the sampler fails.
  options.before_send = [](protocol::Event& e) {
    (*e.mutable_tags())["by"] = "before_send";
    return true;
  };
  options.error_sampler = [](const protocol::Event& e) -> double {
    EXPECT_EQ(e.tags().at("by"), "before_send");
    const std::string& m = e.logentry().message();
    if (m == "throw") throw std::runtime_error("sampler bug");
    if (m == "invalid") return 7.0;
    return m == "keep" ? 1.0 : 0.0;
  };
  Init(std::move(options));
  for (const char* m : {"keep", "drop", "invalid", "throw", "keep"}) {
    CaptureMessage(m);
  }
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  std::vector<std::string> sent;
  for (const auto& e : transport_->events()) {
    sent.push_back(e.logentry().message());
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"keep", "keep"}));
  EXPECT_EQ(guard_->client()->client_reports().Count(DiscardReason::kSampleRate,
                                                     DataCategory::kError),
            3u);
}

TEST_F(HubTest, AnExceptionRethrownAndCapturedAgainIsSentOnce) {
  Init();
  std::string inner_id, outer_id, ptr_id;
  try {
    try {
      throw std::runtime_error("once");
    } catch (const std::exception& e) {
      inner_id = CaptureException(e);
      throw;
    }
  } catch (const std::exception& e) {
    outer_id = CaptureException(e);
    ptr_id = CaptureException(std::current_exception());
  }
  EXPECT_EQ(inner_id.size(), 32u);
  EXPECT_EQ(outer_id, "");
  EXPECT_EQ(ptr_id, "");
  // New exceptions, each at the address the last one freed, are not the same.
  for (int i = 0; i < 3; ++i) {
    try {
      throw std::runtime_error("again");
    } catch (const std::exception& e) {
      EXPECT_EQ(CaptureException(e).size(), 32u) << i;
    }
  }
  // Another exception, captured while one is being handled, is not it.
  try {
    throw std::runtime_error("handled");
  } catch (const std::exception& e) {
    EXPECT_EQ(CaptureException(e).size(), 32u);
    const std::runtime_error other("while handling");
    EXPECT_EQ(CaptureException(other).size(), 32u);
  }
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  std::vector<std::string> sent;
  for (const auto& e : transport_->events()) {
    sent.push_back(e.exception().values(0).value());
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"once", "again", "again", "again",
                                            "handled", "while handling"}));
  EXPECT_EQ(guard_->client()->client_reports().Count(
                DiscardReason::kEventProcessor, DataCategory::kError),
            2u);
}

TEST_F(HubTest, WithDedupeOffARethrownExceptionIsSentEachTime) {
  Options options;
  options.dedupe = false;
  Init(std::move(options));
  std::exception_ptr error = std::make_exception_ptr(std::logic_error("twice"));
  EXPECT_EQ(CaptureException(error).size(), 32u);
  EXPECT_EQ(CaptureException(error).size(), 32u);
  EXPECT_EQ(Events(2).size(), 2u);
}

TEST_F(HubTest, SampleRateZeroDropsAndCounts) {
  Options options;
  options.sample_rate = 0.0;
  Init(std::move(options));
  for (int i = 0; i < 5; ++i) CaptureMessage("m");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(transport_->event_count(), 0u);
  EXPECT_EQ(guard_->client()->client_reports().Count(DiscardReason::kSampleRate,
                                                     DataCategory::kError),
            5u);
}

TEST_F(HubTest, SampleRateHalfKeepsAboutHalf) {
  Options options;
  options.sample_rate = 0.5;
  options.max_queue_size = 4000;
  Init(std::move(options));
  for (int i = 0; i < 4000; ++i) CaptureMessage("m");
  ASSERT_TRUE(Flush(absl::Seconds(30)));
  const size_t kept = transport_->event_count();
  // Binomial(4000, 0.5): mean 2000, standard deviation 31.6. +-4.1 sigma
  // (a false alarm once in 20,000 runs) still fails a rate of 0.46 or 0.54
  // nearly always.
  EXPECT_GT(kept, 1870u);
  EXPECT_LT(kept, 2130u);
  EXPECT_EQ(kept + guard_->client()->client_reports().Count(
                       DiscardReason::kSampleRate, DataCategory::kError),
            4000u);
}

TEST_F(HubTest, QueueOverflowDropsNewestAndCounts) {
  absl::Notification release;
  Options options;
  options.max_queue_size = 2;
  InitWithWorkerBlocked(std::move(options), &release);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(CaptureMessage("more"));
  EXPECT_FALSE(ids[0].empty());
  EXPECT_FALSE(ids[1].empty());
  EXPECT_TRUE(ids[2].empty());
  EXPECT_TRUE(ids[4].empty());
  release.Notify();
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(transport_->event_count(), 3u);
  EXPECT_EQ(guard_->client()->client_reports().Count(
                DiscardReason::kQueueOverflow, DataCategory::kError),
            3u);
}

// The queue_overflow counts of errors, transactions and spans.
std::vector<uint64_t> QueueOverflows(const ClientReports& reports) {
  std::vector<uint64_t> counts;
  for (DataCategory category :
       {DataCategory::kError, DataCategory::kTransaction,
        DataCategory::kSpan}) {
    counts.push_back(reports.Count(DiscardReason::kQueueOverflow, category));
  }
  return counts;
}

// A finished transaction that finds the queue full is counted lost with all
// of its spans (its children and itself), and nothing of it is sent.
TEST_F(HubTest, ATransactionThatFindsTheQueueFullIsCountedWithItsSpans) {
  absl::Notification release;
  Options options;
  options.max_queue_size = 1;
  options.traces_sample_rate = 1.0;
  InitWithWorkerBlocked(std::move(options), &release);
  ASSERT_FALSE(CaptureMessage("fills the queue").empty());
  Span transaction = StartTransaction({"checkout", "task"});
  for (int i = 0; i < 3; ++i) transaction.StartChild("db", "query").Finish();
  transaction.Finish();
  EXPECT_EQ(QueueOverflows(guard_->client()->client_reports()),
            (std::vector<uint64_t>{0, 1, 4}));
  release.Notify();
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(transport_->event_count(), 2u);
  EXPECT_TRUE(transport_->transactions().empty());
}

// Events still queued when shutdown_timeout expires are not lost silently:
// Close counts them (queue_overflow, each in its category: a transaction
// with its spans) and says it did not flush.
TEST_F(HubTest, EventsAbandonedAtShutdownAreCountedByCategory) {
  absl::Notification entered;
  absl::Notification release;
  Options options;
  options.traces_sample_rate = 1.0;
  options.shutdown_timeout = absl::Milliseconds(50);
  options.debug = true;
  options.before_send = [&](protocol::Event&) {
    if (!entered.HasBeenNotified()) {
      entered.Notify();
      release.WaitForNotification();
    }
    return true;
  };
  Init(std::move(options));
  CaptureMessage("first");  // taken by the worker, which then blocks
  entered.WaitForNotification();
  for (int i = 0; i < 5; ++i) CaptureMessage("queued");
  Span transaction = StartTransaction({"queued", "task"});
  transaction.StartChild("child").Finish();
  transaction.Finish();
  auto client = guard_->client();
  // Close counts the abandoned events, says so in the debug log, then waits
  // for the worker: its stderr (a pipe here) tells when to let it go.
  int log_pipe[2];
  ASSERT_EQ(::pipe(log_pipe), 0);
  std::fflush(stderr);
  const int saved_stderr = ::dup(STDERR_FILENO);
  ::dup2(log_pipe[1], STDERR_FILENO);
  bool closed = true;
  std::thread closer([&] { closed = client->Close(absl::Milliseconds(50)); });
  std::string log;
  pollfd readable{log_pipe[0], POLLIN, 0};
  while (log.find("shutdown timeout: dropped") == std::string::npos &&
         ::poll(&readable, 1, /*timeout_ms=*/30000) == 1) {
    char buffer[512];
    const ssize_t n = ::read(log_pipe[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    log.append(buffer, static_cast<size_t>(n));
  }
  std::fflush(stderr);
  ::dup2(saved_stderr, STDERR_FILENO);
  ::close(saved_stderr);
  ::close(log_pipe[0]);
  ::close(log_pipe[1]);
  release.Notify();
  closer.join();
  EXPECT_NE(log.find("shutdown timeout: dropped 6 queued events"),
            std::string::npos)
      << log;
  EXPECT_FALSE(closed);
  // The child and the transaction itself are the spans.
  EXPECT_EQ(QueueOverflows(client->client_reports()),
            (std::vector<uint64_t>{5, 1, 2}));
  ASSERT_EQ(transport_->event_count(), 1u);
  EXPECT_EQ(transport_->events()[0].logentry().message(), "first");
}

// A transport whose backlog the test sets, and that counts how often the
// worker asked about it.
class BackloggedTransport : public TestTransport {
 public:
  bool Backlogged() const noexcept override {
    absl::MutexLock lock(&mu_);
    ++asked_;
    return backlogged_;
  }
  void SetBacklogged(bool backlogged) {
    absl::MutexLock lock(&mu_);
    backlogged_ = backlogged;
  }
  // Waits until the worker has asked `n` times in all; false after 10 s.
  bool WaitForQuestions(int n) const {
    absl::MutexLock lock(&mu_);
    struct Arg {
      const BackloggedTransport* self;
      int n;
    } arg{this, n};
    return mu_.AwaitWithTimeout(absl::Condition(
                                    +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                      return a->self->asked_ >= a->n;
                                    },
                                    &arg),
                                absl::Seconds(10));
  }

 private:
  mutable absl::Mutex mu_;
  bool backlogged_ ABSL_GUARDED_BY(mu_) = false;
  mutable int asked_ ABSL_GUARDED_BY(mu_) = 0;
};

// While the transport is backlogged, captures stay captures: no event is
// built (before_send has not run) and nothing is handed over; once it has
// room, every one is sent, in the order captured.
TEST_F(HubTest, CapturesWaitUnrenderedWhileTheTransportIsBacklogged) {
  auto transport = std::make_shared<BackloggedTransport>();
  transport_ = transport;
  std::atomic<int> before_send_calls{0};
  Options options;
  options.before_send = [&](protocol::Event&) {
    ++before_send_calls;
    return true;
  };
  transport->SetBacklogged(true);
  Init(std::move(options));
  for (const char* message : {"a", "b", "c"}) CaptureMessage(message);
  // The worker took them and asked twice (it looked again after a wait).
  ASSERT_TRUE(transport->WaitForQuestions(2));
  EXPECT_EQ(before_send_calls.load(), 0);
  EXPECT_EQ(transport->event_count(), 0u);
  transport->SetBacklogged(false);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  std::vector<std::string> messages;
  for (const auto& event : transport->events()) {
    messages.push_back(event.logentry().message());
  }
  EXPECT_EQ(messages, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(before_send_calls.load(), 3);
}

// At shutdown, captures held for a transport that stays backlogged are
// handed to it (a transport with a spool keeps them; the HTTP transport
// counts what it cannot keep), those the worker took and those still in the
// client's queue, and Close does not wait for room that never comes.
TEST_F(HubTest, AtShutdownABackloggedTransportGetsEveryCapture) {
  auto transport = std::make_shared<BackloggedTransport>();
  transport_ = transport;
  Options options;
  options.traces_sample_rate = 1.0;
  transport->SetBacklogged(true);
  Init(std::move(options));
  CaptureMessage("held");  // taken by the worker, which waits for room
  ASSERT_TRUE(transport->WaitForQuestions(2));
  CaptureMessage("queued behind");
  Span transaction = StartTransaction({"queued", "task"});
  transaction.StartChild("child").Finish();
  transaction.Finish();
  auto client = guard_->client();
  EXPECT_FALSE(client->Close(absl::Milliseconds(50)));
  std::vector<std::string> messages;
  for (const auto& event : transport->events()) {
    messages.push_back(event.logentry().message());
  }
  EXPECT_EQ(messages, (std::vector<std::string>{"held", "queued behind"}));
  const auto transactions = transport->transactions();
  ASSERT_EQ(transactions.size(), 1u);
  EXPECT_EQ(transactions[0].transaction(), "queued");
  EXPECT_EQ(transactions[0].spans_size(), 1);
  EXPECT_EQ(QueueOverflows(client->client_reports()),
            (std::vector<uint64_t>{0, 0, 0}));
}

// User callbacks run without an SDK lock: each may call back into the SDK
// (scope, breadcrumbs, captures) without deadlocking.
TEST_F(HubTest, CallbacksMayCallBackIntoTheSdk) {
  Options options;
  options.before_breadcrumb = [](protocol::Breadcrumb& crumb) {
    ConfigureScope([](Scope& scope) { scope.SetTag("from_breadcrumb", "1"); });
    return true;
  };
  options.before_send = [](protocol::Event& event) {
    if (event.logentry().message() == "outer") {
      ConfigureScope([](Scope& scope) { scope.SetTag("from_send", "1"); });
      AddBreadcrumb("from before_send");
      CaptureMessage("inner");  // queued behind this one
    }
    return true;
  };
  Init(std::move(options));
  ConfigureScope([](Scope& scope) {
    scope.AddEventProcessor([](protocol::Event& event) {
      GlobalScope().SetTag("from_processor", "1");
      return true;
    });
  });
  AddBreadcrumb("b");
  CaptureMessage("outer");
  auto events = Events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].logentry().message(), "outer");
  EXPECT_EQ(events[1].logentry().message(), "inner");
  EXPECT_EQ(events[0].tags().at("from_breadcrumb"), "1");
  EXPECT_EQ(events[1].tags().at("from_processor"), "1");
}

// An event processor that throws drops its event (counted), and the next
// event goes through.
TEST_F(HubTest, ThrowingEventProcessorDropsOnlyItsEvent) {
  Init();
  ConfigureScope([](Scope& scope) {
    scope.AddEventProcessor([](protocol::Event& event) -> bool {
      if (event.logentry().message() == "bad") {
        throw std::runtime_error("processor failed");
      }
      return true;
    });
  });
  CaptureMessage("bad");
  CaptureMessage("good");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  ASSERT_EQ(transport_->event_count(), 1u);
  EXPECT_EQ(transport_->events()[0].logentry().message(), "good");
  EXPECT_EQ(guard_->client()->client_reports().Count(
                DiscardReason::kEventProcessor, DataCategory::kError),
            1u);
}

// Relay rejects a whole envelope whose event id is not a UUID: such an id
// is replaced; a UUID spelled with dashes or upper case is normalized.
TEST_F(HubTest, EventIdsAreAlwaysThirtyTwoLowercaseHexDigits) {
  Init();
  protocol::Event bad;
  bad.set_event_id("not-an-event-id");
  const std::string replaced = CaptureEvent(bad);
  protocol::Event dashed;
  dashed.set_event_id("0123ABCD-4567-89EF-0123-456789ABCDEF");
  EXPECT_EQ(CaptureEvent(dashed), "0123abcd456789ef0123456789abcdef");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(replaced.size(), 32u);
  EXPECT_EQ(replaced.find_first_not_of("0123456789abcdef"), std::string::npos)
      << replaced;
  const auto envelopes = transport_->envelopes();
  const auto events = transport_->events();
  ASSERT_EQ(envelopes.size(), 2u);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(envelopes[0].event_id(), replaced);
  EXPECT_EQ(events[0].event_id(), replaced);
  EXPECT_EQ(envelopes[1].event_id(), "0123abcd456789ef0123456789abcdef");
  EXPECT_EQ(events[1].event_id(), "0123abcd456789ef0123456789abcdef");
}

// Timestamps are required numbers: a NaN (or missing) one becomes the time
// of capture instead of going out as null.
TEST_F(HubTest, BreadcrumbsWithoutAUsableTimestampGetTheCaptureTime) {
  Init();
  const double before = absl::ToUnixMicros(absl::Now()) / 1e6;
  protocol::Breadcrumb nan_crumb;
  nan_crumb.set_message("nan");
  nan_crumb.set_timestamp(std::nan(""));
  Hub::Current()->AddBreadcrumb(nan_crumb);
  protocol::Event event;
  event.mutable_logentry()->set_message("own breadcrumbs");
  auto* own = event.mutable_breadcrumbs()->add_values();
  own->set_message("own");
  own->set_timestamp(-std::numeric_limits<double>::infinity());
  CaptureEvent(event);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const double after = absl::ToUnixMicros(absl::Now()) / 1e6;
  const auto payloads = transport_->event_payloads();
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0].find("null"), std::string::npos) << payloads[0];
  const auto events = transport_->events();
  ASSERT_EQ(events[0].breadcrumbs().values_size(), 2);
  for (const auto& crumb : events[0].breadcrumbs().values()) {
    EXPECT_GE(crumb.timestamp(), before) << crumb.message();
    EXPECT_LE(crumb.timestamp(), after) << crumb.message();
  }
}

// Relay drops tags whose key or value is over 200 characters, so both are
// cut to 200 bytes, marker included; a long message to 8192.
TEST_F(HubTest, TagsAndMessagesAreCutToRelaysLimits) {
  Init();
  const std::string long_key(10000, 'k');
  ConfigureScope([&](Scope& scope) {
    scope.SetTag("long_value", std::string(300, 'v'));
    scope.SetTag("exact", std::string(200, 'e'));
    scope.SetTag(long_key, "x");
  });
  CaptureMessage(std::string(9000, 'm'));
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& tags = events[0].tags();
  EXPECT_EQ(tags.at("long_value"), std::string(197, 'v') + "...");
  EXPECT_EQ(tags.at("exact"), std::string(200, 'e'));
  EXPECT_EQ(tags.at(std::string(197, 'k') + "..."), "x");
  EXPECT_EQ(tags.count(long_key), 0u);
  EXPECT_EQ(events[0].logentry().message(), std::string(8189, 'm') + "...");
}

TEST_F(HubTest, PushScopeIsolatesAndPops) {
  Init();
  auto hub = Hub::Current();
  hub->ConfigureScope([](Scope& s) { s.SetTag("outer", "1"); });
  {
    auto guard = hub->PushScope();
    hub->ConfigureScope([](Scope& s) {
      s.SetTag("inner", "1");
      s.SetTag("outer", "changed");
    });
    hub->CaptureMessage("inside");
  }
  hub->CaptureMessage("outside");
  auto events = Events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].tags().at("inner"), "1");
  EXPECT_EQ(events[0].tags().at("outer"), "changed");
  EXPECT_EQ(events[1].tags().count("inner"), 0u);
  EXPECT_EQ(events[1].tags().at("outer"), "1");
}

TEST_F(HubTest, OutOfOrderPopRecovers) {
  Init();
  auto hub = Hub::Current();
  auto first = std::make_unique<Hub::ScopeGuard>(hub->PushScope());
  hub->ConfigureScope([](Scope& s) { s.SetTag("level", "1"); });
  auto second = std::make_unique<Hub::ScopeGuard>(hub->PushScope());
  hub->ConfigureScope([](Scope& s) { s.SetTag("level", "2"); });
  first.reset();   // out of order: pops both
  second.reset();  // already gone: ignored
  hub->CaptureMessage("root");
  auto events = Events(1);
  EXPECT_EQ(events[0].tags().count("level"), 0u);
}

TEST_F(HubTest, CloneIsIsolatedBothWays) {
  Init();
  auto parent = Hub::Current();
  parent->ConfigureScope([](Scope& s) { s.SetTag("from", "parent"); });
  auto child = parent->Clone();
  child->ConfigureScope([](Scope& s) { s.SetTag("child-only", "1"); });
  parent->ConfigureScope([](Scope& s) { s.SetTag("parent-only", "1"); });
  child->CaptureMessage("child");
  parent->CaptureMessage("parent");
  auto events = Events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].tags().at("from"), "parent");
  EXPECT_EQ(events[0].tags().count("parent-only"), 0u);
  EXPECT_EQ(events[1].tags().count("child-only"), 0u);
  EXPECT_EQ(events[1].tags().at("parent-only"), "1");
}

TEST_F(HubTest, WithScopeCapturesSeeScopeChanges) {
  Init();
  WithScope([](Scope& scope) {
    scope.SetTag("temporary", "1");
    CaptureMessage("inside");
  });
  CaptureMessage("after");
  auto events = Events(2);
  EXPECT_EQ(events[0].tags().at("temporary"), "1");
  EXPECT_EQ(events[1].tags().count("temporary"), 0u);
}

TEST_F(HubTest, RunAndBindingSwitchTheCurrentHub) {
  Init();
  auto other = std::make_shared<Hub>(guard_->client());
  auto before = Hub::Current();
  const std::string before_last = before->LastEventId();
  Hub::Run(other, [&] {
    EXPECT_EQ(Hub::Current(), other);
    CaptureMessage("via run");
  });
  EXPECT_EQ(Hub::Current(), before);
  {
    HubBinding binding(other);
    EXPECT_EQ(Hub::Current(), other);
  }
  EXPECT_EQ(Hub::Current(), before);
  EXPECT_EQ(other->LastEventId().size(), 32u);
  EXPECT_EQ(before->LastEventId(), before_last);
}

TEST_F(HubTest, CapturesOnAThreadBoundToNoHubAreNotSent) {
  Init();
  {
    HubBinding binding(nullptr);
    EXPECT_EQ(CaptureMessage("nowhere"), "");
    EXPECT_EQ(CaptureException(std::runtime_error("nowhere")), "");
    EXPECT_EQ(CaptureEvent(protocol::Event()), "");
  }
  const std::string id = CaptureMessage("somewhere");
  auto events = Events(1);
  EXPECT_EQ(events[0].event_id(), id);
  EXPECT_EQ(events[0].logentry().message(), "somewhere");
}

TEST_F(HubTest, AttachmentsTravelWithTheEvent) {
  Init();
  ConfigureScope([](Scope& s) {
    s.AddAttachment(
        Attachment::FromBytes("log.txt", "line 1\nline 2\n", "text/plain"));
    s.AddAttachment(Attachment::FromPath("/nonexistent/file.bin"));
  });
  CaptureMessage("with attachment");
  ASSERT_TRUE(transport_->WaitForEvents(1, absl::Seconds(10)));
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  auto envelopes = transport_->envelopes();
  ASSERT_GE(envelopes.size(), 1u);
  const auto& items = envelopes[0].items();
  // The unreadable file is dropped, and the drop is reported in the same
  // envelope.
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].type, "attachment");
  EXPECT_EQ(items[2].type, "client_report");
  EXPECT_EQ(items[1].payload, "line 1\nline 2\n");
  EXPECT_EQ(items[1].StringHeader("filename"), "log.txt");
  EXPECT_EQ(items[1].StringHeader("content_type"), "text/plain");
  EXPECT_EQ(guard_->client()->client_reports().Count(
                DiscardReason::kInternalSdkError, DataCategory::kAttachment),
            1u);
}

TEST_F(HubTest, HugeEventsAreShrunk) {
  Init();
  ConfigureScope([](Scope& s) {
    for (int i = 0; i < 300; ++i)
      s.SetExtra("k" + std::to_string(i), std::string(8000, 'x'));
  });
  CaptureMessage("huge");
  auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].extra_size(), 0);
  EXPECT_LE(transport_->event_payloads()[0].size(), 1u << 20);
}

TEST(InitTest, InvalidDsnDisablesWithClearStatus) {
  Options options;
  options.dsn = "not a dsn";
  InitGuard guard = Init(std::move(options));
  EXPECT_FALSE(guard.status().ok());
  EXPECT_NE(guard.status().message().find("invalid DSN"), std::string::npos);
  EXPECT_FALSE(guard.enabled());
  EXPECT_EQ(CaptureMessage("goes nowhere"), "");
  AddBreadcrumb("ignored");
  EXPECT_TRUE(Flush(absl::Seconds(1)));
}

// A transport factory gets the final options (the DSN included) and its
// transport is used; its error disables the SDK with that error.
TEST(InitTest, TransportFactoryMakesTheTransportForTheDsn) {
  auto transport = std::make_shared<TestTransport>();
  std::string seen_dsn;
  Options options;
  options.dsn = "https://key@o1.ingest.sentry.io/42";
  options.transport_factory = [&](const Options& final_options)
      -> absl::StatusOr<std::shared_ptr<Transport>> {
    seen_dsn = final_options.dsn;
    return transport;
  };
  {
    InitGuard guard = Init(std::move(options));
    ASSERT_TRUE(guard.status().ok()) << guard.status();
    CaptureMessage("through the factory's transport");
    ASSERT_TRUE(Flush(absl::Seconds(5)));
  }
  EXPECT_EQ(seen_dsn, "https://key@o1.ingest.sentry.io/42");
  ASSERT_EQ(transport->event_count(), 1u);

  Options failing;
  failing.dsn = "https://key@o1.ingest.sentry.io/42";
  failing.transport_factory =
      [](const Options&) -> absl::StatusOr<std::shared_ptr<Transport>> {
    return absl::UnavailableError("no network in this test");
  };
  InitGuard guard = Init(std::move(failing));
  EXPECT_EQ(guard.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(guard.status().message(), "no network in this test");
  EXPECT_FALSE(guard.enabled());
}

TEST(InitTest, InvalidOptionsNameTheProblem) {
  auto transport = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = transport;
  options.sample_rate = std::nan("");
  InitGuard guard = Init(options);
  EXPECT_NE(guard.status().message().find("sample_rate"), std::string::npos);
  options.sample_rate = 1;
  options.max_breadcrumbs = -1;
  InitGuard guard2 = Init(options);
  EXPECT_NE(guard2.status().message().find("max_breadcrumbs"),
            std::string::npos);
  EXPECT_EQ(CaptureMessage("dropped"), "");
}

TEST(InitTest, DsnFromEnvironment) {
  setenv("SENTRY_DSN", "https://key@example.com/1", 1);
  setenv("SENTRY_RELEASE", "env-release", 1);
  auto transport = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = transport;
  {
    InitGuard guard = Init(options);
    ASSERT_TRUE(guard.status().ok());
    EXPECT_EQ(guard.client()->dsn()->public_key(), "key");
    CaptureMessage("m");
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  unsetenv("SENTRY_DSN");
  unsetenv("SENTRY_RELEASE");
  ASSERT_EQ(transport->events().size(), 1u);
  EXPECT_EQ(transport->events()[0].release(), "env-release");
  // Every envelope (the event's, the session's) names the DSN.
  ASSERT_FALSE(transport->envelopes().empty());
  for (const auto& envelope : transport->envelopes()) {
    EXPECT_EQ(envelope.StringHeader("dsn"), "https://key@example.com/1");
  }
}

TEST(InitTest, ReinitInOneProcessRebindsEveryThread) {
  auto first = std::make_shared<testing::TestTransport>();
  auto second = std::make_shared<testing::TestTransport>();
  std::atomic<int> phase{0};
  std::thread worker;
  {
    Options options;
    options.transport = first;
    InitGuard guard = Init(options);
    worker = std::thread([&] {
      CaptureMessage("worker, first init");
      phase = 1;
      while (phase != 2) std::this_thread::yield();
      CaptureMessage("worker, second init");
      phase = 3;
    });
    while (phase != 1) std::this_thread::yield();
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  {
    Options options;
    options.transport = second;
    InitGuard guard = Init(options);
    CaptureMessage("main, second init");
    phase = 2;
    while (phase != 3) std::this_thread::yield();
    worker.join();
    ASSERT_TRUE(guard.client()->Flush(absl::Seconds(10)));
  }
  EXPECT_EQ(first->event_count(), 1u);
  EXPECT_EQ(second->event_count(), 2u);
}

TEST(InitTest, GuardFlushesOnDestruction) {
  auto transport = std::make_shared<testing::TestTransport>();
  {
    Options options;
    options.transport = transport;
    InitGuard guard = Init(options);
    for (int i = 0; i < 100; ++i) CaptureMessage("m");
  }
  EXPECT_EQ(transport->event_count(), 100u);
  EXPECT_EQ(CaptureMessage("after close"), "");
}

}  // namespace
}  // namespace sentry
