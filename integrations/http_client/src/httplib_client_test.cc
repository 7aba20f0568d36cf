#include "sentry/integrations/httplib_client.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integrations/http_client/src/test_fixture.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

class HttplibClientTest : public testing::OutgoingRequestTest {};

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
  EXPECT_EQ(server_.Count(0, "sentry-trace"), 1u);
  EXPECT_EQ(Header(0, "sentry-trace"),
            absl::StrCat(transaction.trace_id(), "-", ok.span_id(), "-1"));
  EXPECT_EQ(server_.Count(0, "baggage"), 1u);
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
  server_.Stop();
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
  ContinueUpstreamTrace();
  httplib_client::Client client(absl::StrCat("http://127.0.0.1:", port_));
  ASSERT_TRUE(client.Get("/ok"));
  ExpectUpstreamTracePropagated(0);
}

}  // namespace
}  // namespace sentry
