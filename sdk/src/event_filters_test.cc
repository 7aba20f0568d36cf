// Options::ignore_errors and ignore_transactions, through sentry::Init and
// a TestTransport: what they drop, before which user code, counted how.
#include "sdk/src/event_filters.h"

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace shop {
class OutOfStock : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
}  // namespace shop

namespace sentry {
namespace {

using internal::EventFilters;
using testing::TestTransport;

class EventFiltersTest : public ::testing::Test {
 protected:
  void TearDown() override {
    guard_.reset();
    GlobalScope().Clear();
  }
  // What user code saw, in order.
  void Saw(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(std::move(what));
  }
  std::vector<std::string> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
  std::mutex mu_;
  std::vector<std::string> seen_;
};

std::string MessageOrValue(const protocol::Event& event) {
  return event.exception().values_size() > 0
             ? event.exception().values(0).value()
             : event.logentry().message();
}

TEST_F(EventFiltersTest,
       IgnoredErrorsNeverReachUserCodeAndCountAsEventProcessor) {
  Options options;
  options.transport = transport_;
  options.ignore_errors = {"shop::OutOfStock", "reset by peer", "^health"};
  options.before_send = [this](protocol::Event& event) {
    Saw("before_send " + MessageOrValue(event));
    return true;
  };
  guard_.emplace(Init(std::move(options)));
  ConfigureScope([this](Scope& scope) {
    scope.AddEventProcessor([this](protocol::Event& event) {
      Saw("processor " + MessageOrValue(event));
      return true;
    });
  });
  CaptureException(shop::OutOfStock("sku 7"));  // by type
  CaptureException(std::runtime_error("read: connection reset by peer"));
  CaptureMessage("health check");                 // by regular expression
  CaptureException(std::runtime_error("sku 8"));  // not its type's name
  CaptureMessage("not a health check");           // ^ is anchored
  ASSERT_TRUE(Flush(absl::Seconds(10)));

  std::vector<std::string> sent;
  for (const auto& event : transport_->events()) {
    sent.push_back(MessageOrValue(event));
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"sku 8", "not a health check"}));
  EXPECT_EQ(seen(),
            (std::vector<std::string>{"processor sku 8", "before_send sku 8",
                                      "processor not a health check",
                                      "before_send not a health check"}));
  const ClientReports& reports = guard_->client()->client_reports();
  EXPECT_EQ(reports.Count(DiscardReason::kEventProcessor, DataCategory::kError),
            3u);
  EXPECT_EQ(reports.Count(DiscardReason::kBeforeSend, DataCategory::kError),
            0u);
}

TEST_F(EventFiltersTest, IgnoredTransactionsAreDroppedWithTheirSpans) {
  Options options;
  options.transport = transport_;
  options.traces_sample_rate = 1.0;
  options.ignore_transactions = {"^GET /health$"};
  options.before_send_transaction = [this](protocol::Event& transaction) {
    Saw(transaction.transaction());
    return true;
  };
  guard_.emplace(Init(std::move(options)));
  for (const char* name : {"GET /health", "GET /healthz"}) {
    Span transaction = StartTransaction({name, "http.server"});
    transaction.StartChild("db.query").Finish();
    transaction.StartChild("cache.get").Finish();
    transaction.Finish();
  }
  ASSERT_TRUE(Flush(absl::Seconds(10)));

  ASSERT_EQ(transport_->transactions().size(), 1u);
  EXPECT_EQ(transport_->transactions()[0].transaction(), "GET /healthz");
  EXPECT_EQ(seen(), std::vector<std::string>{"GET /healthz"});
  const ClientReports& reports = guard_->client()->client_reports();
  EXPECT_EQ(
      reports.Count(DiscardReason::kEventProcessor, DataCategory::kTransaction),
      1u);
  // Its two children and itself.
  EXPECT_EQ(reports.Count(DiscardReason::kEventProcessor, DataCategory::kSpan),
            3u);
  EXPECT_EQ(reports.Count(DiscardReason::kEventProcessor, DataCategory::kError),
            0u);
}

TEST(EventFiltersUnitTest, AnyExceptionOfTheChainAndTheFormattedMessageCount) {
  const EventFilters filters(
      std::vector<std::string>{"std::bad_alloc", "disk full"}, {});
  protocol::Event nested;
  nested.mutable_exception()->add_values()->set_type("std::bad_alloc");
  nested.mutable_exception()->add_values()->set_type("std::runtime_error");
  EXPECT_TRUE(filters.IgnoresError(nested));
  protocol::Event formatted;
  formatted.mutable_logentry()->set_message("write failed: %s");
  formatted.mutable_logentry()->set_formatted("write failed: disk full");
  EXPECT_TRUE(filters.IgnoresError(formatted));
  protocol::Event other;
  other.mutable_exception()->add_values()->set_type("std::bad_alloc_x");
  other.mutable_logentry()->set_message("disk fine");
  EXPECT_FALSE(filters.IgnoresError(other));
  EXPECT_FALSE(EventFilters({}, {}).IgnoresTransaction("anything"));
}

}  // namespace
}  // namespace sentry
