#include "sentry/transports/http_transport.h"

#include <dirent.h>
#include <stdlib.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "transports/http/src/spool.h"
#include "transports/http/testing/test_server.h"

namespace sentry {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::TestServer;

std::string TempDir() {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/http.XXXXXX");
  return std::string(::mkdtemp(dir.data()));
}

size_t CountFiles(const std::string& dir, absl::string_view suffix) {
  size_t n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (absl::EndsWith(e->d_name, suffix)) ++n;
    }
    ::closedir(d);
  }
  return n;
}

Envelope EventEnvelope(absl::string_view id, absl::string_view message = "hi") {
  Envelope envelope;
  envelope.SetStringHeader("event_id", id);
  envelope.AddItem("event", absl::StrCat("{\"event_id\":\"", id,
                                         "\",\"message\":\"", message, "\"}"));
  return envelope;
}

Envelope SessionEnvelope() {
  Envelope envelope;
  envelope.AddItem("session", "{\"sid\":\"s\",\"status\":\"ok\"}");
  return envelope;
}

struct Harness {
  explicit Harness(HttpTransportOptions options) {
    auto created = NewHttpTransport(std::move(options));
    EXPECT_TRUE(created.ok()) << created.status();
    transport = *created;
    transport->Start(reports);
  }
  std::shared_ptr<ClientReports> reports = std::make_shared<ClientReports>();
  std::shared_ptr<Transport> transport;
};

// A server that reads requests and never answers.
HttpResponse NeverAnswer(const HttpRequest&) {
  HttpResponse response;
  response.action = HttpResponse::Action::kHang;
  return response;
}

HttpTransportOptions OptionsFor(const TestServer& server) {
  HttpTransportOptions options;
  options.dsn = server.Dsn();
  options.connect_timeout = absl::Seconds(2);
  options.request_timeout = absl::Seconds(5);
  return options;
}

HttpResponse Status(
    int status, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  return response;
}

TEST(HttpTransportTest, PostsAnEnvelopeWithAuthAndGzip) {
  TestServer server;
  Harness h(OptionsFor(server));
  h.transport->SendEnvelope(
      EventEnvelope("0123456789abcdef0123456789abcdef", std::string(500, 'a')));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  const std::vector<HttpRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/api/42/envelope/");
  EXPECT_EQ(request.Header("x-sentry-auth"),
            absl::StrCat("Sentry sentry_key=public, sentry_version=7, "
                         "sentry_client=",
                         kSdkName, "/", kSdkVersion));
  EXPECT_EQ(request.Header("content-type"), "application/x-sentry-envelope");
  EXPECT_EQ(request.Header("user-agent"),
            absl::StrCat(kSdkName, "/", kSdkVersion));
  EXPECT_EQ(request.Header("content-encoding"), "gzip");
  EXPECT_LT(request.wire_body_size, request.body.size());
  auto envelope = Envelope::Parse(request.body);
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->event_id(), "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(envelope->StringHeader("sent_at").has_value());
  ASSERT_EQ(envelope->items().size(), 1u);
  EXPECT_EQ(envelope->items()[0].type, "event");
}

// gzip is used only when it saves at least 64 bytes: a tiny envelope and
// one of random bytes go out as they are.
TEST(HttpTransportTest, BodiesThatGzipWouldNotShrinkAreSentPlain) {
  TestServer server;
  Harness h(OptionsFor(server));
  h.transport->SendEnvelope(EventEnvelope("tiny", ""));
  std::mt19937 random(7);
  std::string noise(4000, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  Envelope envelope = EventEnvelope("noise", "");
  envelope.AddItem("attachment", noise, {{"filename", "\"noise.bin\""}});
  h.transport->SendEnvelope(envelope);
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    EXPECT_FALSE(request.Header("content-encoding").has_value());
    EXPECT_EQ(request.wire_body_size, request.body.size());
    auto received = Envelope::Parse(request.body);
    ASSERT_TRUE(received.ok()) << received.status();
    if (received->event_id() == "noise") {
      ASSERT_EQ(received->items().size(), 2u);
      EXPECT_EQ(received->items()[1].payload, noise);
    } else {
      EXPECT_EQ(received->event_id(), "tiny");
    }
  }
}

// Through a proxy, given as an option or by the usual environment variable:
// the proxy (here the test server) gets the request in absolute form, for a
// host that does not even resolve.
TEST(HttpTransportTest, SendsThroughTheConfiguredProxy) {
  for (const bool from_environment : {false, true}) {
    TestServer proxy;
    const std::string proxy_url =
        absl::StrCat("http://127.0.0.1:", proxy.port());
    HttpTransportOptions options;
    options.dsn = "http://public@sentry.invalid/42";
    if (from_environment) {
      ::setenv("http_proxy", proxy_url.c_str(), 1);
    } else {
      options.http_proxy = proxy_url;
    }
    {
      Harness h(options);
      h.transport->SendEnvelope(EventEnvelope("proxied"));
      EXPECT_TRUE(h.transport->Flush(absl::Seconds(10))) << from_environment;
    }
    ::unsetenv("http_proxy");
    const auto requests = proxy.Requests();
    ASSERT_EQ(requests.size(), 1u) << from_environment;
    EXPECT_EQ(requests[0].target, "http://sentry.invalid/api/42/envelope/");
    EXPECT_EQ(requests[0].Header("host"), "sentry.invalid");
    auto received = Envelope::Parse(requests[0].body);
    ASSERT_TRUE(received.ok()) << received.status();
    EXPECT_EQ(received->event_id(), "proxied");
  }
}

TEST(HttpTransportTest, ReusesOneConnection) {
  TestServer server;
  HttpTransportOptions options = OptionsFor(server);
  options.max_requests_in_flight = 1;
  Harness h(options);
  for (int i = 0; i < 20; ++i) {
    h.transport->SendEnvelope(EventEnvelope(absl::StrCat("e", i)));
  }
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  EXPECT_EQ(server.request_count(), 20u);
  EXPECT_EQ(server.connection_count(), 1u);
}

// With a deep queue the transport keeps exactly max_requests_in_flight
// requests at the server. The handler holds the first requests until that
// many are inside it at once (a transport that sends fewer never gets
// there, and the handler gives up after 10 s), then for another 200 ms, in
// which any request beyond the limit would arrive and raise the peak.
TEST(HttpTransportTest, RequestsInFlightReachTheLimitAndNeverExceedIt) {
  constexpr int kLimit = 4;
  absl::Mutex mu;
  int inside = 0;
  int peak = 0;
  TestServer server([&](const HttpRequest&) {
    absl::MutexLock lock(&mu);
    peak = std::max(peak, ++inside);
    if (mu.AwaitWithTimeout(absl::Condition(
                                +[](int* n) { return *n >= kLimit; }, &peak),
                            absl::Seconds(10))) {
      mu.AwaitWithTimeout(absl::Condition(
                              +[](int* n) { return *n > kLimit; }, &peak),
                          absl::Milliseconds(200));
    }
    --inside;
    return HttpResponse();
  });
  HttpTransportOptions options = OptionsFor(server);
  options.max_requests_in_flight = kLimit;
  Harness h(options);
  for (int i = 0; i < 3 * kLimit; ++i) {
    h.transport->SendEnvelope(EventEnvelope(absl::StrCat("e", i)));
  }
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(30)));
  EXPECT_EQ(server.request_count(), static_cast<size_t>(3 * kLimit));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(peak, kLimit);
}

TEST(HttpTransportTest, CategoryRateLimitDropsMatchingItemsOnly) {
  TestServer server([](const HttpRequest&) {
    return Status(429, {{"X-Sentry-Rate-Limits", "60:error:project"}});
  });
  Harness h(OptionsFor(server));
  h.transport->SendEnvelope(EventEnvelope("first"));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  // The 429 itself is not reported: the server counted it.
  EXPECT_EQ(h.reports->Count(DiscardReason::kSendError, DataCategory::kError),
            0u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kRatelimitBackoff, DataCategory::kError),
      0u);

  server.SetHandler(nullptr);
  h.transport->SendEnvelope(EventEnvelope("second"));
  h.transport->SendEnvelope(SessionEnvelope());
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kRatelimitBackoff, DataCategory::kError),
      1u);
  EXPECT_EQ(h.reports->Count(DiscardReason::kRatelimitBackoff,
                             DataCategory::kSession),
            0u);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[1].body.find("\"session\""), std::string::npos);
  auto report = h.reports->Take();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->discarded_events(0).reason(), "ratelimit_backoff");
  EXPECT_EQ(report->discarded_events(0).category(), "error");
}

TEST(HttpTransportTest, PartlyLimitedEnvelopeSendsTheRestIntact) {
  TestServer server([](const HttpRequest&) {
    return Status(200, {{"X-Sentry-Rate-Limits", "60:attachment:project"}});
  });
  Harness h(OptionsFor(server));
  h.transport->SendEnvelope(EventEnvelope("first"));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  Envelope envelope = EventEnvelope("second", std::string(2000, 'e'));
  envelope.AddItem("attachment", std::string(3000, 'a'),
                   {{"filename", "\"a.txt\""}});
  h.transport->SendEnvelope(envelope);
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  // An attachment counts its bytes (PROTOCOL.md section 5.3); the event
  // it travelled with was sent.
  EXPECT_EQ(h.reports->Count(DiscardReason::kRatelimitBackoff,
                             DataCategory::kAttachment),
            3000u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kRatelimitBackoff, DataCategory::kError),
      0u);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].Header("content-encoding"), "gzip");
  auto received = Envelope::Parse(requests[1].body);
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_EQ(received->items().size(), 1u);
  EXPECT_EQ(received->items()[0].payload, envelope.items()[0].payload);
}

TEST(HttpTransportTest, CompressedBodiesDecodeToTheEnvelope) {
  TestServer server;
  Harness h(OptionsFor(server));
  std::vector<Envelope> sent;
  for (int size : {10, 100, 1000, 100000}) {
    Envelope envelope =
        EventEnvelope(absl::StrCat("e", size), std::string(size, 'x'));
    envelope.AddItem("attachment", std::string(size, 'y'),
                     {{"filename", "\"f\""}});
    sent.push_back(envelope);
    h.transport->SendEnvelope(std::move(envelope));
  }
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), sent.size());
  for (const auto& request : requests) {
    auto received = Envelope::Parse(request.body);
    ASSERT_TRUE(received.ok()) << received.status();
    const auto it = std::find_if(sent.begin(), sent.end(), [&](const auto& e) {
      return e.event_id() == received->event_id();
    });
    ASSERT_NE(it, sent.end());
    ASSERT_EQ(received->items().size(), 2u);
    EXPECT_EQ(received->items()[1].payload, it->items()[1].payload);
    // Everything but sent_at is as handed over.
    EXPECT_EQ(received->Serialize(std::nullopt)
                  .substr(received->Serialize().find('\n')),
              it->Serialize().substr(it->Serialize().find('\n')));
  }
}

TEST(HttpTransportTest, RetryAfterAndBare429LimitEverything) {
  for (const auto& headers :
       std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Retry-After", "30"}}, {}}) {
    TestServer server(
        [headers](const HttpRequest&) { return Status(429, headers); });
    Harness h(OptionsFor(server));
    h.transport->SendEnvelope(EventEnvelope("first"));
    ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
    h.transport->SendEnvelope(SessionEnvelope());
    h.transport->SendEnvelope(EventEnvelope("third"));
    ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
    EXPECT_EQ(server.request_count(), 1u);
    for (DataCategory category :
         {DataCategory::kError, DataCategory::kSession}) {
      EXPECT_EQ(h.reports->Count(DiscardReason::kRatelimitBackoff, category),
                1u)
          << DataCategoryName(category);
    }
  }
}

TEST(HttpTransportTest, RateLimitsOnSuccessApply) {
  TestServer server([](const HttpRequest&) {
    return Status(200, {{"X-Sentry-Rate-Limits", "60:session:key"}});
  });
  Harness h(OptionsFor(server));
  h.transport->SendEnvelope(EventEnvelope("first"));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  h.transport->SendEnvelope(SessionEnvelope());
  h.transport->SendEnvelope(EventEnvelope("third"));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(h.reports->Count(DiscardReason::kRatelimitBackoff,
                             DataCategory::kSession),
            1u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kRatelimitBackoff, DataCategory::kError),
      0u);
}

TEST(HttpTransportTest, AMonitorLimitDropsCheckInsCountedAsMonitor) {
  TestServer server([](const HttpRequest&) {
    return Status(200, {{"X-Sentry-Rate-Limits", "60:monitor:organization"}});
  });
  Harness h(OptionsFor(server));
  h.transport->SendEnvelope(EventEnvelope("first"));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  Envelope check_in;
  check_in.AddItem("check_in",
                   R"({"check_in_id":"22d00b3fd1b14b5d8d2049d138cd8a9c",)"
                   R"("monitor_slug":"job","status":"ok"})");
  h.transport->SendEnvelope(std::move(check_in));
  h.transport->SendEnvelope(EventEnvelope("third"));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(h.reports->Count(DiscardReason::kRatelimitBackoff,
                             DataCategory::kMonitor),
            1u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kRatelimitBackoff, DataCategory::kError),
      0u);
  EXPECT_EQ(h.reports->Count(DiscardReason::kRatelimitBackoff,
                             DataCategory::kDefault),
            0u);
}

TEST(HttpTransportTest, ClientErrorsAndServerErrorsAreSendErrorsNotRetried) {
  for (int status : {413, 400, 500, 503}) {
    TestServer server([status](const HttpRequest&) { return Status(status); });
    HttpTransportOptions options = OptionsFor(server);
    options.cache_dir = TempDir();  // Even with a spool: no retry.
    Harness h(options);
    h.transport->SendEnvelope(EventEnvelope("e"));
    ASSERT_TRUE(h.transport->Flush(absl::Seconds(10))) << status;
    EXPECT_EQ(h.reports->Count(DiscardReason::kSendError, DataCategory::kError),
              1u)
        << status;
    // Once shut down, the transport can send nothing more: one request.
    ASSERT_TRUE(h.transport->Shutdown(absl::Seconds(5))) << status;
    EXPECT_EQ(server.request_count(), 1u) << status;
    EXPECT_EQ(CountFiles(options.cache_dir, ".envelope"), 0u) << status;
  }
}

TEST(HttpTransportTest, NetworkErrorsWithoutSpoolAreCounted) {
  int closed_port;
  {
    TestServer gone;
    closed_port = gone.port();
  }
  HttpTransportOptions refused;
  refused.dsn = absl::StrCat("http://public@127.0.0.1:", closed_port, "/42");
  TestServer dropper([](const HttpRequest&) {
    HttpResponse response;
    response.action = HttpResponse::Action::kCloseConnection;
    return response;
  });
  TestServer slow([](const HttpRequest&) {
    HttpResponse response;
    response.delay = absl::Seconds(5);
    return response;
  });
  HttpTransportOptions timeout = OptionsFor(slow);
  timeout.request_timeout = absl::Milliseconds(300);
  for (auto options : {refused, OptionsFor(dropper), timeout}) {
    options.initial_backoff = absl::Milliseconds(10);  // 3 quick attempts
    Harness h(options);
    h.transport->SendEnvelope(EventEnvelope("e"));
    h.transport->SendEnvelope(SessionEnvelope());
    // Definitively dropped: Flush is done.
    ASSERT_TRUE(h.transport->Flush(absl::Seconds(10))) << options.dsn;
    for (DataCategory category :
         {DataCategory::kError, DataCategory::kSession}) {
      EXPECT_EQ(h.reports->Count(DiscardReason::kNetworkError, category), 1u)
          << options.dsn << " " << DataCategoryName(category);
    }
  }
}

// The event ids of the envelopes spooled in `dir`, sorted.
std::vector<std::string> SpooledIds(const std::string& dir) {
  std::vector<std::string> ids;
  auto spool = internal::Spool::Open(dir, {}, nullptr);
  EXPECT_TRUE(spool.ok()) << spool.status();
  if (!spool.ok()) return ids;
  while (auto file = (*spool)->ClaimNext()) {
    auto envelope = Envelope::Parse(file->bytes());
    EXPECT_TRUE(envelope.ok()) << envelope.status();
    if (envelope.ok()) ids.push_back(envelope->event_id());
    (*spool)->Done(*std::move(file));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A short blip (two dropped connections) is retried in memory after a
// backoff: everything is delivered, nothing goes to the spool or is lost.
TEST(HttpTransportTest, ShortNetworkBlipIsRetriedInMemory) {
  absl::Mutex mu;
  int requests = 0;
  TestServer server([&](const HttpRequest&) {
    absl::MutexLock lock(&mu);
    HttpResponse response;
    if (++requests <= 2)
      response.action = HttpResponse::Action::kCloseConnection;
    return response;
  });
  HttpTransportOptions options = OptionsFor(server);
  options.cache_dir = TempDir();
  options.max_requests_in_flight = 1;
  options.initial_backoff = absl::Milliseconds(10);
  Harness h(options);
  for (int i = 0; i < 10; ++i) {
    h.transport->SendEnvelope(EventEnvelope(absl::StrFormat("e%02d", i)));
  }
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  std::set<std::string> delivered;
  const auto received = server.Requests();
  for (size_t i = 2; i < received.size(); ++i) {  // the first two were cut
    auto envelope = Envelope::Parse(received[i].body);
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    delivered.insert(envelope->event_id());
  }
  EXPECT_EQ(received.size(), 12u);
  EXPECT_EQ(delivered.size(), 10u);
  EXPECT_EQ(CountFiles(options.cache_dir, ".envelope"), 0u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kNetworkError, DataCategory::kError), 0u);
}

TEST(HttpTransportTest, QueueIsBoundedByCountAndTheNewestAreDropped) {
  TestServer hung(&NeverAnswer);
  HttpTransportOptions options = OptionsFor(hung);
  options.max_requests_in_flight = 1;
  options.max_queue_envelopes = 5;
  options.cache_dir = TempDir();  // Shutdown keeps what was accepted here.
  Harness h(options);
  h.transport->SendEnvelope(EventEnvelope("e00"));
  ASSERT_TRUE(hung.WaitForRequests(1, absl::Seconds(10)));  // In flight.
  for (int i = 1; i < 20; ++i) {
    h.transport->SendEnvelope(EventEnvelope(absl::StrFormat("e%02d", i)));
  }
  // One in flight plus five queued were accepted; the 14 newest dropped.
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kQueueOverflow, DataCategory::kError),
      14u);
  EXPECT_FALSE(h.transport->Flush(absl::Milliseconds(100)));
  h.transport->Shutdown(absl::ZeroDuration());
  EXPECT_EQ(
      SpooledIds(options.cache_dir),
      (std::vector<std::string>{"e00", "e01", "e02", "e03", "e04", "e05"}));
}

TEST(HttpTransportTest, QueueIsBoundedByBytesAndTheNewestAreDropped) {
  TestServer hung(&NeverAnswer);
  HttpTransportOptions options = OptionsFor(hung);
  options.max_requests_in_flight = 1;
  options.compress = false;  // The queued size is then the envelope's own.
  options.cache_dir = TempDir();
  const size_t size =
      EventEnvelope("e00", std::string(1000, 'x')).SizeEstimate();
  options.max_queue_bytes = 3 * size + size / 2;  // Room for three.
  Harness h(options);
  h.transport->SendEnvelope(EventEnvelope("e00", std::string(1000, 'x')));
  ASSERT_TRUE(hung.WaitForRequests(1, absl::Seconds(10)));  // In flight.
  for (int i = 1; i < 10; ++i) {
    h.transport->SendEnvelope(
        EventEnvelope(absl::StrFormat("e%02d", i), std::string(1000, 'x')));
  }
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kQueueOverflow, DataCategory::kError),
      6u);
  h.transport->Shutdown(absl::ZeroDuration());
  EXPECT_EQ(SpooledIds(options.cache_dir),
            (std::vector<std::string>{"e00", "e01", "e02", "e03"}));
}

// Without a spool, what shutdown gives up on is counted as lost.
TEST(HttpTransportTest, ShutdownWithoutSpoolCountsWhatWasQueued) {
  TestServer hung(&NeverAnswer);
  HttpTransportOptions options = OptionsFor(hung);
  options.max_requests_in_flight = 1;
  Harness h(options);
  h.transport->SendEnvelope(EventEnvelope("e00"));
  ASSERT_TRUE(hung.WaitForRequests(1, absl::Seconds(10)));
  for (int i = 1; i < 4; ++i) {
    h.transport->SendEnvelope(EventEnvelope(absl::StrFormat("e%02d", i)));
  }
  h.transport->Shutdown(absl::ZeroDuration());
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kNetworkError, DataCategory::kError), 4u);
}

TEST(HttpTransportTest, NetworkErrorsGoToTheSpoolAndTheNextRunSendsThem) {
  const std::string cache = TempDir();
  int closed_port;
  {
    TestServer gone;
    closed_port = gone.port();
  }
  HttpTransportOptions down;
  down.dsn = absl::StrCat("http://public@127.0.0.1:", closed_port, "/42");
  down.cache_dir = cache;
  {
    Harness h(down);
    for (int i = 0; i < 5; ++i) {
      h.transport->SendEnvelope(EventEnvelope(absl::StrCat("spooled", i)));
    }
    // Kept for later, not delivered: Flush says so.
    EXPECT_FALSE(h.transport->Flush(absl::Seconds(10)));
    EXPECT_EQ(
        h.reports->Count(DiscardReason::kNetworkError, DataCategory::kError),
        0u);
    h.transport->Shutdown(absl::Seconds(1));
  }
  ASSERT_EQ(CountFiles(cache, ".envelope"), 5u);

  TestServer server;
  HttpTransportOptions up = OptionsFor(server);
  up.cache_dir = cache;
  up.max_requests_in_flight = 1;  // To observe the order on the server.
  Harness h(up);
  ASSERT_TRUE(server.WaitForRequests(5, absl::Seconds(10)));
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  std::vector<std::string> ids;
  for (const auto& request : server.Requests()) {
    auto envelope = Envelope::Parse(request.body);
    ASSERT_TRUE(envelope.ok());
    ids.push_back(envelope->event_id());
    // sent_at is the time of this attempt.
    EXPECT_TRUE(envelope->StringHeader("sent_at").has_value());
  }
  // Oldest first.
  EXPECT_EQ(ids, (std::vector<std::string>{"spooled0", "spooled1", "spooled2",
                                           "spooled3", "spooled4"}));
  for (int i = 0; i < 100 && CountFiles(cache, ".envelope") != 0; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(CountFiles(cache, ".envelope"), 0u);
}

TEST(HttpTransportTest, ShutdownTimeoutMovesWhatIsLeftToTheSpool) {
  const std::string cache = TempDir();
  TestServer hung(&NeverAnswer);
  HttpTransportOptions options = OptionsFor(hung);
  options.cache_dir = cache;
  options.max_requests_in_flight = 2;
  Harness h(options);
  for (int i = 0; i < 6; ++i) {
    h.transport->SendEnvelope(EventEnvelope(absl::StrCat("e", i)));
  }
  ASSERT_TRUE(hung.WaitForRequests(2, absl::Seconds(10)));
  const absl::Time start = absl::Now();
  EXPECT_FALSE(h.transport->Shutdown(absl::Milliseconds(200)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(CountFiles(cache, ".envelope"), 6u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kNetworkError, DataCategory::kError), 0u);
}

TEST(HttpTransportTest, CorruptSpoolFilesAreNeverSent) {
  const std::string cache = TempDir();
  {
    auto spool = internal::Spool::Open(cache, {}, nullptr);
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Store(EventEnvelope("good").Serialize()).ok());
    const std::string bad = EventEnvelope("bad").Serialize();
    ASSERT_TRUE((*spool)->Store(bad).ok());
    const std::string name = (*spool)->List()[1];
    ASSERT_EQ(::truncate((cache + "/" + name).c_str(), bad.size() / 2), 0);
  }
  TestServer server;
  HttpTransportOptions options = OptionsFor(server);
  options.cache_dir = cache;
  Harness h(options);
  ASSERT_TRUE(server.WaitForRequests(1, absl::Seconds(10)));
  // Flush waits until the spool has been tried; after Shutdown nothing
  // more can be sent.
  ASSERT_TRUE(h.transport->Flush(absl::Seconds(10)));
  ASSERT_TRUE(h.transport->Shutdown(absl::Seconds(5)));
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_NE(server.Requests()[0].body.find("good"), std::string::npos);
  EXPECT_EQ(CountFiles(cache, ".corrupt"), 1u);
}

TEST(HttpTransportTest, BadOptionsAreClearErrors) {
  HttpTransportOptions options;
  options.dsn = "not a dsn";
  EXPECT_FALSE(NewHttpTransport(options).ok());
  options.dsn = "http://key@127.0.0.1:1/1";
  options.ca_certs = "/nonexistent/ca.pem";
  auto missing_ca = NewHttpTransport(options);
  ASSERT_FALSE(missing_ca.ok());
  EXPECT_NE(missing_ca.status().message().find("/nonexistent/ca.pem"),
            std::string::npos);
  options.ca_certs.clear();
  options.cache_dir = "/proc/no-spool-here";
  auto bad_cache = NewHttpTransport(options);
  ASSERT_FALSE(bad_cache.ok());
  EXPECT_NE(bad_cache.status().message().find("/proc/no-spool-here"),
            std::string::npos);
}

// sentry::Init picks the HTTP transport for a DSN; drops go out as client
// reports with a later envelope.
TEST(HttpTransportTest, InitSendsOverHttpWithClientReports) {
  TestServer server([](const HttpRequest&) {
    return Status(200, {{"X-Sentry-Rate-Limits", "60:session:key"}});
  });
  Options options;
  options.dsn = server.Dsn();
  options.sample_rate = 1.0;
  options.before_send = [](protocol::Event& event) {
    return event.logentry().message() != "dropped";
  };
  {
    InitGuard guard = Init(std::move(options));
    ASSERT_TRUE(guard.status().ok()) << guard.status();
    ASSERT_TRUE(guard.enabled());
    CaptureMessage("dropped");
    CaptureMessage("kept");
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  bool saw_event = false, saw_report = false;
  for (const auto& request : server.Requests()) {
    auto envelope = Envelope::Parse(request.body);
    ASSERT_TRUE(envelope.ok());
    for (const auto& item : envelope->items()) {
      if (item.type == "event" &&
          item.payload.find("kept") != std::string::npos) {
        saw_event = true;
      }
      if (item.type == "client_report" &&
          item.payload.find("before_send") != std::string::npos) {
        saw_report = true;
      }
    }
  }
  EXPECT_TRUE(saw_event);
  EXPECT_TRUE(saw_report);
}

// During a rate limit on errors, dropped events make no requests: their
// counts travel in one client report at flush (not one request each, and
// not under the dropped event's id).
TEST(HttpTransportTest, RateLimitedEventsMakeNoRequestsAndOneClientReport) {
  TestServer server([](const HttpRequest& request) {
    if (request.body.find("\"type\":\"event\"") != std::string::npos) {
      return Status(429, {{"X-Sentry-Rate-Limits", "60:error:key"}});
    }
    return Status(200);
  });
  Options options;
  options.dsn = server.Dsn();
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  CaptureMessage("limits errors");  // answered 429: errors are limited
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  ASSERT_EQ(server.request_count(), 1u);
  // Paced like a steady error rate: each event is captured once the
  // previous one was dropped, so each would carry the previous drop's count.
  ClientReports& reports = guard.client()->client_reports();
  for (int i = 0; i < 40; ++i) {
    CaptureMessage("dropped");
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (reports.Count(DiscardReason::kRatelimitBackoff,
                         DataCategory::kError) < i + 1u &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  auto report = Envelope::Parse(requests[1].body);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->event_id(), "");
  ASSERT_EQ(report->items().size(), 1u);
  EXPECT_EQ(report->items()[0].type, "client_report");
  EXPECT_NE(
      report->items()[0].payload.find(
          R"({"reason":"ratelimit_backoff","category":"error","quantity":40})"),
      std::string::npos)
      << report->items()[0].payload;
}

TEST(HttpTransportTest, InitWithAnUnusableCacheDirStillSends) {
  TestServer server;
  Options options;
  options.dsn = server.Dsn();
  options.cache_dir = "/proc/no-spool-here";
  options.debug = true;
  ::testing::internal::CaptureStderr();
  InitGuard guard = Init(std::move(options));
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  // The debug log names the directory that could not be used.
  EXPECT_TRUE(absl::StrContains(log, "/proc/no-spool-here")) << log;
  CaptureMessage("hello");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
}  // namespace sentry
