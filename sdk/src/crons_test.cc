// Cron check-ins through sentry::Init and a TestTransport: the items'
// JSON for both schedule kinds, the guard's sequence, status and trace, and
// what is refused.
#include "sentry/crons.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using google::protobuf::Struct;
using testing::TestTransport;

class CronsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.release = "jobs@2.1";
    options.environment = "batch";
    options.auto_session_tracking = false;
    guard_.emplace(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    guard_.reset();
    GlobalScope().Clear();
  }
  // Every check_in item sent so far, parsed, in order.
  std::vector<Struct> CheckIns() {
    EXPECT_TRUE(Flush(absl::Seconds(10)));
    std::vector<Struct> out;
    for (const Envelope& envelope : transport_->envelopes()) {
      for (const EnvelopeItem& item : envelope.items()) {
        if (item.type != "check_in") continue;
        Struct parsed;
        EXPECT_TRUE(
            google::protobuf::util::JsonStringToMessage(item.payload, &parsed)
                .ok())
            << item.payload;
        out.push_back(std::move(parsed));
      }
    }
    return out;
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

const google::protobuf::Value& Field(const Struct& s, const std::string& path) {
  const Struct* at = &s;
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot - start);
    const auto it = at->fields().find(key);
    if (it == at->fields().end()) {
      static const google::protobuf::Value* const missing =
          new google::protobuf::Value();
      ADD_FAILURE() << "no " << path;
      return *missing;
    }
    if (dot == std::string::npos) return it->second;
    at = &it->second.struct_value();
    start = dot + 1;
  }
}

TEST_F(CronsTest, ACheckInCarriesItsCrontabMonitorConfig) {
  CheckIn check_in;
  check_in.monitor_slug = "hourly-import";
  check_in.status = CheckInStatus::kOk;
  check_in.duration = absl::Milliseconds(1500);
  MonitorConfig config;
  config.schedule = MonitorSchedule::Crontab("0 * * * *");
  config.checkin_margin_minutes = 5;
  config.max_runtime_minutes = 30;
  config.timezone = "Europe/Vienna";
  config.failure_issue_threshold = 2;
  config.recovery_threshold = 3;
  check_in.monitor_config = config;
  const std::string id = CaptureCheckIn(check_in);
  ASSERT_EQ(id.size(), 32u);

  const std::vector<Struct> sent = CheckIns();
  ASSERT_EQ(sent.size(), 1u);
  const Struct& c = sent[0];
  EXPECT_EQ(Field(c, "check_in_id").string_value(), id);
  EXPECT_EQ(Field(c, "monitor_slug").string_value(), "hourly-import");
  EXPECT_EQ(Field(c, "status").string_value(), "ok");
  EXPECT_EQ(Field(c, "duration").number_value(), 1.5);
  EXPECT_EQ(Field(c, "release").string_value(), "jobs@2.1");
  EXPECT_EQ(Field(c, "environment").string_value(), "batch");
  EXPECT_EQ(Field(c, "contexts.trace.trace_id").string_value().size(), 32u);
  EXPECT_EQ(Field(c, "contexts.trace.span_id").string_value().size(), 16u);
  EXPECT_EQ(Field(c, "monitor_config.schedule.type").string_value(), "crontab");
  EXPECT_EQ(Field(c, "monitor_config.schedule.value").string_value(),
            "0 * * * *");
  EXPECT_EQ(Field(c, "monitor_config.schedule").struct_value().fields_size(),
            2);
  EXPECT_EQ(Field(c, "monitor_config.checkin_margin").number_value(), 5);
  EXPECT_EQ(Field(c, "monitor_config.max_runtime").number_value(), 30);
  EXPECT_EQ(Field(c, "monitor_config.timezone").string_value(),
            "Europe/Vienna");
  EXPECT_EQ(Field(c, "monitor_config.failure_issue_threshold").number_value(),
            2);
  EXPECT_EQ(Field(c, "monitor_config.recovery_threshold").number_value(), 3);
  // The check-in is an envelope of its own, as Relay expects.
  for (const Envelope& envelope : transport_->envelopes()) {
    for (const EnvelopeItem& item : envelope.items()) {
      if (item.type == "check_in") {
        for (const EnvelopeItem& other : envelope.items()) {
          EXPECT_TRUE(other.type == "check_in" || other.type == "client_report")
              << other.type;
        }
      }
    }
  }
}

TEST_F(CronsTest, AnIntervalScheduleHasItsValueAndUnit) {
  CheckIn check_in;
  check_in.monitor_slug = "cleanup";
  check_in.status = CheckInStatus::kInProgress;
  check_in.monitor_config.emplace();
  check_in.monitor_config->schedule =
      MonitorSchedule::Interval(2, IntervalUnit::kHour);
  ASSERT_EQ(CaptureCheckIn(check_in).size(), 32u);
  const std::vector<Struct> sent = CheckIns();
  ASSERT_EQ(sent.size(), 1u);
  const Struct& c = sent[0];
  EXPECT_EQ(Field(c, "status").string_value(), "in_progress");
  EXPECT_EQ(c.fields().count("duration"), 0u);
  EXPECT_EQ(Field(c, "monitor_config.schedule.type").string_value(),
            "interval");
  EXPECT_EQ(Field(c, "monitor_config.schedule.value").number_value(), 2);
  EXPECT_EQ(Field(c, "monitor_config.schedule.unit").string_value(), "hour");
  // Unset limits are left to Sentry's defaults.
  EXPECT_EQ(Field(c, "monitor_config").struct_value().fields_size(), 1);
}

TEST_F(CronsTest, AGuardedRunIsInProgressThenOkInItsOwnTrace) {
  std::string run_trace, check_in_id;
  {
    MonitorGuard run("nightly-report");
    run_trace = run.trace_id();
    check_in_id = run.check_in_id();
    CaptureMessage("inside the run");
  }
  CaptureMessage("after the run");
  const std::vector<Struct> sent = CheckIns();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(Field(sent[0], "status").string_value(), "in_progress");
  EXPECT_EQ(Field(sent[1], "status").string_value(), "ok");
  EXPECT_EQ(Field(sent[0], "check_in_id").string_value(), check_in_id);
  EXPECT_EQ(Field(sent[1], "check_in_id").string_value(), check_in_id);
  EXPECT_EQ(sent[0].fields().count("duration"), 0u);
  EXPECT_GE(Field(sent[1], "duration").number_value(), 0.0);
  for (const Struct& c : sent) {
    EXPECT_EQ(Field(c, "monitor_slug").string_value(), "nightly-report");
    EXPECT_EQ(Field(c, "contexts.trace.trace_id").string_value(), run_trace);
  }
  const std::vector<protocol::Event> events = transport_->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(
      events[0].contexts().at("trace").fields().at("trace_id").string_value(),
      run_trace);
  EXPECT_NE(
      events[1].contexts().at("trace").fields().at("trace_id").string_value(),
      run_trace);
}

TEST_F(CronsTest, ARunEndsAsErrorWhenAnExceptionUnwindsItOrItFails) {
  try {
    MonitorGuard run("import");
    throw std::runtime_error("upstream down");
  } catch (const std::exception&) {
  }
  {
    MonitorGuard run("export");
    run.MarkFailed();
  }
  // A guard destroyed inside a catch block, with no new exception in
  // flight, ends ok.
  try {
    throw std::runtime_error("handled before the run");
  } catch (const std::exception&) {
    MonitorGuard run("retry");
  }
  const std::vector<Struct> sent = CheckIns();
  ASSERT_EQ(sent.size(), 6u);
  std::vector<std::string> closing;
  for (const Struct& c : sent) {
    if (Field(c, "status").string_value() == "in_progress") continue;
    closing.push_back(Field(c, "monitor_slug").string_value() + " " +
                      Field(c, "status").string_value());
  }
  EXPECT_EQ(closing, (std::vector<std::string>{"import error", "export error",
                                               "retry ok"}));
}

TEST_F(CronsTest, InvalidCheckInsAreRefusedAndNothingIsSent) {
  CheckIn no_slug;
  EXPECT_EQ(CaptureCheckIn(no_slug), "");
  CheckIn long_slug;
  long_slug.monitor_slug = std::string(51, 'a');
  EXPECT_EQ(CaptureCheckIn(long_slug), "");
  CheckIn bad_id;
  bad_id.monitor_slug = "job";
  bad_id.check_in_id = "not-an-id";
  EXPECT_EQ(CaptureCheckIn(bad_id), "");
  CheckIn zero_interval;
  zero_interval.monitor_slug = "job";
  zero_interval.monitor_config.emplace();
  zero_interval.monitor_config->schedule =
      MonitorSchedule::Interval(0, IntervalUnit::kDay);
  EXPECT_EQ(CaptureCheckIn(zero_interval), "");
  CheckIn zero_threshold;
  zero_threshold.monitor_slug = "job";
  zero_threshold.monitor_config.emplace();
  zero_threshold.monitor_config->schedule = MonitorSchedule::Crontab("@daily");
  zero_threshold.monitor_config->failure_issue_threshold = 0;
  EXPECT_EQ(CaptureCheckIn(zero_threshold), "");
  EXPECT_TRUE(CheckIns().empty());
}

TEST(CronsWithoutSdkTest, NothingIsSentAndTheRunStillWorks) {
  std::string id = "unset";
  {
    MonitorGuard run("job");
    id = run.check_in_id();
  }
  EXPECT_EQ(id, "");
  EXPECT_EQ(CaptureCheckIn({"job", CheckInStatus::kOk}), "");
}

}  // namespace
}  // namespace sentry
