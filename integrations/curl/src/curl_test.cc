#include "sentry/integrations/curl.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "integrations/http_client/src/test_fixture.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

class CurlTest : public testing::OutgoingRequestTest {
 protected:
  CURLcode Get(const std::string& url, curl_slist* headers, long* status) {
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(
        easy, CURLOPT_WRITEFUNCTION,
        +[](char*, size_t size, size_t n, void*) { return size * n; });
    const CURLcode result = curl::Perform(easy, "GET", url, headers);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(easy);
    return result;
  }
};

TEST_F(CurlTest, TargetsGetTheChildSpansHeadersAndTheSpanIsRecorded) {
  const std::string url = absl::StrCat("http://127.0.0.1:", port_, "/ok");
  curl_slist* mine = curl_slist_append(nullptr, "X-Mine: 1");
  mine = curl_slist_append(mine, "baggage: vendor=a");
  Span transaction = StartTransaction({"job", "task"});
  long status = 0;
  {
    SpanGuard active(transaction);
    ASSERT_EQ(Get(url, mine, &status), CURLE_OK);
    ASSERT_EQ(Get(absl::StrCat("http://127.0.0.1:", port_, "/missing"), nullptr,
                  &status),
              CURLE_OK);
  }
  curl_slist_free_all(mine);
  EXPECT_EQ(status, 404);
  transaction.Finish();
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  const protocol::Event t = transport_->transactions()[0];
  ASSERT_EQ(t.spans_size(), 2);
  const protocol::Span& ok = t.spans(0);
  EXPECT_EQ(ok.op(), "http.client");
  EXPECT_EQ(ok.description(), absl::StrCat("GET ", url));
  EXPECT_EQ(ok.status(), "ok");
  EXPECT_EQ(ok.parent_span_id(), transaction.span_id());
  EXPECT_EQ(ok.data().fields().at("http.response.status_code").number_value(),
            200);
  EXPECT_EQ(t.spans(1).status(), "not_found");
  // The next service's caller is the child span.
  EXPECT_EQ(Header(0, "sentry-trace"),
            absl::StrCat(transaction.trace_id(), "-", ok.span_id(), "-1"));
  const std::string baggage = Header(0, "baggage");
  EXPECT_TRUE(absl::StartsWith(baggage, "vendor=a,sentry-trace_id="))
      << baggage;
  EXPECT_EQ(Header(0, "X-Mine"), "1");
}

TEST_F(CurlTest, OtherUrlsAreSentExactlyAsSetUp) {
  const std::string url = absl::StrCat("http://localhost:", port_, "/ok");
  curl_slist* mine = curl_slist_append(nullptr, "baggage: vendor=a");
  Span transaction = StartTransaction({"job", "task"});
  long status = 0;
  {
    SpanGuard active(transaction);
    ASSERT_EQ(Get(url, mine, &status), CURLE_OK);
  }
  curl_slist_free_all(mine);
  transaction.Finish();
  EXPECT_EQ(Header(0, "sentry-trace"), "<absent>");
  EXPECT_EQ(Header(0, "baggage"), "vendor=a");
  // Still a span of the transaction.
  ASSERT_TRUE(transport_->WaitForTransactions(1, absl::Seconds(10)));
  EXPECT_EQ(transport_->transactions()[0].spans(0).op(), "http.client");
}

TEST_F(CurlTest, WithoutAnActiveSpanTheScopesTraceIsPropagated) {
  ContinueUpstreamTrace();
  const std::string url = absl::StrCat("http://127.0.0.1:", port_, "/ok");
  long status = 0;
  ASSERT_EQ(Get(url, nullptr, &status), CURLE_OK);
  ExpectUpstreamTracePropagated(0);
}

}  // namespace
}  // namespace sentry
