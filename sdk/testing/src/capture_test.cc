// Tests of the user-facing test kit: CaptureEvents / Capture, the matchers
// and the fault-injecting transport.
#include "sentry/testing/capture.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sentry/client_reports.h"
#include "sentry/hub.h"
#include "sentry/integrations/thread_pool.h"
#include "sentry/sentry.h"
#include "sentry/testing/fault_injecting_transport.h"
#include "sentry/testing/matchers.h"
#include "sentry/testing/test_transport.h"
#include "sentry/tracing.h"

namespace sentry::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

TEST(CaptureEventsTest, ReturnsTheEventsTheCodeSentWithTheirScope) {
  auto events = CaptureEvents([] {
    ConfigureScope([](Scope& scope) {
      scope.SetTag("payment", "visa");
      protocol::User user;
      user.set_id("u-42");
      scope.SetUser(user);
    });
    AddBreadcrumb("card checked", "payment");
    CaptureMessage("card declined", Level::kWarning);
  });
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_THAT(events[0],
              AllOf(HasMessage("card declined"), HasTag("payment", "visa"),
                    HasUser("u-42"), HasBreadcrumb("card checked")));
  EXPECT_EQ(events[0].level(), "warning");
}

TEST(CaptureEventsTest, NeedsNoInitAndLeavesNothingBehind) {
  // No sentry::Init in this test binary: outside a capture, nothing is sent.
  EXPECT_EQ(CaptureMessage("outside"), "");
  auto events = CaptureEvents([] { CaptureMessage("inside"); });
  EXPECT_THAT(events, ElementsAre(HasMessage("inside")));
  EXPECT_EQ(CaptureMessage("outside again"), "");
}

TEST(CaptureEventsTest, ParallelCapturesSeeOnlyTheirOwnEvents) {
  std::vector<std::vector<protocol::Event>> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i, &results] {
      results[i] = CaptureEvents([i] {
        ConfigureScope(
            [i](Scope& scope) { scope.SetTag("test", std::to_string(i)); });
        for (int n = 0; n < 10; ++n)
          CaptureMessage("from " + std::to_string(i));
      });
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(results[i], SizeIs(10)) << "capture " << i;
    for (const auto& event : results[i]) {
      EXPECT_THAT(event, AllOf(HasMessage("from " + std::to_string(i)),
                               HasTag("test", std::to_string(i))));
    }
  }
}

TEST(CaptureEventsTest, WorkHandedToSentryThreadsIsCaptured) {
  auto events = CaptureEvents([] {
    Thread worker([] { CaptureMessage("from the worker"); });
    worker.join();
  });
  EXPECT_THAT(events, ElementsAre(HasMessage("from the worker")));
}

TEST(CaptureTest, ReturnsTransactionsLogsMetricsAndEnvelopes) {
  Options options;
  options.traces_sample_rate = 1.0;
  Captured captured = Capture(
      [] {
        Span transaction = StartTransaction({"checkout", "task"});
        logger::Info("charged $0 cents", 2500);
        metrics::Count("charges");
        transaction.Finish();
        // Work handed over with BindHub goes to the same capture.
        std::thread([task = BindHub([] { CaptureMessage("bound"); })] {
          task();
        }).join();
      },
      options);
  ASSERT_EQ(captured.transactions.size(), 1u);
  EXPECT_EQ(captured.transactions[0].transaction(), "checkout");
  ASSERT_EQ(captured.logs.size(), 1u);
  EXPECT_EQ(captured.logs[0].fields().at("body").string_value(),
            "charged 2500 cents");
  ASSERT_EQ(captured.metrics.size(), 1u);
  EXPECT_EQ(captured.metrics[0].fields().at("name").string_value(), "charges");
  EXPECT_THAT(captured.events, ElementsAre(HasMessage("bound")));
  // Every envelope, in order: each item type above is among them.
  std::vector<std::string> types;
  for (const Envelope& envelope : captured.envelopes) {
    for (const EnvelopeItem& item : envelope.items())
      types.push_back(item.type);
  }
  for (const char* type : {"transaction", "log", "trace_metric", "event"}) {
    EXPECT_THAT(types, Contains(type));
  }
}

TEST(CaptureTest, AppliesOptionsAndReportsDrops) {
  Options options;
  options.before_send = [](protocol::Event& event) {
    return event.logentry().message() != "secret";
  };
  Captured captured = Capture(
      [] {
        CaptureMessage("secret");
        CaptureMessage("public");
      },
      options);
  EXPECT_THAT(captured.events, ElementsAre(HasMessage("public")));
  ASSERT_NE(captured.client_reports, nullptr);
  EXPECT_EQ(captured.client_reports->Count(DiscardReason::kBeforeSend,
                                           DataCategory::kError),
            1u);
}

TEST(MatchersTest, HasExceptionMatchesTheCapturedType) {
  auto events = CaptureEvents(
      [] { CaptureException(std::out_of_range("index 7 of 3")); });
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_THAT(events[0], HasException<std::out_of_range>());
  EXPECT_THAT(events[0], Not(HasException<std::runtime_error>()));
  EXPECT_THAT(events[0], HasExceptionType("std::out_of_range"));
}

TEST(MatchersTest, InTraceMatchesTheScopesTrace) {
  std::string trace_id;
  auto events = CaptureEvents([&trace_id] {
    trace_id = GetTraceHeaders().sentry_trace.substr(0, 32);
    CaptureMessage("traced");
  });
  ASSERT_THAT(events, SizeIs(1));
  ASSERT_EQ(trace_id.size(), 32u);
  EXPECT_THAT(events[0], InTrace(trace_id));
  EXPECT_THAT(events[0], Not(InTrace(std::string(32, '0'))));
}

TEST(MatchersTest, MismatchesSayWhatTheEventHas) {
  protocol::Event event;
  event.mutable_logentry()->set_message("actual text");
  (*event.mutable_tags())["k"] = "v1";
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(
      ::testing::ExplainMatchResult(HasMessage("expected"), event, &listener));
  EXPECT_EQ(listener.str(), "its message is \"actual text\"");
  ::testing::StringMatchResultListener tag_listener;
  EXPECT_FALSE(
      ::testing::ExplainMatchResult(HasTag("k", "v2"), event, &tag_listener));
  EXPECT_EQ(tag_listener.str(), "its tag \"k\" is \"v1\"");

  // Each matcher, on an event that has what it looks for with another value,
  // and on one that has none of it.
  protocol::Event full;
  full.mutable_user()->set_id("7");
  full.mutable_breadcrumbs()->add_values()->set_message("a");
  full.mutable_breadcrumbs()->add_values()->set_message("b");
  (*full.mutable_contexts())["trace"].mutable_fields()->insert(
      {"trace_id", [] {
         google::protobuf::Value v;
         v.set_string_value("771a43a4192642f0b136d5159a501700");
         return v;
       }()});
  full.mutable_exception()->add_values()->set_type("std::logic_error");
  const protocol::Event empty;
  const auto explain = [](const auto& matcher, const protocol::Event& e) {
    ::testing::StringMatchResultListener listener;
    EXPECT_FALSE(::testing::ExplainMatchResult(matcher, e, &listener));
    return listener.str();
  };
  EXPECT_EQ(explain(HasTag("missing", "v"), full), "it has no tag \"missing\"");
  EXPECT_EQ(explain(HasUser("8"), full), "its user's id is \"7\"");
  EXPECT_EQ(explain(HasUser("8"), empty), "it has no user");
  EXPECT_EQ(explain(HasBreadcrumb("c"), full),
            "it has 2 breadcrumbs, none with that message");
  EXPECT_EQ(explain(InTrace("0123456789abcdef0123456789abcdef"), full),
            "its trace_id is \"771a43a4192642f0b136d5159a501700\"");
  EXPECT_EQ(explain(InTrace("0123456789abcdef0123456789abcdef"), empty),
            "it has no trace context");
  EXPECT_EQ(explain(HasExceptionType("std::out_of_range"), full),
            "its exception is a std::logic_error");
  EXPECT_EQ(explain(HasException<std::out_of_range>(), full),
            "its exception is a std::logic_error");
  EXPECT_EQ(explain(HasException<std::out_of_range>(), empty),
            "it has no exception");
}

class FaultInjectingTransportTest : public ::testing::Test {
 protected:
  std::shared_ptr<TestTransport> received_ = std::make_shared<TestTransport>();
  std::shared_ptr<FaultInjectingTransport> network_ =
      std::make_shared<FaultInjectingTransport>(received_);
  std::shared_ptr<Client> client_ = [this] {
    Options options;
    options.transport = network_;
    options.auto_session_tracking = false;
    return *Client::Create(std::move(options));
  }();
  std::shared_ptr<Hub> hub_ = std::make_shared<Hub>(client_);
};

TEST_F(FaultInjectingTransportTest, FailAndRateLimitDropAndCountEachEnvelope) {
  network_->Fail();
  hub_->CaptureMessage("lost");
  ASSERT_TRUE(client_->Flush(absl::Seconds(10)));
  network_->RateLimit();
  hub_->CaptureMessage("refused");
  ASSERT_TRUE(client_->Flush(absl::Seconds(10)));
  network_->Heal();
  hub_->CaptureMessage("delivered");
  ASSERT_TRUE(client_->Flush(absl::Seconds(10)));

  EXPECT_THAT(received_->events(), ElementsAre(HasMessage("delivered")));
  // Each Flush also sent the client report counting the drop so far, and
  // the network lost it too: two events and two reports.
  EXPECT_EQ(network_->dropped_envelopes(), 4u);
  EXPECT_EQ(client_->client_reports().Count(DiscardReason::kNetworkError,
                                            DataCategory::kError),
            1u);
  EXPECT_EQ(client_->client_reports().Count(DiscardReason::kRatelimitBackoff,
                                            DataCategory::kError),
            1u);
}

TEST_F(FaultInjectingTransportTest, StallHoldsEnvelopesUntilHealed) {
  network_->Stall();
  hub_->CaptureMessage("held");
  ASSERT_TRUE(network_->WaitForStalledSends(1, absl::Seconds(10)));
  EXPECT_EQ(received_->event_count(), 0u);
  network_->Heal();
  ASSERT_TRUE(received_->WaitForEvents(1, absl::Seconds(10)));
  EXPECT_THAT(received_->events(), ElementsAre(HasMessage("held")));
}

TEST_F(FaultInjectingTransportTest, ShutdownReleasesAStall) {
  network_->Stall();
  hub_->CaptureMessage("held at shutdown");
  ASSERT_TRUE(network_->WaitForStalledSends(1, absl::Seconds(10)));
  EXPECT_TRUE(network_->Shutdown(absl::Seconds(10)));
  ASSERT_TRUE(received_->WaitForEvents(1, absl::Seconds(10)));
}

}  // namespace
}  // namespace sentry::testing
