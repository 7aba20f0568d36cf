// Structured logs and metrics through the public API: what each record
// carries (body, template, parameters, level, trace, attributes), how they
// are batched and bounded, the user's callbacks, and the envelopes.
#include "sentry/logs.h"

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "sdk/src/json.h"
#include "sentry/metrics.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"
#include "sentry/tracing.h"

namespace sentry {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using testing::TestTransport;

constexpr char kDsn[] = "https://key@o42.ingest.sentry.io/7";

std::string Field(const Struct& record, const std::string& key) {
  return testing::RecordField(record, key);
}
std::string Attr(const Struct& record, const std::string& key) {
  return testing::RecordAttribute(record, key);
}

class LogsTest : public ::testing::Test {
 protected:
  void Init(Options options = Options()) {
    options.dsn = kDsn;
    options.release = "app@1.0";
    options.environment = "staging";
    options.server_name = "host-1";
    options.transport = transport_;
    guard_.emplace(sentry::Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    transport_->Resume();
    guard_.reset();
    GlobalScope().RemoveAttribute("service");
  }
  // The log and metric envelopes' items: each checked against the item
  // format (TELEMETRY.md sections 5, 6).
  void ExpectValidItems() {
    for (const Envelope& envelope : transport_->envelopes()) {
      for (const EnvelopeItem& item : envelope.items()) {
        if (item.type != "log" && item.type != "trace_metric") continue;
        // Logs and metrics travel alone, without a dynamic sampling context.
        EXPECT_EQ(envelope.items().size(), 1u);
        EXPECT_FALSE(envelope.Header("trace").has_value());
        Struct payload;
        ASSERT_TRUE(
            google::protobuf::util::JsonStringToMessage(item.payload, &payload)
                .ok());
        const auto& items = payload.fields().at("items").list_value();
        EXPECT_EQ(item.Header("item_count"), absl::StrCat(items.values_size()));
        EXPECT_LE(items.values_size(), 100);
        EXPECT_EQ(item.StringHeader("content_type"),
                  item.type == "log"
                      ? "application/vnd.sentry.items.log+json"
                      : "application/vnd.sentry.items.trace-metric+json");
        for (const Value& v : items.values()) {
          const Struct& r = v.struct_value();
          EXPECT_TRUE(r.fields().at("timestamp").has_number_value());
          EXPECT_EQ(Field(r, "trace_id").size(), 32u);
          for (const auto& [key, attribute] :
               r.fields().at("attributes").struct_value().fields()) {
            const std::string type =
                attribute.struct_value().fields().at("type").string_value();
            EXPECT_TRUE(type == "string" || type == "boolean" ||
                        type == "integer" || type == "double")
                << key << ": " << type;
          }
        }
      }
    }
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(LogsTest, LogCarriesBodyTemplateTypedParametersAndDefaults) {
  Init();
  logger::Info("order $0 paid by $1 ($2, $3)", 4711, "ann", true, 2.5);
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 1u);
  const Struct& log = logs[0];
  EXPECT_EQ(Field(log, "body"), "order 4711 paid by ann (true, 2.5)");
  EXPECT_EQ(Field(log, "level"), "info");
  EXPECT_EQ(Field(log, "severity_number"), "9");
  EXPECT_EQ(Attr(log, "sentry.message.template"),
            "string:order $0 paid by $1 ($2, $3)");
  EXPECT_EQ(Attr(log, "sentry.message.parameter.0"), "integer:4711");
  EXPECT_EQ(Attr(log, "sentry.message.parameter.1"), "string:ann");
  EXPECT_EQ(Attr(log, "sentry.message.parameter.2"), "boolean:true");
  EXPECT_EQ(Attr(log, "sentry.message.parameter.3"), "double:2.5");
  EXPECT_EQ(Attr(log, "sentry.environment"), "string:staging");
  EXPECT_EQ(Attr(log, "sentry.release"), "string:app@1.0");
  EXPECT_EQ(Attr(log, "sentry.sdk.name"), "string:sentry.cpp");
  EXPECT_EQ(Attr(log, "sentry.sdk.version"),
            absl::StrCat("string:", kSdkVersion));
  EXPECT_EQ(Attr(log, "server.address"), "string:host-1");
  ExpectValidItems();
}

TEST_F(LogsTest, LogWithoutArgumentsHasNoTemplate) {
  Init();
  logger::Warn("disk at 91%, $0 and $$ stay");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(Field(logs[0], "body"), "disk at 91%, $0 and $$ stay");
  EXPECT_EQ(Attr(logs[0], "sentry.message.template"), "<absent>");
  EXPECT_EQ(Attr(logs[0], "sentry.message.parameter.0"), "<absent>");
}

TEST_F(LogsTest, EnabledSaysWhetherALogWouldBeRecorded) {
  EXPECT_FALSE(logger::Enabled());  // No SDK yet.
  Init();
  EXPECT_TRUE(logger::Enabled());
  guard_.reset();
  EXPECT_FALSE(logger::Enabled());
}

TEST_F(LogsTest, EachLevelHasItsNameAndSeverityNumber) {
  Init();
  logger::Trace("t");
  logger::Debug("d");
  logger::Info("i");
  logger::Warn("w");
  logger::Error("e");
  logger::Fatal("f");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::map<std::string, std::string> got;
  for (const Struct& log : transport_->logs()) {
    got[Field(log, "body")] =
        Field(log, "level") + "/" + Field(log, "severity_number");
  }
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"t", "trace/1"},
                                                     {"d", "debug/5"},
                                                     {"i", "info/9"},
                                                     {"w", "warn/13"},
                                                     {"e", "error/17"},
                                                     {"f", "fatal/21"}}));
}

TEST_F(LogsTest, LogsShareTheTraceOfTheScopesErrorsAndTheActiveSpansId) {
  Options options;
  options.traces_sample_rate = 1.0;
  Init(std::move(options));
  logger::Info("no span");
  sentry::CaptureMessage("an error");
  Span transaction = sentry::StartTransaction({"job", "task"});
  Span child = transaction.StartChild("db", "select");
  ConfigureScope([&](Scope& scope) { scope.SetSpan(child); });
  logger::Info("in span");
  ConfigureScope([&](Scope& scope) { scope.SetSpan(Span()); });
  child.Finish();
  transaction.Finish();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));

  const auto events = transport_->events();
  ASSERT_EQ(events.size(), 1u);
  const std::string error_trace =
      events[0].contexts().at("trace").fields().at("trace_id").string_value();
  std::map<std::string, Struct> logs;
  for (const Struct& log : transport_->logs()) logs[Field(log, "body")] = log;
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(Field(logs["no span"], "trace_id"), error_trace);
  EXPECT_EQ(Field(logs["no span"], "span_id"), "<absent>");
  EXPECT_EQ(Field(logs["in span"], "trace_id"), child.trace_id());
  EXPECT_EQ(Field(logs["in span"], "span_id"), child.span_id());
}

TEST_F(LogsTest, ScopeAttributesApplyAndTheCallsWin) {
  Init();
  GlobalScope().SetAttribute("service", "billing");
  GlobalScope().SetAttribute("tier", 0);  // The scope's wins.
  ConfigureScope([](Scope& scope) {
    scope.SetAttribute("region", "eu");
    scope.SetAttribute("tier", 1);
  });
  logger::Info(LogAttributes{{"region", "us"}, {"retry", false}}, "call");
  WithScope([](Scope& scope) {
    scope.SetAttribute("step", 2.5);
    logger::Info("pushed");
  });
  logger::Info("after");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::map<std::string, Struct> logs;
  for (const Struct& log : transport_->logs()) logs[Field(log, "body")] = log;
  ASSERT_EQ(logs.size(), 3u);
  EXPECT_EQ(Attr(logs["call"], "service"), "string:billing");
  EXPECT_EQ(Attr(logs["call"], "region"), "string:us");
  EXPECT_EQ(Attr(logs["call"], "tier"), "integer:1");
  EXPECT_EQ(Attr(logs["call"], "retry"), "boolean:false");
  EXPECT_EQ(Attr(logs["pushed"], "step"), "double:2.5");
  EXPECT_EQ(Attr(logs["pushed"], "region"), "string:eu");
  EXPECT_EQ(Attr(logs["after"], "step"), "<absent>");
  EXPECT_EQ(Attr(logs["after"], "service"), "string:billing");
  EXPECT_EQ(Attr(logs["pushed"], "tier"), "integer:1");
  EXPECT_EQ(Attr(logs["after"], "tier"), "integer:1");
  GlobalScope().RemoveAttribute("tier");
}

// Attributes in braces at the call are borrowed, and arrive typed as the
// same attributes built beforehand as LogAttributes; they win over the
// scope's too. The record they are copied into is reused: a later log
// with fewer keeps none of the earlier one's.
TEST_F(LogsTest, AttributesInBracesArriveAsBuiltOnes) {
  Init();
  ConfigureScope([](Scope& scope) { scope.SetAttribute("region", "eu"); });
  const std::string queue = "billing";
  for (int i = 0; i < 3; ++i) {
    logger::Warn({{"queue", queue},
                  {"region", "us"},
                  {"depth", 1200},
                  {"big", uint64_t{1} << 63},
                  {"ratio", 0.25},
                  {"retry", true}},
                 "braces $0", i);
    logger::Warn(LogAttributes{{"queue", queue},
                               {"region", "us"},
                               {"depth", 1200},
                               {"big", uint64_t{1} << 63},
                               {"ratio", 0.25},
                               {"retry", true}},
                 "built $0", i);
    logger::Emit(LogLevel::kInfo, {{"only", "one"}}, "fewer $0", i);
  }
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::map<std::string, Struct> logs;
  for (const Struct& log : transport_->logs()) logs[Field(log, "body")] = log;
  ASSERT_EQ(logs.size(), 9u);
  for (const std::string name :
       {"queue", "region", "depth", "big", "ratio", "retry", "only"}) {
    EXPECT_EQ(Attr(logs["braces 2"], name), Attr(logs["built 2"], name))
        << name;
  }
  EXPECT_EQ(Attr(logs["braces 2"], "queue"), "string:billing");
  EXPECT_EQ(Attr(logs["braces 2"], "region"), "string:us");
  EXPECT_EQ(Attr(logs["braces 2"], "depth"), "integer:1200");
  EXPECT_EQ(Attr(logs["braces 2"], "big"), "string:9223372036854775808");
  EXPECT_EQ(Attr(logs["braces 2"], "ratio"), "double:0.25");
  EXPECT_EQ(Attr(logs["braces 2"], "retry"), "boolean:true");
  EXPECT_EQ(Field(logs["fewer 2"], "level"), "info");
  EXPECT_EQ(Attr(logs["fewer 2"], "only"), "string:one");
  EXPECT_EQ(Attr(logs["fewer 2"], "queue"), "<absent>");
  EXPECT_EQ(Attr(logs["fewer 2"], "region"), "string:eu");
}

TEST_F(LogsTest, SendsAtMostOneHundredPerEnvelope) {
  Init();
  for (int i = 0; i < 250; ++i) logger::Info("line $0", i);
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::vector<std::string> counts;
  std::set<std::string> bodies;
  for (const Envelope& envelope : transport_->envelopes()) {
    if (envelope.items()[0].type != "log") continue;
    counts.push_back(envelope.items()[0].Header("item_count").value_or(""));
  }
  for (const Struct& log : transport_->logs())
    bodies.insert(Field(log, "body"));
  EXPECT_EQ(bodies.size(), 250u);
  EXPECT_TRUE(bodies.count("line 0") && bodies.count("line 249"));
  // The thread sends 100 as soon as they wait; Flush sends the rest.
  EXPECT_EQ(counts, (std::vector<std::string>{"100", "100", "50"}));
  ExpectValidItems();
}

TEST_F(LogsTest, BeyondOneThousandWaitingAreDroppedAndCounted) {
  Init();
  transport_->Pause();
  // The first 100 wake the batching thread, which stalls sending them.
  for (int i = 0; i < 100; ++i) logger::Info("first $0", i);
  ASSERT_TRUE(transport_->WaitForPausedSends(1, absl::Seconds(30)));
  for (int i = 0; i < 1000; ++i) logger::Info("waits $0", i);
  for (int i = 0; i < 7; ++i) logger::Info("dropped $0", i);
  transport_->Resume();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  EXPECT_EQ(transport_->logs().size(), 1100u);
  for (const Struct& log : transport_->logs()) {
    EXPECT_NE(Field(log, "body").rfind("dropped", 0), 0u);
  }
  const auto reports = transport_->client_reports();
  std::map<std::string, uint64_t> dropped;
  for (const Envelope& envelope : transport_->envelopes()) {
    for (const EnvelopeItem& item : envelope.items()) {
      if (item.type != "client_report") continue;
      Struct report;
      ASSERT_TRUE(
          google::protobuf::util::JsonStringToMessage(item.payload, &report)
              .ok());
      for (const Value& d :
           report.fields().at("discarded_events").list_value().values()) {
        const auto& f = d.struct_value().fields();
        dropped[f.at("reason").string_value() + "/" +
                f.at("category").string_value()] +=
            static_cast<uint64_t>(f.at("quantity").number_value());
      }
    }
  }
  EXPECT_EQ(dropped["queue_overflow/log_item"], 7u);
  // Each about its template, its argument and a record's overhead.
  EXPECT_GT(dropped["queue_overflow/log_byte"], 7u * 20);
}

TEST_F(LogsTest, BeforeSendLogChangesOrDropsAndAThrowDrops) {
  Options options;
  options.before_send_log = [](Log& log) {
    if (log.body == "secret") return false;
    if (log.body == "throws") throw std::runtime_error("bug");
    log.body += " (seen)";
    log.attributes["checked"] = true;
    return true;
  };
  Init(std::move(options));
  logger::Info("kept");
  logger::Info("secret");
  logger::Info("throws");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(Field(logs[0], "body"), "kept (seen)");
  EXPECT_EQ(Attr(logs[0], "checked"), "boolean:true");
  // The dropped and the thrown one, as logs (not metrics), with bytes.
  const auto reports = transport_->client_reports();
  EXPECT_EQ(reports->Count(DiscardReason::kBeforeSend, DataCategory::kLogItem),
            2u);
  EXPECT_GT(reports->Count(DiscardReason::kBeforeSend, DataCategory::kLogByte),
            0u);
  EXPECT_EQ(
      reports->Count(DiscardReason::kBeforeSend, DataCategory::kTraceMetric),
      0u);
}

// Every attribute of a record as "key" -> "type:value".
std::map<std::string, std::string> AllAttributes(const Struct& record) {
  std::map<std::string, std::string> all;
  for (const auto& [key, value] :
       record.fields().at("attributes").struct_value().fields()) {
    all[key] = Attr(record, key);
  }
  return all;
}

TEST_F(LogsTest, WithOrWithoutBeforeSendLogTheSameLogIsSent) {
  const auto log_once = [this](Options options) {
    Init(std::move(options));
    ConfigureScope([](Scope& scope) {
      scope.SetAttribute("region", "eu");
      scope.SetAttribute("tier", 1);
    });
    logger::Error(LogAttributes{{"region", "us"}, {"ratio", 0.5}},
                  "job $0 failed: $1", 7, "timeout");
    EXPECT_TRUE(sentry::Flush(absl::Seconds(10)));
    const auto logs = transport_->logs();
    EXPECT_EQ(logs.size(), 1u);
    guard_.reset();
    transport_->Clear();
    return logs.empty() ? Struct() : logs[0];
  };
  Options seen;
  seen.before_send_log = [](Log&) { return true; };
  const Struct direct = log_once(Options());
  const Struct through_callback = log_once(std::move(seen));
  EXPECT_EQ(Field(direct, "body"), "job 7 failed: timeout");
  EXPECT_EQ(Field(through_callback, "body"), "job 7 failed: timeout");
  EXPECT_EQ(AllAttributes(direct), AllAttributes(through_callback));
  EXPECT_EQ(AllAttributes(direct)["region"], "string:us");
  EXPECT_EQ(AllAttributes(direct)["tier"], "integer:1");
  EXPECT_EQ(AllAttributes(direct)["ratio"], "double:0.5");
  EXPECT_EQ(AllAttributes(direct)["sentry.message.parameter.1"],
            "string:timeout");
}

TEST_F(LogsTest, TheSdksOwnDebugLogNeverBecomesSentryLogs) {
  Options options;
  options.debug = true;  // The SDK writes its log (to stderr).
  options.before_send = [](protocol::Event&) { return false; };
  Init(std::move(options));
  CaptureMessage("dropped by before_send");  // The SDK logs the drop.
  CaptureCheckIn({"", CheckInStatus::kOk});  // It logs the refusal.
  logger::Info("the program's own line");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(Field(logs[0], "body"), "the program's own line");
}

TEST_F(LogsTest, EnableLogsOffSendsNoLogsButStillEvents) {
  Options options;
  options.enable_logs = false;
  options.enable_metrics = false;
  Init(std::move(options));
  logger::Error("not sent");
  metrics::Count("not.sent");
  sentry::CaptureMessage("sent");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  EXPECT_TRUE(transport_->logs().empty());
  EXPECT_TRUE(transport_->metrics().empty());
  EXPECT_EQ(transport_->events().size(), 1u);
}

TEST_F(LogsTest,
       EachThreadsLogsCarryItsOwnScopesAttributesWhileTheTransportStalls) {
  Init();
  transport_->Pause();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;  // 800 in all: within the 1000 that wait.
  std::vector<std::thread> threads;
  // Each thread's trace: the main hub's, inherited, or (odd threads) one
  // of its own.
  std::vector<std::string> traces(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &traces] {
      ConfigureScope([t](Scope& scope) { scope.SetAttribute("thread", t); });
      if (t % 2 == 1) StartNewTrace();
      traces[t] = GetTraceHeaders().sentry_trace.substr(0, 32);
      for (int i = 0; i < kPerThread; ++i) {
        logger::Info("thread $0 line $1", t, i);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  transport_->Resume();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(30)));
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> bodies;
  for (const Struct& log : logs) {
    const std::string body = Field(log, "body");
    bodies.insert(body);
    // "thread T line I" carries thread T's attribute and trace, no other's.
    const std::string t = body.substr(7, body.find(' ', 7) - 7);
    EXPECT_EQ(Attr(log, "thread"), absl::StrCat("integer:", t));
    EXPECT_EQ(Field(log, "trace_id"), traces[std::stoi(t)]) << body;
  }
  EXPECT_NE(traces[0], traces[1]);
  EXPECT_EQ(traces[0], traces[2]);  // Both inherited the main hub's.
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kThreads * kPerThread));
  ExpectValidItems();
}

TEST_F(LogsTest, MetricsCarryTypeValueUnitTraceAndAttributes) {
  Init();
  ConfigureScope([](Scope& scope) { scope.SetAttribute("region", "eu"); });
  metrics::Count("checkout.failed");
  metrics::Gauge("queue.depth", 1200, "", {{"queue", "billing"}});
  metrics::Distribution("payment.latency", 87.5, "millisecond",
                        {{"region", "us"}});
  sentry::CaptureMessage("an error");
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const std::string trace = transport_->events()[0]
                                .contexts()
                                .at("trace")
                                .fields()
                                .at("trace_id")
                                .string_value();
  std::map<std::string, Struct> metrics;
  for (const Struct& m : transport_->metrics()) metrics[Field(m, "name")] = m;
  ASSERT_EQ(metrics.size(), 3u);
  EXPECT_EQ(Field(metrics["checkout.failed"], "type"), "counter");
  EXPECT_EQ(Field(metrics["checkout.failed"], "value"), "1");
  EXPECT_EQ(Field(metrics["checkout.failed"], "unit"), "<absent>");
  EXPECT_EQ(Field(metrics["queue.depth"], "type"), "gauge");
  EXPECT_EQ(Field(metrics["queue.depth"], "value"), "1200");
  EXPECT_EQ(Attr(metrics["queue.depth"], "queue"), "string:billing");
  EXPECT_EQ(Attr(metrics["queue.depth"], "region"), "string:eu");
  EXPECT_EQ(Field(metrics["payment.latency"], "type"), "distribution");
  EXPECT_EQ(Field(metrics["payment.latency"], "value"), "87.5");
  EXPECT_EQ(Field(metrics["payment.latency"], "unit"), "millisecond");
  EXPECT_EQ(Attr(metrics["payment.latency"], "region"), "string:us");
  for (auto& [name, m] : metrics) {
    EXPECT_EQ(Field(m, "trace_id"), trace) << name;
    EXPECT_EQ(Attr(m, "sentry.environment"), "string:staging") << name;
  }
  ExpectValidItems();
}

// Attributes in braces are borrowed for the call (no LogAttributes is
// built): each keeps its type, a record reused for the next metric keeps
// none of the last one's, and a LogAttributes built beforehand still works.
TEST_F(LogsTest, MetricAttributesInBracesKeepTheirTypes) {
  Init();
  metrics::Count(
      "jobs.done", 1,
      {{"queue", "billing"}, {"shard", 7}, {"retry", false}, {"ratio", 0.5}});
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  metrics::Count("jobs.failed", 2, {{"queue", "mail"}});
  const LogAttributes prebuilt = {{"tier", AttributeValue(3)}};
  metrics::Gauge("queue.depth", 12, "", prebuilt);
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  std::map<std::string, Struct> metrics;
  for (const Struct& m : transport_->metrics()) metrics[Field(m, "name")] = m;
  ASSERT_EQ(metrics.size(), 3u);
  const Struct& done = metrics["jobs.done"];
  EXPECT_EQ(Attr(done, "queue"), "string:billing");
  EXPECT_EQ(Attr(done, "shard"), "integer:7");
  EXPECT_EQ(Attr(done, "retry"), "boolean:false");
  EXPECT_EQ(Attr(done, "ratio"), "double:0.5");
  const Struct& failed = metrics["jobs.failed"];
  EXPECT_EQ(Field(failed, "value"), "2");
  EXPECT_EQ(Attr(failed, "queue"), "string:mail");
  EXPECT_EQ(Attr(failed, "shard"), "<absent>");
  EXPECT_EQ(Attr(metrics["queue.depth"], "tier"), "integer:3");
  ExpectValidItems();
}

TEST_F(LogsTest, BeforeSendMetricDropsAreCounted) {
  Options options;
  options.before_send_metric = [](Metric& metric) {
    if (metric.name == "throws") throw std::runtime_error("bug");
    return metric.name != "noise";
  };
  Init(std::move(options));
  metrics::Count("noise");
  metrics::Count("throws");
  metrics::Count("signal", 3);
  // Not finite: refused at the call.
  metrics::Gauge("broken", std::nan(""));
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto metrics = transport_->metrics();
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(Field(metrics[0], "name"), "signal");
  EXPECT_EQ(Field(metrics[0], "value"), "3");
  // Metrics (the dropped and the thrown one), not logs.
  EXPECT_EQ(transport_->client_reports()->Count(DiscardReason::kBeforeSend,
                                                DataCategory::kTraceMetric),
            2u);
  EXPECT_EQ(transport_->client_reports()->Count(DiscardReason::kBeforeSend,
                                                DataCategory::kLogItem),
            0u);
}

}  // namespace
}  // namespace sentry
