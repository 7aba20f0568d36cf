// CrashScope writes what an event captured on the same thread at the same
// moment would carry, from the thread's own hub, as JSON Sentry accepts.
#include "sdk/src/crash_scope.h"

#include <cmath>
#include <map>
#include <string>
#include <thread>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sdk/src/scrubber.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using google::protobuf::util::MessageDifferencer;

class CrashScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.traces_sample_rate = 1.0;
    guard_.emplace(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok());
  }
  void TearDown() override { guard_.reset(); }

  // The crash document of the calling thread, parsed as an event.
  static protocol::Event CrashDocument() {
    static char buffer[256 * 1024];
    const size_t n = internal::CrashScope::Write(buffer, sizeof(buffer), 100);
    EXPECT_GT(n, 0u);
    protocol::Event event;
    const auto status = google::protobuf::util::JsonStringToMessage(
        std::string(buffer, n), &event);
    EXPECT_TRUE(status.ok()) << status << "\n" << std::string(buffer, n);
    return event;
  }

  std::shared_ptr<testing::TestTransport> transport_ =
      std::make_shared<testing::TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(CrashScopeTest, DocumentHoldsWhatAnEventCapturedOnThatThreadHolds) {
  ConfigureScope([](Scope& scope) {
    scope.SetTag("side", "main");
    scope.SetTag("shared", "from-main");
  });
  AddBreadcrumb("before the worker", "app");
  protocol::Event document;
  std::thread worker([&] {
    // The worker's own hub (forked from main's): its tag wins over main's.
    ConfigureScope([](Scope& scope) {
      scope.SetTag("side", "worker");
      scope.SetExtra("attempt", 3);
      protocol::User user;
      user.set_id("4711");
      user.set_email("a@example.com");
      scope.SetUser(user);
    });
    Span transaction = StartTransaction({"checkout", "task"});
    ConfigureScope([&](Scope& scope) { scope.SetSpan(transaction); });
    AddBreadcrumb("last before the crash", "app");
    document = CrashDocument();
    CaptureMessage("same moment");
    transaction.Finish();
  });
  worker.join();
  ASSERT_TRUE(guard_->client()->Flush(absl::Seconds(10)));
  const auto events = transport_->events();
  const protocol::Event* captured = nullptr;
  for (const auto& event : events) {
    if (event.type().empty()) captured = &event;
  }
  ASSERT_NE(captured, nullptr);

  // The crash handler scrubs the document as the client scrubs events
  // (Options::scrub_data): the user's email goes from both.
  EXPECT_EQ(document.user().email(), "a@example.com");
  internal::Scrubber(internal::Scrubber::Config{}).Scrub(document);
  EXPECT_EQ(document.tags().at("side"), "worker");
  EXPECT_EQ(document.tags().at("shared"), "from-main");
  using Tags = std::map<std::string, std::string>;
  EXPECT_EQ(Tags(document.tags().begin(), document.tags().end()),
            Tags(captured->tags().begin(), captured->tags().end()));
  EXPECT_EQ(document.user().id(), "4711");
  EXPECT_TRUE(MessageDifferencer::Equals(document.user(), captured->user()));
  EXPECT_TRUE(MessageDifferencer::Equals(document.extra().at("attempt"),
                                         captured->extra().at("attempt")));
  const auto& trace = document.contexts().at("trace").fields();
  const auto& captured_trace = captured->contexts().at("trace").fields();
  EXPECT_EQ(trace.at("trace_id").string_value(),
            captured_trace.at("trace_id").string_value());
  EXPECT_EQ(trace.at("span_id").string_value(),
            captured_trace.at("span_id").string_value());
  EXPECT_EQ(trace.at("op").string_value(), "task");
  ASSERT_EQ(document.breadcrumbs().values_size(), 2);
  EXPECT_EQ(document.breadcrumbs().values(0).message(), "before the worker");
  EXPECT_EQ(document.breadcrumbs().values(1).message(),
            "last before the crash");
  ASSERT_EQ(captured->breadcrumbs().values_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(document.breadcrumbs().values(i).message(),
              captured->breadcrumbs().values(i).message());
    EXPECT_NEAR(document.breadcrumbs().values(i).timestamp(),
                captured->breadcrumbs().values(i).timestamp(), 1e-6);
  }
}

TEST_F(CrashScopeTest, DscIsTheActiveTransactionsFrozenOne) {
  Span transaction = StartTransaction({"nightly", "task"});
  ConfigureScope([&](Scope& scope) { scope.SetSpan(transaction); });
  char dsc[4096];
  const size_t n = internal::CrashScope::WriteDsc(dsc, sizeof(dsc));
  ASSERT_GT(n, 0u);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(std::string(dsc, n), &parsed)
          .ok());
  EXPECT_EQ(parsed.fields().at("trace_id").string_value(),
            transaction.trace_id());
  EXPECT_EQ(parsed.fields().at("transaction").string_value(), "nightly");
  transaction.Finish();
}

TEST_F(CrashScopeTest, InvalidUtf8AndNanAreWrittenAsValidJson) {
  ConfigureScope([](Scope& scope) {
    scope.SetTag("bytes", std::string("a\xff\"b\n", 5));
    scope.SetExtra("nan", std::nan(""));
    scope.SetExtra("ratio", 0.25);
  });
  const protocol::Event document = CrashDocument();
  EXPECT_EQ(document.tags().at("bytes"), "a\xef\xbf\xbd\"b\n");
  EXPECT_EQ(document.extra().at("nan").kind_case(),
            google::protobuf::Value::kNullValue);
  EXPECT_EQ(document.extra().at("ratio").number_value(), 0.25);
}

TEST_F(CrashScopeTest, TooSmallABufferGivesNothingRatherThanHalfADocument) {
  ConfigureScope(
      [](Scope& scope) { scope.SetTag("k", std::string(100, 'v')); });
  char small[64];
  EXPECT_EQ(internal::CrashScope::Write(small, sizeof(small), 100), 0u);
}

}  // namespace
}  // namespace sentry
