#include "sentry/integrations/httplib_client.h"

#include <httplib.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

class HttplibClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/ok",
                [this](const httplib::Request& req, httplib::Response& res) {
                  absl::MutexLock lock(&mu_);
                  received_.push_back(req.headers);
                  res.set_content("ok", "text/plain");
                });
    server_.Post("/missing",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   absl::MutexLock lock(&mu_);
                   received_.push_back(req.headers);
                   res.status = 404;
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();

    Options options;
    options.dsn = "https://key@o1.ingest.sentry.io/2";
    options.transport = transport_;
    options.traces_sample_rate = 1.0;
    options.trace_propagation_targets = {"127.0.0.1"};
    guard_.emplace(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    guard_.reset();
    server_.stop();
    thread_.join();
  }

  std::string Header(size_t request, const std::string& name) {
    absl::MutexLock lock(&mu_);
    auto it = received_.at(request).find(name);
    return it == received_.at(request).end() ? "<absent>" : it->second;
  }
  size_t Count(size_t request, const std::string& name) {
    absl::MutexLock lock(&mu_);
    return received_.at(request).count(name);
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<httplib::Headers> received_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(HttplibClientTest, TargetsGetTheChildSpansHeadersAndTheSpanIsRecorded) {
  const std::string base = absl::StrCat("http://127.0.0.1:", port_);
  httplib_client::Client client(base);
  Span transaction = StartTransaction({"job", "task"});
  {
    SpanGuard active(transaction);
    // The caller's own trace header gives way; their baggage is merged.
    auto ok = client.Get(
        "/ok",
        {{"X-Mine", "1"}, {"Baggage", "vendor=a"}, {"sentry-trace", "stale"}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->body, "ok");
    auto missing = client.Post("/missing", {}, "{}", "application/json");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
  }
  transaction.Finish();
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  const protocol::Event t = transport_->transactions()[0];
  ASSERT_EQ(t.spans_size(), 2);
  const protocol::Span& ok = t.spans(0);
  EXPECT_EQ(ok.op(), "http.client");
  EXPECT_EQ(ok.description(), absl::StrCat("GET ", base, "/ok"));
  EXPECT_EQ(ok.status(), "ok");
  EXPECT_EQ(ok.parent_span_id(), transaction.span_id());
  EXPECT_EQ(ok.data().fields().at("http.response.status_code").number_value(),
            200);
  EXPECT_EQ(t.spans(1).description(), absl::StrCat("POST ", base, "/missing"));
  EXPECT_EQ(t.spans(1).status(), "not_found");
  // The next service's caller is the child span.
  EXPECT_EQ(Count(0, "sentry-trace"), 1u);
  EXPECT_EQ(Header(0, "sentry-trace"),
            absl::StrCat(transaction.trace_id(), "-", ok.span_id(), "-1"));
  EXPECT_EQ(Count(0, "baggage"), 1u);
  const std::string baggage = Header(0, "baggage");
  EXPECT_TRUE(absl::StartsWith(baggage, "vendor=a,sentry-trace_id="))
      << baggage;
  EXPECT_EQ(Header(0, "X-Mine"), "1");
  EXPECT_EQ(
      Header(1, "sentry-trace"),
      absl::StrCat(transaction.trace_id(), "-", t.spans(1).span_id(), "-1"));
}

TEST_F(HttplibClientTest, OtherUrlsAreSentExactlyAsGiven) {
  httplib_client::Client client(absl::StrCat("http://localhost:", port_));
  Span transaction = StartTransaction({"job", "task"});
  {
    SpanGuard active(transaction);
    ASSERT_TRUE(client.Get(
        "/ok", {{"baggage", "vendor=a"}, {"sentry-trace", "theirs"}}));
  }
  transaction.Finish();
  EXPECT_EQ(Header(0, "sentry-trace"), "theirs");
  EXPECT_EQ(Header(0, "baggage"), "vendor=a");
  // Still a span of the transaction.
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  EXPECT_EQ(transport_->transactions()[0].spans(0).op(), "http.client");
}

TEST_F(HttplibClientTest, ARequestWithoutAResponseIsAFailedSpan) {
  // A port nobody listens on: the server's, once it is stopped.
  server_.stop();
  thread_.join();
  thread_ = std::thread([] {});
  httplib_client::Client client(absl::StrCat("http://127.0.0.1:", port_));
  Span transaction = StartTransaction({"job", "task"});
  {
    SpanGuard active(transaction);
    auto result = client.Get("/ok");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), httplib::Error::Connection);
  }
  transaction.Finish();
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  const protocol::Span span = transport_->transactions()[0].spans(0);
  EXPECT_EQ(span.status(), "internal_error");
  EXPECT_EQ(span.data().fields().at("error").string_value(),
            httplib::to_string(httplib::Error::Connection));
}

TEST_F(HttplibClientTest, WithoutAnActiveSpanTheScopesTraceIsPropagated) {
  httplib_client::Client client(absl::StrCat("http://127.0.0.1:", port_));
  ASSERT_TRUE(client.Get("/ok"));
  EXPECT_EQ(Header(0, "sentry-trace"), GetTraceHeaders().sentry_trace);
}

}  // namespace
}  // namespace sentry
