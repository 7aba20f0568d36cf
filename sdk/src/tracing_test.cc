// Tracing through the public API: the trace of every event and envelope,
// propagation headers in and out, transactions and their spans, sampling.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sdk/src/json.h"
#include "sentry/sentry.h"
#include "sentry/testing/fault_injecting_transport.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

constexpr char kDsn[] = "https://key@o42.ingest.sentry.io/7";
constexpr char kTrace[] = "771a43a4192642f0b136d5159a501700";
constexpr char kSpan[] = "b0e6f15b45c36b12";

class TracingTest : public ::testing::Test {
 protected:
  void Init(Options options = Options()) {
    options.dsn = kDsn;
    options.release = "app@1.0";
    options.environment = "staging";
    options.transport = transport_;
    guard_.emplace(sentry::Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override { guard_.reset(); }

  // The "trace" header of each envelope that carries `item_type`.
  std::vector<std::map<std::string, std::string>> DscHeaders(
      absl::string_view item_type) {
    EXPECT_TRUE(sentry::Flush(absl::Seconds(10)));
    std::vector<std::map<std::string, std::string>> headers;
    for (const Envelope& envelope : transport_->envelopes()) {
      if (envelope.items().empty() || envelope.items()[0].type != item_type) {
        continue;
      }
      std::map<std::string, std::string> fields;
      if (auto raw = envelope.Header("trace")) {
        auto members = internal::ParseJsonObject(*raw);
        if (members.ok()) {
          for (auto& [key, value] : *members) {
            fields[key] = internal::DecodeJsonString(value).value_or(value);
          }
        }
      }
      headers.push_back(std::move(fields));
    }
    return headers;
  }

  static std::string TraceField(const protocol::Event& event,
                                const std::string& key) {
    auto it = event.contexts().find("trace");
    if (it == event.contexts().end()) return "<no trace context>";
    auto field = it->second.fields().find(key);
    return field == it->second.fields().end() ? ""
                                              : field->second.string_value();
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(TracingTest, ErrorEventsCarryTheScopesTraceAndItsDsc) {
  Init();
  const TraceHeaders outgoing = GetTraceHeaders();
  const std::vector<std::string> parts =
      absl::StrSplit(outgoing.sentry_trace, '-');
  ASSERT_EQ(parts.size(), 2u) << outgoing.sentry_trace;  // No decision yet.
  CaptureMessage("boom");
  ASSERT_TRUE(transport_->WaitForEvents(1, absl::Seconds(10)));
  const protocol::Event event = transport_->events()[0];
  EXPECT_EQ(TraceField(event, "trace_id"), parts[0]);
  EXPECT_EQ(TraceField(event, "span_id"), parts[1]);
  EXPECT_EQ(TraceField(event, "parent_span_id"), "");
  const auto headers = DscHeaders("event");
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].at("trace_id"), parts[0]);
  EXPECT_EQ(headers[0].at("public_key"), "key");
  EXPECT_EQ(headers[0].at("release"), "app@1.0");
  EXPECT_EQ(headers[0].at("environment"), "staging");
  EXPECT_EQ(headers[0].at("org_id"), "42");
  EXPECT_EQ(headers[0].count("sampled"), 0u);
  const double rand = std::stod(headers[0].at("sample_rand"));
  EXPECT_GE(rand, 0);
  EXPECT_LT(rand, 1);
  // The same values go out as baggage.
  EXPECT_NE(outgoing.baggage.find(absl::StrCat("sentry-trace_id=", parts[0])),
            std::string::npos);
  EXPECT_NE(outgoing.baggage.find(absl::StrCat("sentry-sample_rand=",
                                               headers[0].at("sample_rand"))),
            std::string::npos);
}

TEST_F(TracingTest, ContinuedTracesReachEventsWithTheFrozenDsc) {
  Init();
  ASSERT_TRUE(ContinueTrace(
      absl::StrCat(kTrace, "-", kSpan, "-1"),
      absl::StrCat("other=x,sentry-trace_id=", kTrace,
                   ",sentry-public_key=upstream,sentry-sample_rate=0.5,"
                   "sentry-sample_rand=0.25,sentry-sampled=true,"
                   "sentry-release=upstream%401")));
  CaptureMessage("continued");
  ASSERT_TRUE(transport_->WaitForEvents(1, absl::Seconds(10)));
  const protocol::Event event = transport_->events()[0];
  EXPECT_EQ(TraceField(event, "trace_id"), kTrace);
  EXPECT_EQ(TraceField(event, "parent_span_id"), kSpan);
  const auto headers = DscHeaders("event");
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0],
            (std::map<std::string, std::string>{{"trace_id", kTrace},
                                                {"public_key", "upstream"},
                                                {"sample_rate", "0.5"},
                                                {"sample_rand", "0.25"},
                                                {"sampled", "true"},
                                                {"release", "upstream@1"}}));
  // Propagated on: our span id, the incoming decision, the frozen DSC.
  const TraceHeaders outgoing = GetTraceHeaders("vendor=1");
  const std::vector<std::string> parts =
      absl::StrSplit(outgoing.sentry_trace, '-');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], kTrace);
  EXPECT_NE(parts[1], kSpan);
  EXPECT_EQ(parts[2], "1");
  EXPECT_EQ(outgoing.baggage,
            absl::StrCat("vendor=1,sentry-trace_id=", kTrace,
                         ",sentry-public_key=upstream,sentry-sample_rate=0.5,"
                         "sentry-sample_rand=0.25,sentry-sampled=true,"
                         "sentry-release=upstream%401"));
  EXPECT_EQ(outgoing.traceparent, "");  // Not asked for.
}

// Baggage whose trace id is not the sentry-trace header's belongs to another
// trace: the trace is continued, its DSC is not (this SDK heads one).
TEST_F(TracingTest, ADscOfAnotherTraceIsNotContinued) {
  Init();
  ASSERT_TRUE(
      ContinueTrace(absl::StrCat(kTrace, "-", kSpan, "-1"),
                    "sentry-trace_id=0123456789abcdef0123456789abcdef,"
                    "sentry-public_key=upstream,sentry-release=upstream%401"));
  CaptureMessage("continued");
  const auto headers = DscHeaders("event");
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].at("trace_id"), kTrace);
  EXPECT_EQ(headers[0].at("public_key"), "key");  // Ours (kDsn's).
  EXPECT_EQ(headers[0].at("release"), "app@1.0");
}

// The organization of the DSN (o42 in kDsn) against the incoming baggage's:
// another organization's trace is not continued; with strict continuation,
// neither is one that does not say.
TEST_F(TracingTest, OrgIdsDecideWhetherAnIncomingTraceIsContinued) {
  const std::string sentry_trace = absl::StrCat(kTrace, "-", kSpan, "-1");
  const std::string ours =
      absl::StrCat("sentry-trace_id=", kTrace, ",sentry-org_id=42");
  const std::string theirs =
      absl::StrCat("sentry-trace_id=", kTrace, ",sentry-org_id=43");
  const std::string unsaid = absl::StrCat("sentry-trace_id=", kTrace);
  for (bool strict : {false, true}) {
    guard_.reset();
    Options options;
    options.strict_trace_continuation = strict;
    Init(std::move(options));
    EXPECT_TRUE(ContinueTrace(sentry_trace, ours)) << strict;
    EXPECT_EQ(GetTraceHeaders().sentry_trace.substr(0, 32), kTrace);
    EXPECT_FALSE(ContinueTrace(sentry_trace, theirs)) << strict;
    EXPECT_NE(GetTraceHeaders().sentry_trace.substr(0, 32), kTrace);
    EXPECT_EQ(ContinueTrace(sentry_trace, unsaid), !strict) << strict;
  }
}

// trace_propagation_targets, through the client integrations ask: empty,
// every URL; otherwise a URL that contains an entry, or that an entry
// matches somewhere as an ECMAScript regular expression.
TEST_F(TracingTest, PropagationTargetsAreSubstringsOrRegularExpressions) {
  Init();
  for (const char* url : {"http://127.0.0.1:8080/x", "https://a.example/"}) {
    EXPECT_TRUE(guard_->client()->ShouldPropagateTrace(url)) << url;
  }
  guard_.reset();
  Options options;
  options.trace_propagation_targets = {"internal.example",
                                       R"(^https://api\.\w+\.com/v[0-9]+/)"};
  Init(std::move(options));
  const auto client = guard_->client();
  EXPECT_TRUE(client->ShouldPropagateTrace("http://internal.example:81/a"));
  EXPECT_TRUE(client->ShouldPropagateTrace("https://api.shop.com/v2/items"));
  EXPECT_FALSE(client->ShouldPropagateTrace("https://api.shop.com/docs"));
  EXPECT_FALSE(client->ShouldPropagateTrace("http://api.shop.com/v2/items"));
  EXPECT_FALSE(client->ShouldPropagateTrace("https://example.org/"));
  // Anchored: the same URL inside another does not match.
  EXPECT_FALSE(client->ShouldPropagateTrace(
      "https://proxy.example/?to=https://api.shop.com/v2/items"));
}

TEST_F(TracingTest, InvalidHeadersStartANewTrace) {
  Init();
  const std::string before = GetTraceHeaders().sentry_trace;
  EXPECT_FALSE(ContinueTrace("not-a-trace", "sentry-trace_id=zz"));
  const std::string after = GetTraceHeaders().sentry_trace;
  EXPECT_NE(after.substr(0, 32), before.substr(0, 32));
  EXPECT_NE(after.substr(0, 32), kTrace);
}

TEST_F(TracingTest, ForkedHubsInheritTheTraceAndStartNewTraceLeavesThem) {
  Init();
  const std::string main_trace = GetTraceHeaders().sentry_trace.substr(0, 32);
  std::string thread_trace, restarted;
  std::thread([&] {
    thread_trace = GetTraceHeaders().sentry_trace.substr(0, 32);
    StartNewTrace();
    restarted = GetTraceHeaders().sentry_trace.substr(0, 32);
  }).join();
  EXPECT_EQ(thread_trace, main_trace);
  EXPECT_NE(restarted, main_trace);
  EXPECT_EQ(GetTraceHeaders().sentry_trace.substr(0, 32), main_trace);
}

TEST_F(TracingTest, TraceparentIsSentOnlyWhenAskedFor) {
  Options options;
  options.propagate_traceparent = true;
  Init(std::move(options));
  ASSERT_TRUE(ContinueTrace(absl::StrCat(kTrace, "-", kSpan, "-1"), ""));
  const TraceHeaders headers = GetTraceHeaders();
  const std::vector<std::string> parts =
      absl::StrSplit(headers.sentry_trace, '-');
  EXPECT_EQ(headers.traceparent,
            absl::StrCat("00-", kTrace, "-", parts[1], "-01"));
}

TEST_F(TracingTest, FinishedTransactionsAreSentWithTheirSpans) {
  Options options;
  options.traces_sample_rate = 1.0;
  Init(std::move(options));
  ConfigureScope([](Scope& scope) { scope.SetTag("tier", "gold"); });
  Span transaction =
      StartTransaction({"checkout", "task", TransactionSource::kTask});
  ASSERT_TRUE(transaction.sampled());
  Span query = transaction.StartChild("db.query", "SELECT 1");
  query.SetData("db.rows", 3);
  query.SetTag("db.system", "sqlite");
  query.SetStatus(SpanStatus::kOk);
  Span nested = query.StartChild("db.fetch");
  nested.Finish();
  query.Finish();
  transaction.SetStatus(SpanStatus::kInternalError);
  transaction.Finish();
  transaction.Finish();  // Once only.
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto transactions = transport_->transactions();
  ASSERT_EQ(transactions.size(), 1u);
  const protocol::Event& t = transactions[0];
  EXPECT_EQ(t.type(), "transaction");
  EXPECT_EQ(t.transaction(), "checkout");
  EXPECT_EQ(t.transaction_info().source(), "task");
  EXPECT_EQ(t.release(), "app@1.0");
  EXPECT_EQ(t.tags().at("tier"), "gold");
  EXPECT_EQ(t.level(), "");
  EXPECT_LT(t.start_timestamp(), t.timestamp());
  EXPECT_EQ(TraceField(t, "trace_id"), transaction.trace_id());
  EXPECT_EQ(TraceField(t, "span_id"), transaction.span_id());
  EXPECT_EQ(TraceField(t, "op"), "task");
  EXPECT_EQ(TraceField(t, "status"), "internal_error");
  ASSERT_EQ(t.spans_size(), 2);
  const protocol::Span& fetch = t.spans(0);  // Finished first.
  const protocol::Span& db = t.spans(1);
  EXPECT_EQ(db.op(), "db.query");
  EXPECT_EQ(db.description(), "SELECT 1");
  EXPECT_EQ(db.status(), "ok");
  EXPECT_EQ(db.data().fields().at("db.rows").number_value(), 3);
  EXPECT_EQ(db.tags().at("db.system"), "sqlite");
  EXPECT_EQ(db.trace_id(), transaction.trace_id());
  EXPECT_EQ(db.span_id(), query.span_id());
  EXPECT_EQ(db.parent_span_id(), transaction.span_id());
  EXPECT_EQ(fetch.parent_span_id(), query.span_id());
  EXPECT_LE(db.start_timestamp(), db.timestamp());
  const auto headers = DscHeaders("transaction");
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].at("trace_id"), transaction.trace_id());
  EXPECT_EQ(headers[0].at("sampled"), "true");
  EXPECT_EQ(headers[0].at("sample_rate"), "1");
  EXPECT_EQ(headers[0].at("transaction"), "checkout");
}

// A span's data keeps each value's type and the last value set per key, and
// is written the same whether user code saw the transaction (as protobuf)
// or not (straight from the record).
TEST_F(TracingTest, SpanTagsAndDataArriveSortedWithTheLastValuePerKey) {
  for (const bool user_code_sees : {false, true}) {
    SCOPED_TRACE(user_code_sees ? "through before_send_transaction"
                                : "from the record");
    Options options;
    options.traces_sample_rate = 1.0;
    if (user_code_sees) {
      options.before_send_transaction = [](protocol::Event&) { return true; };
    }
    Init(std::move(options));
    Span transaction = StartTransaction({"import", "task"});
    Span batch = transaction.StartChild("db.insert");
    batch.SetData("rows", 3);
    batch.SetData("user", "ana");
    batch.SetData("ratio", 0.5);
    batch.SetData("cached", true);
    google::protobuf::Value ids;
    ids.mutable_list_value()->add_values()->set_number_value(1);
    ids.mutable_list_value()->add_values()->set_string_value("two");
    batch.SetData("ids", ids);
    batch.SetData("rows", int64_t{4});
    batch.SetTag("shard", "b");
    batch.SetTag("region", "eu");
    batch.SetTag("shard", "c");
    batch.Finish();
    transaction.Finish();
    ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
    ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
    std::string payload;
    for (const Envelope& envelope : transport_->envelopes()) {
      for (const EnvelopeItem& item : envelope.items()) {
        if (item.type == "transaction") payload = item.payload;
      }
    }
    EXPECT_THAT(payload, ::testing::HasSubstr(
                             R"("tags":{"region":"eu","shard":"c"},"data":{)"
                             R"("cached":true,"ids":[1,"two"],"ratio":0.5,)"
                             R"("rows":4,"user":"ana"})"));
    const protocol::Span span = transport_->transactions()[0].spans(0);
    EXPECT_EQ(span.data().fields().at("rows").number_value(), 4);
    EXPECT_EQ(span.data().fields().at("user").string_value(), "ana");
    EXPECT_EQ(span.tags().at("shard"), "c");
    guard_.reset();
    transport_->Clear();
  }
}

TEST_F(TracingTest, EventsInsideASpanCarryItsIds) {
  Options options;
  options.traces_sample_rate = 1.0;
  Init(std::move(options));
  Span transaction = StartTransaction({"GET /items", "http.server"});
  {
    SpanGuard active(transaction);
    EXPECT_EQ(GetTraceHeaders().sentry_trace, transaction.ToSentryTrace());
    CaptureMessage("inside");
  }
  CaptureMessage("outside");
  transaction.Finish();
  ASSERT_TRUE(transport_->WaitForEvents(2, absl::Seconds(10)));
  const auto events = transport_->events();
  EXPECT_EQ(TraceField(events[0], "span_id"), transaction.span_id());
  EXPECT_EQ(TraceField(events[0], "op"), "http.server");
  EXPECT_NE(TraceField(events[1], "span_id"), transaction.span_id());
  EXPECT_EQ(TraceField(events[1], "trace_id"), transaction.trace_id());
  const auto headers = DscHeaders("event");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].at("transaction"), "GET /items");
  EXPECT_EQ(headers[0].at("sampled"), "true");
}

// The worker may process an event after the span it was captured in has
// finished: the event still carries that span's ids and op.
TEST_F(TracingTest, EventsProcessedAfterTheirSpanFinishedKeepItsOp) {
  absl::Notification busy;
  absl::Notification release;
  Options options;
  options.traces_sample_rate = 1.0;
  options.before_send = [&](protocol::Event& event) {
    if (event.logentry().message() == "holds the worker") {
      busy.Notify();
      release.WaitForNotification();
    }
    return true;
  };
  Init(std::move(options));
  CaptureMessage("holds the worker");
  busy.WaitForNotification();
  Span transaction = StartTransaction({"GET /items", "http.server"});
  Span child = transaction.StartChild("db.query", "SELECT 1");
  {
    SpanGuard active(child);
    CaptureMessage("in the child");
  }
  {
    SpanGuard active(transaction);
    CaptureMessage("in the transaction");
  }
  child.Finish();
  transaction.Finish();
  release.Notify();
  ASSERT_TRUE(transport_->WaitForEvents(3, absl::Seconds(10)));
  const auto events = transport_->events();
  EXPECT_EQ(TraceField(events[1], "span_id"), child.span_id());
  EXPECT_EQ(TraceField(events[1], "op"), "db.query");
  EXPECT_EQ(TraceField(events[2], "span_id"), transaction.span_id());
  EXPECT_EQ(TraceField(events[2], "op"), "http.server");
}

TEST_F(TracingTest, UnsampledTransactionsSendNothingAndAreCounted) {
  Options options;
  options.traces_sample_rate = 0.0;
  Init(std::move(options));
  Span transaction = StartTransaction({"t", "task"});
  EXPECT_FALSE(transaction.sampled());
  Span child = transaction.StartChild("work");
  EXPECT_EQ(child.span_id(), transaction.span_id());  // Ids for propagation.
  EXPECT_EQ(child.ToSentryTrace(), absl::StrCat(transaction.trace_id(), "-",
                                                transaction.span_id(), "-0"));
  child.Finish();
  transaction.Finish();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  EXPECT_TRUE(transport_->transactions().empty());
  const ClientReports& reports = guard_->client()->client_reports();
  EXPECT_EQ(
      reports.Count(DiscardReason::kSampleRate, DataCategory::kTransaction),
      1u);
  // The transaction itself as a span: its children were never recorded.
  EXPECT_EQ(reports.Count(DiscardReason::kSampleRate, DataCategory::kSpan), 1u);
}

TEST_F(TracingTest, WithoutATracesRateTransactionsAreOffAndUncounted) {
  Init();
  Span transaction = StartTransaction({"t", "task"});
  EXPECT_FALSE(transaction.sampled());
  EXPECT_EQ(transaction.trace_id(),
            GetTraceHeaders().sentry_trace.substr(0, 32));
  transaction.Finish();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  EXPECT_TRUE(transport_->transactions().empty());
  const ClientReports& reports = guard_->client()->client_reports();
  for (DataCategory category :
       {DataCategory::kTransaction, DataCategory::kSpan}) {
    EXPECT_EQ(reports.Count(DiscardReason::kSampleRate, category), 0u);
  }
}

TEST_F(TracingTest, TheSamplerSeesTheParentAndDecides) {
  Options options;
  std::vector<std::string> seen;
  options.traces_sampler = [&](const SamplingContext& context) {
    seen.push_back(absl::StrCat(context.transaction.name, ":",
                                context.parent_sampled.value_or(false), ":",
                                context.parent_sample_rate.value_or(-1)));
    return context.transaction.name == "keep" ? 1.0 : 0.0;
  };
  Init(std::move(options));
  EXPECT_TRUE(StartTransaction({"keep", "task"}).sampled());
  EXPECT_FALSE(StartTransaction({"drop", "task"}).sampled());
  Span continued = StartTransaction(TransactionContext::FromHeaders(
      "keep", "http.server", absl::StrCat(kTrace, "-", kSpan, "-1"),
      "sentry-sample_rate=0.5"));
  EXPECT_TRUE(continued.sampled());
  EXPECT_EQ(continued.trace_id(), kTrace);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"keep:0:-1", "drop:0:-1", "keep:1:0.5"}));
}

TEST_F(TracingTest, TheParentsDecisionIsInheritedWithoutASampler) {
  Options options;
  options.traces_sample_rate = 0.0;
  Init(std::move(options));
  Span continued = StartTransaction(TransactionContext::FromHeaders(
      "t", "http.server", absl::StrCat(kTrace, "-", kSpan, "-1"), ""));
  EXPECT_TRUE(continued.sampled());
  Span refused = StartTransaction(TransactionContext::FromHeaders(
      "t", "http.server", absl::StrCat(kTrace, "-", kSpan, "-0"), ""));
  EXPECT_FALSE(refused.sampled());
  // Through ContinueTrace on the scope, the same.
  ASSERT_TRUE(ContinueTrace(absl::StrCat(kTrace, "-", kSpan, "-1"), ""));
  Span from_scope = StartTransaction({"t", "task"});
  EXPECT_TRUE(from_scope.sampled());
  EXPECT_EQ(from_scope.trace_id(), kTrace);
}

// A fractional rate decides with the trace's sample_rand (kept when
// sample_rand < rate), never with a fresh draw: every service of a trace
// decides alike.
TEST_F(TracingTest, FractionalRatesDecideWithTheIncomingSampleRand) {
  struct Case {
    double rate;
    const char* sample_rand;
    bool sampled;
  };
  for (const Case& c : {Case{0.3, "0.25", true}, Case{0.2, "0.25", false},
                        Case{0.3, "0.299999", true}, Case{0.3, "0.3", false},
                        Case{0.7, "0.69", true}, Case{0.7, "0.71", false}}) {
    for (bool through_sampler : {false, true}) {
      guard_.reset();
      transport_ = std::make_shared<TestTransport>();
      Options options;
      if (through_sampler) {
        options.traces_sampler = [rate = c.rate](const SamplingContext&) {
          return rate;
        };
      } else {
        options.traces_sample_rate = c.rate;
      }
      Init(std::move(options));
      // No decision upstream (deferred): this service decides.
      Span transaction = StartTransaction(TransactionContext::FromHeaders(
          "t", "http.server", absl::StrCat(kTrace, "-", kSpan),
          absl::StrCat("sentry-trace_id=", kTrace,
                       ",sentry-sample_rand=", c.sample_rand)));
      const std::string what =
          absl::StrCat(c.rate, " / ", c.sample_rand, " / ",
                       through_sampler ? "sampler" : "rate");
      EXPECT_EQ(transaction.sampled(), c.sampled) << what;
      transaction.Finish();
      ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
      EXPECT_EQ(transport_->transactions().size(), c.sampled ? 1u : 0u) << what;
    }
  }
}

// At the head of a trace, sample_rand is drawn once per trace and sent on in
// the DSC with the rate; the decision is that sample_rand against the rate.
TEST_F(TracingTest, HeadDecisionsAreTheirPropagatedSampleRandAgainstTheRate) {
  Options options;
  options.traces_sample_rate = 0.3;
  Init(std::move(options));
  int sampled = 0;
  for (int i = 0; i < 200; ++i) {
    StartNewTrace();
    Span transaction = StartTransaction({"t", "task"});
    std::map<std::string, std::string> dsc;
    for (absl::string_view member :
         absl::StrSplit(transaction.ToBaggage(), ',')) {
      const std::vector<std::string> kv = absl::StrSplit(member, '=');
      if (kv.size() == 2) dsc[kv[0]] = kv[1];
    }
    double sample_rand = -1;
    ASSERT_TRUE(absl::SimpleAtod(dsc["sentry-sample_rand"], &sample_rand));
    EXPECT_EQ(dsc["sentry-sample_rate"], "0.3");
    EXPECT_EQ(dsc["sentry-sampled"], transaction.sampled() ? "true" : "false");
    EXPECT_EQ(transaction.sampled(), sample_rand < 0.3) << sample_rand;
    sampled += transaction.sampled();
  }
  // Both outcomes occur (a fixed decision would pass the loop above only
  // with a matching draw each time).
  EXPECT_GT(sampled, 0);
  EXPECT_LT(sampled, 200);
}

// An explicit decision wins over the rate, either way.
TEST_F(TracingTest, AnExplicitDecisionWinsOverTheRate) {
  for (double rate : {0.0, 1.0}) {
    guard_.reset();
    Options options;
    options.traces_sample_rate = rate;
    Init(std::move(options));
    TransactionContext context("t", "task");
    context.sampled = rate == 0.0;
    EXPECT_EQ(StartTransaction(context).sampled(), rate == 0.0) << rate;
  }
}

// W3C traceparent says "-01" only for a sampled span: an unsampled trace,
// or one whose decision is deferred, is advertised as "-00"; inside a
// child span it carries the child's id.
TEST_F(TracingTest, TraceparentCarriesTheDecisionAndTheActiveSpan) {
  Options options;
  options.propagate_traceparent = true;
  options.traces_sample_rate = 1.0;
  Init(std::move(options));
  // Deferred upstream, no span here: not sampled yet.
  ASSERT_TRUE(ContinueTrace(absl::StrCat(kTrace, "-", kSpan), ""));
  EXPECT_EQ(GetTraceHeaders().traceparent.substr(0, 35),
            absl::StrCat("00-", kTrace));
  EXPECT_EQ(GetTraceHeaders().traceparent.substr(52), "-00");
  // Refused upstream.
  ASSERT_TRUE(ContinueTrace(absl::StrCat(kTrace, "-", kSpan, "-0"), ""));
  Span refused = StartTransaction({"t", "task"});
  EXPECT_FALSE(refused.sampled());
  {
    SpanGuard active(refused);
    EXPECT_EQ(GetTraceHeaders().traceparent,
              absl::StrCat("00-", kTrace, "-", refused.span_id(), "-00"));
  }
  // Sampled, with a child active: the child's span id.
  StartNewTrace();
  Span transaction = StartTransaction({"t", "task"});
  ASSERT_TRUE(transaction.sampled());
  SpanGuard active_transaction(transaction);
  Span child = transaction.StartChild("db.query");
  SpanGuard active_child(child);
  EXPECT_EQ(
      GetTraceHeaders().traceparent,
      absl::StrCat("00-", transaction.trace_id(), "-", child.span_id(), "-01"));
}

TEST_F(TracingTest, OpenChildrenAreRecordedAndLateOnesCounted) {
  Options options;
  options.traces_sample_rate = 1.0;
  Init(std::move(options));
  Span transaction = StartTransaction({"t", "task"});
  Span open = transaction.StartChild("still.running");
  transaction.Finish();
  Span late = transaction.StartChild("too.late");
  late.Finish();
  open.Finish();  // Recorded already: neither kept twice nor counted.
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  const auto t = transport_->transactions()[0];
  ASSERT_EQ(t.spans_size(), 1);
  EXPECT_EQ(t.spans(0).op(), "still.running");
  EXPECT_EQ(t.spans(0).status(), "deadline_exceeded");
  EXPECT_EQ(t.spans(0).timestamp(), t.timestamp());
  EXPECT_EQ(guard_->client()->client_reports().Count(
                DiscardReason::kBufferOverflow, DataCategory::kSpan),
            1u);
}

TEST_F(TracingTest, BeforeSendTransactionCanDropAndErrorsSkipIt) {
  Options options;
  options.traces_sample_rate = 1.0;
  int calls = 0;
  options.before_send_transaction = [&](protocol::Event& t) {
    ++calls;
    return t.transaction() != "secret";
  };
  options.before_send = [](protocol::Event& event) {
    return event.type() != "transaction";  // Never sees one.
  };
  Init(std::move(options));
  Span secret = StartTransaction({"secret", "task"});
  secret.StartChild("a").Finish();
  secret.Finish();
  StartTransaction({"public", "task"}).Finish();
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  EXPECT_EQ(calls, 2);
  const auto transactions = transport_->transactions();
  ASSERT_EQ(transactions.size(), 1u);
  EXPECT_EQ(transactions[0].transaction(), "public");
  // The dropped transaction, and as spans its child and itself.
  const ClientReports& reports = guard_->client()->client_reports();
  EXPECT_EQ(
      reports.Count(DiscardReason::kBeforeSend, DataCategory::kTransaction),
      1u);
  EXPECT_EQ(reports.Count(DiscardReason::kBeforeSend, DataCategory::kSpan), 2u);
}

// Without user code the children are written as JSON from their records;
// with it they are in the transaction it sees, and its changes are sent.
TEST_F(TracingTest, BeforeSendTransactionSeesAndChangesTheSpans) {
  Options options;
  options.traces_sample_rate = 1.0;
  std::vector<std::string> seen;
  options.before_send_transaction = [&](protocol::Event& t) {
    for (auto& span : *t.mutable_spans()) {
      seen.push_back(absl::StrCat(span.op(), " ", span.description(), " ",
                                  span.parent_span_id()));
      span.set_description("[scrubbed]");
    }
    return true;
  };
  Init(std::move(options));
  Span transaction = StartTransaction({"login", "http.server"});
  Span query = transaction.StartChild("db.query", "SELECT password");
  query.SetTag("db.system", "sqlite");
  query.Finish();
  transaction.Finish();
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  EXPECT_THAT(seen, ::testing::ElementsAre(absl::StrCat(
                        "db.query SELECT password ", transaction.span_id())));
  const auto t = transport_->transactions()[0];
  ASSERT_EQ(t.spans_size(), 1);
  EXPECT_EQ(t.spans(0).description(), "[scrubbed]");
  EXPECT_EQ(t.spans(0).span_id(), query.span_id());
  EXPECT_EQ(t.spans(0).trace_id(), transaction.trace_id());
  EXPECT_EQ(t.spans(0).tags().at("db.system"), "sqlite");
}

// What the network loses counts the transaction and its spans, itself too.
TEST_F(TracingTest, ATransactionLostInTransitCountsItsSpans) {
  auto network = std::make_shared<testing::FaultInjectingTransport>(transport_);
  Options options;
  options.traces_sample_rate = 1.0;
  options.dsn = kDsn;
  options.transport = network;
  guard_.emplace(sentry::Init(std::move(options)));
  network->Fail();
  Span transaction = StartTransaction({"checkout", "task"});
  transaction.StartChild("db.query").Finish();
  transaction.StartChild("http.client").Finish();
  transaction.Finish();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  // network_error: the transaction, and as spans its 2 children and itself.
  const ClientReports& reports = guard_->client()->client_reports();
  EXPECT_EQ(
      reports.Count(DiscardReason::kNetworkError, DataCategory::kTransaction),
      1u);
  EXPECT_EQ(reports.Count(DiscardReason::kNetworkError, DataCategory::kSpan),
            3u);
  EXPECT_TRUE(transport_->transactions().empty());
}

// 8 threads x 2000 children on one transaction, under TSan in CI: exactly
// the first 1000 are kept, the rest counted, none lost or kept twice.
TEST_F(TracingTest, ConcurrentChildrenAreKeptUpToTheLimitAndCounted) {
  Options options;
  options.traces_sample_rate = 1.0;
  Init(std::move(options));
  Span transaction = StartTransaction({"stress", "task"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&transaction, t] {
      for (int i = 0; i < 2000; ++i) {
        Span child = transaction.StartChild("work", absl::StrCat(t, ":", i));
        child.SetData("i", i);
        child.Finish();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  transaction.Finish();
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(30)));
  const auto t = transport_->transactions()[0];
  EXPECT_EQ(t.spans_size(), 1000);
  std::set<std::string> ids;
  for (const auto& span : t.spans()) ids.insert(span.span_id());
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(guard_->client()->client_reports().Count(
                DiscardReason::kBufferOverflow, DataCategory::kSpan),
            8u * 2000u - 1000u);
}

}  // namespace
}  // namespace sentry
