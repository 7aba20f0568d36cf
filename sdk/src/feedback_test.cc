// User feedback through sentry::Init and a TestTransport: the item's JSON,
// the scope's data on it, before_send_feedback and what is refused.
#include "sentry/feedback.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using google::protobuf::Struct;
using testing::TestTransport;

class FeedbackTest : public ::testing::Test {
 protected:
  void Init(Options options = Options()) {
    options.transport = transport_;
    options.release = "app@3.0";
    options.auto_session_tracking = false;
    guard_.emplace(sentry::Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    guard_.reset();
    GlobalScope().Clear();
  }
  // The feedback items sent, parsed, with their envelopes' event_id.
  std::vector<std::pair<std::string, Struct>> FeedbackItems() {
    EXPECT_TRUE(Flush(absl::Seconds(10)));
    std::vector<std::pair<std::string, Struct>> out;
    for (const Envelope& envelope : transport_->envelopes()) {
      for (const EnvelopeItem& item : envelope.items()) {
        if (item.type != "feedback") continue;
        Struct parsed;
        EXPECT_TRUE(
            google::protobuf::util::JsonStringToMessage(item.payload, &parsed)
                .ok())
            << item.payload;
        out.emplace_back(envelope.event_id(), std::move(parsed));
      }
    }
    return out;
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

const Struct& Object(const Struct& s, const std::string& key) {
  return s.fields().at(key).struct_value();
}
std::string Text(const Struct& s, const std::string& key) {
  const auto it = s.fields().find(key);
  return it == s.fields().end() ? "(missing)" : it->second.string_value();
}

TEST_F(FeedbackTest, AFeedbackItemCarriesItsFieldsAndTheScopesData) {
  Init();
  ConfigureScope([](Scope& scope) {
    scope.SetTag("screen", "export");
    protocol::User user;
    user.set_id("4711");
    scope.SetUser(user);
  });
  AddBreadcrumb("clicked export");
  const std::string error_id = CaptureMessage("export failed", Level::kError);
  Feedback feedback;
  feedback.message = "The export stopped at 80%";
  feedback.contact_email = "ann@example.com";
  feedback.name = "Ann";
  // A dashed UUID is the same id.
  feedback.associated_event_id =
      absl::StrCat(error_id.substr(0, 8), "-", error_id.substr(8, 4), "-",
                   error_id.substr(12, 4), "-", error_id.substr(16, 4), "-",
                   error_id.substr(20));
  feedback.url = "app://export";
  const std::string id = CaptureFeedback(feedback);
  ASSERT_EQ(id.size(), 32u);
  EXPECT_NE(id, error_id);

  const auto items = FeedbackItems();
  ASSERT_EQ(items.size(), 1u);
  const auto& [envelope_id, event] = items[0];
  EXPECT_EQ(envelope_id, id);
  EXPECT_EQ(Text(event, "event_id"), id);
  EXPECT_EQ(Text(event, "type"), "feedback");
  EXPECT_EQ(Text(event, "level"), "info");
  EXPECT_EQ(Text(event, "release"), "app@3.0");
  const Struct& context = Object(Object(event, "contexts"), "feedback");
  EXPECT_EQ(Text(context, "message"), "The export stopped at 80%");
  EXPECT_EQ(Text(context, "contact_email"), "ann@example.com");
  EXPECT_EQ(Text(context, "name"), "Ann");
  EXPECT_EQ(Text(context, "associated_event_id"), error_id);
  EXPECT_EQ(Text(context, "url"), "app://export");
  EXPECT_EQ(Text(Object(event, "tags"), "screen"), "export");
  EXPECT_EQ(Text(Object(event, "user"), "id"), "4711");
  EXPECT_EQ(Text(Object(Object(event, "contexts"), "trace"), "trace_id").size(),
            32u);
  // Not an error: no breadcrumbs.
  EXPECT_EQ(event.fields().count("breadcrumbs"), 0u);
}

TEST_F(FeedbackTest, BeforeSendFeedbackSeesItAndItsDropsAreCounted) {
  std::vector<std::string> seen;
  Options options;
  options.before_send_feedback = [&seen](protocol::Event& feedback) {
    const std::string message = feedback.contexts()
                                    .at("feedback")
                                    .fields()
                                    .at("message")
                                    .string_value();
    seen.push_back(message);
    return message != "spam";
  };
  Init(std::move(options));
  EXPECT_EQ(CaptureFeedback({"spam"}).size(), 32u);
  EXPECT_EQ(CaptureFeedback({"useful"}).size(), 32u);
  const auto items = FeedbackItems();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(
      Text(Object(Object(items[0].second, "contexts"), "feedback"), "message"),
      "useful");
  EXPECT_EQ(seen, (std::vector<std::string>{"spam", "useful"}));
  const ClientReports& reports = guard_->client()->client_reports();
  EXPECT_EQ(reports.Count(DiscardReason::kBeforeSend, DataCategory::kFeedback),
            1u);
  EXPECT_EQ(reports.Count(DiscardReason::kBeforeSend, DataCategory::kError),
            0u);
}

TEST_F(FeedbackTest, AMessageIsCutAt4096Characters) {
  Init();
  std::string message;
  for (int i = 0; i < 5000; ++i) message += "\xc3\xa9";  // é, two bytes
  ASSERT_EQ(CaptureFeedback({message}).size(), 32u);
  const auto items = FeedbackItems();
  ASSERT_EQ(items.size(), 1u);
  const std::string sent =
      Text(Object(Object(items[0].second, "contexts"), "feedback"), "message");
  EXPECT_EQ(sent.size(), 4096u * 2);
  EXPECT_EQ(sent, message.substr(0, 4096 * 2));
}

TEST_F(FeedbackTest, FeedbackWithoutAMessageOrWithABadEventIdIsRefused) {
  Init();
  EXPECT_EQ(CaptureFeedback({""}), "");
  Feedback bad_id;
  bad_id.message = "hello";
  bad_id.associated_event_id = "not-an-id";
  EXPECT_EQ(CaptureFeedback(bad_id), "");
  EXPECT_TRUE(FeedbackItems().empty());
}

}  // namespace
}  // namespace sentry
