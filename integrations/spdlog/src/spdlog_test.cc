#include "sentry/integrations/spdlog.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"
#include "spdlog/logger.h"
#include "spdlog/spdlog.h"

namespace sentry::integrations {
namespace {

using google::protobuf::Struct;
using testing::TestTransport;

using testing::RecordAttribute;
using testing::RecordField;

class SpdlogSinkTest : public ::testing::Test {
 protected:
  void Init(SpdlogSink::Options sink_options = {}) {
    Options options;
    options.dsn = "https://key@o1.ingest.sentry.io/2";
    options.transport = transport_;
    guard_.emplace(sentry::Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok());
    logger_ = std::make_shared<spdlog::logger>(
        "billing", std::make_shared<SpdlogSink>(sink_options));
    logger_->set_level(spdlog::level::trace);
  }
  void TearDown() override { guard_.reset(); }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
  std::shared_ptr<spdlog::logger> logger_;
};

TEST_F(SpdlogSinkTest, RecordsBecomeLogsWithTheirTextOriginLoggerAndSource) {
  Init();
  SPDLOG_LOGGER_WARN(logger_, "order {} costs $0 {}", 4711, "EUR");
  const int line = __LINE__ - 1;
  logger_->debug("below the default level");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 1u);
  // Formatted once, by spdlog; no template of the SDK's applied.
  EXPECT_EQ(RecordField(logs[0], "body"), "order 4711 costs $0 EUR");
  EXPECT_EQ(RecordField(logs[0], "level"), "warn");
  EXPECT_EQ(RecordAttribute(logs[0], "sentry.origin"),
            "string:auto.log.spdlog");
  EXPECT_EQ(RecordAttribute(logs[0], "logger.name"), "string:billing");
  EXPECT_EQ(RecordAttribute(logs[0], "sentry.message.template"), "<absent>");
  EXPECT_NE(RecordAttribute(logs[0], "code.file.path").find("spdlog_test.cc"),
            std::string::npos);
  EXPECT_EQ(RecordAttribute(logs[0], "code.line.number"),
            absl::StrCat("integer:", line));
}

TEST_F(SpdlogSinkTest, LevelsMapToSentryLevels) {
  SpdlogSink::Options options;
  options.logs = spdlog::level::trace;
  Init(options);
  logger_->trace("t");
  logger_->debug("d");
  logger_->info("i");
  logger_->warn("w");
  logger_->error("e");
  logger_->critical("c");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::map<std::string, std::string> levels;
  for (const Struct& log : transport_->logs()) {
    levels[RecordField(log, "body")] = RecordField(log, "level");
  }
  EXPECT_EQ(levels, (std::map<std::string, std::string>{{"t", "trace"},
                                                        {"d", "debug"},
                                                        {"i", "info"},
                                                        {"w", "warn"},
                                                        {"e", "error"},
                                                        {"c", "fatal"}}));
}

TEST_F(SpdlogSinkTest, ErrorsBecomeEventsWithEarlierRecordsAsBreadcrumbs) {
  SpdlogSink::Options options;
  options.breadcrumbs = spdlog::level::info;
  options.events = spdlog::level::err;
  Init(options);
  logger_->info("reserving stock");
  logger_->error("payment declined: {}", "insufficient funds");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto events = transport_->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].logentry().message(),
            "payment declined: insufficient funds");
  EXPECT_EQ(events[0].level(), "error");
  ASSERT_EQ(events[0].breadcrumbs().values_size(), 1);
  EXPECT_EQ(events[0].breadcrumbs().values(0).message(), "reserving stock");
  EXPECT_EQ(events[0].breadcrumbs().values(0).category(), "billing");
  // The error and the log lines share one trace.
  const std::string trace =
      events[0].contexts().at("trace").fields().at("trace_id").string_value();
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 2u);
  for (const Struct& log : logs) EXPECT_EQ(RecordField(log, "trace_id"), trace);
}

TEST_F(SpdlogSinkTest, ThreadsLoggingThroughOneSinkLoseNothing) {
  Init();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) logger_->info("thread {} line {}", t, i);
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::map<std::string, int> bodies;
  for (const Struct& log : transport_->logs())
    ++bodies[RecordField(log, "body")];
  EXPECT_EQ(bodies.size(), 400u);
  EXPECT_EQ(bodies["thread 3 line 99"], 1);
}

}  // namespace
}  // namespace sentry::integrations
