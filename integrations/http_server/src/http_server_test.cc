#include "sentry/integrations/http_server.h"

#include <curl/curl.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "sentry/integrations/httplib.h"
#include "sentry/integrations/microhttpd.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

// A real HTTP client: returns the status (0 on failure).
long Fetch(const std::string& url, const std::vector<std::string>& headers = {},
           const std::string* post_body = nullptr) {
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& header : headers) {
    list = curl_slist_append(list, header.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) { return size * n; });
  if (post_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->c_str());
  }
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return status;
}

// A function of the SDK or its adapters (this test's own functions live in
// sentry's anonymous namespace).
bool IsSdkFunction(const std::string& function) {
  return absl::StartsWith(function, "sentry::") &&
         !absl::StartsWith(function, "sentry::(anonymous namespace)");
}

// The middleware that caught the exception is not its culprit: no frame
// of the SDK or its adapters is the newest or marked in-app.
void ExpectNoSdkFrameOnTopOrInApp(const protocol::Stacktrace& stack) {
  ASSERT_GE(stack.frames_size(), 1);
  EXPECT_FALSE(IsSdkFunction(stack.frames().rbegin()->function()))
      << stack.frames().rbegin()->function();
  for (const auto& frame : stack.frames()) {
    if (IsSdkFunction(frame.function())) {
      EXPECT_FALSE(frame.in_app()) << frame.function();
    }
  }
}

class HttpServerTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    Options options;
    options.transport = transport_;
    options.send_default_pii = GetParam();
    options.traces_sample_rate = 1.0;
    guard_ = std::make_unique<InitGuard>(Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok());

    http_server::MiddlewareOptions middleware;
    middleware.capture_server_errors = true;
    server_.Get(R"(/user/(\d+))",
                httplib_adapter::Wrap(
                    "/user/<id>",
                    [](const httplib::Request& req, httplib::Response& res) {
                      const std::string id = req.matches[1];
                      ConfigureScope([&](Scope& scope) {
                        scope.SetTag("request_id",
                                     req.get_header_value("X-Request-Id"));
                        protocol::User user;
                        user.set_id(id);
                        scope.SetUser(user);
                      });
                      CaptureMessage("user " + id);
                      res.set_content("ok", "text/plain");
                    },
                    middleware));
    server_.Get("/boom", httplib_adapter::Wrap(
                             "/boom",
                             [](const httplib::Request&, httplib::Response&) {
                               ConfigureScope([](Scope& scope) {
                                 scope.SetTag("boom", "yes");
                               });
                               throw std::runtime_error("handler failed");
                             },
                             middleware));
    server_.Post("/echo",
                 httplib_adapter::Wrap(
                     "/echo",
                     [](const httplib::Request&, httplib::Response& res) {
                       CaptureMessage("echo");
                       res.set_content("ok", "text/plain");
                     },
                     middleware));
    server_.Get("/unavailable",
                httplib_adapter::Wrap(
                    "/unavailable",
                    [](const httplib::Request&, httplib::Response& res) {
                      res.status = 503;
                    },
                    middleware));
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }

  void TearDown() override {
    server_.stop();
    thread_.join();
    guard_.reset();
  }

  std::string Url(absl::string_view path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  std::vector<protocol::Event> Events(size_t n) {
    EXPECT_TRUE(Flush(absl::Seconds(10)));
    EXPECT_TRUE(transport_->WaitForEvents(n, absl::Seconds(10)));
    return transport_->events();
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::unique_ptr<InitGuard> guard_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_P(HttpServerTest, ConcurrentRequestsCarryOnlyTheirOwnData) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        if (Fetch(Url(absl::StrCat("/user/", n, "?page=", n)),
                  {absl::StrCat("X-Request-Id: r", n)}) != 200) {
          ++failures;
        }
        // A failing request in between must not disturb the others.
        if (i == 5 && Fetch(Url("/boom")) != 500) ++failures;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(failures.load(), 0);
  const size_t total = kThreads * kPerThread + kThreads;
  const auto events = Events(total);
  ASSERT_EQ(events.size(), total);
  int users = 0, booms = 0;
  for (const auto& event : events) {
    if (event.has_exception()) {
      ++booms;
      const auto& value = event.exception().values(0);
      EXPECT_EQ(value.type(), "std::runtime_error");
      EXPECT_EQ(value.mechanism().type(), "http_server");
      EXPECT_FALSE(value.mechanism().handled());
      ExpectNoSdkFrameOnTopOrInApp(value.stacktrace());
      EXPECT_EQ(event.transaction(), "/boom");
      EXPECT_EQ(event.tags().at("boom"), "yes");
      EXPECT_EQ(event.tags().count("request_id"), 0u);
      EXPECT_TRUE(event.user().id().empty());
      continue;
    }
    ++users;
    const std::string n = event.logentry().message().substr(5);
    EXPECT_EQ(event.user().id(), n);
    EXPECT_EQ(event.tags().at("request_id"), "r" + n);
    EXPECT_EQ(event.tags().count("boom"), 0u);
    EXPECT_EQ(event.transaction(), "/user/<id>");
    EXPECT_EQ(event.request().method(), "GET");
    EXPECT_EQ(event.request().url(), Url("/user/" + n));
    EXPECT_EQ(event.request().query_string(), "page=" + n);
    EXPECT_EQ(event.request().headers().at("X-Request-Id"), "r" + n);
    // The request's own breadcrumb and no other request's.
    ASSERT_EQ(event.breadcrumbs().values_size(), 1);
    EXPECT_EQ(event.breadcrumbs().values(0).message(), "GET /user/" + n);
  }
  EXPECT_EQ(users, kThreads * kPerThread);
  EXPECT_EQ(booms, kThreads);
}

std::string TraceField(const protocol::Event& event, const std::string& key) {
  auto it = event.contexts().find("trace");
  if (it == event.contexts().end()) return "<no trace context>";
  auto field = it->second.fields().find(key);
  return field == it->second.fields().end() ? "" : field->second.string_value();
}

// Each request continues its caller's trace in an http.server transaction,
// and what the handler captures belongs to it.
TEST_P(HttpServerTest, RequestsContinueTheCallersTraceInATransaction) {
  constexpr char kTrace[] = "771a43a4192642f0b136d5159a501700";
  constexpr char kSpan[] = "b0e6f15b45c36b12";
  ASSERT_EQ(Fetch(Url("/user/7"),
                  {absl::StrCat("sentry-trace: ", kTrace, "-", kSpan, "-1"),
                   absl::StrCat("baggage: sentry-trace_id=", kTrace,
                                ",sentry-sample_rate=1,sentry-release=up")}),
            200);
  ASSERT_EQ(Fetch(Url("/boom"), {absl::StrCat("traceparent: 00-", kTrace, "-",
                                              kSpan, "-01")}),
            500);
  ASSERT_EQ(Fetch(Url("/unavailable")), 503);
  ASSERT_TRUE(transport_->WaitForTransactions(3, absl::Seconds(10)));
  const std::vector<protocol::Event> events = Events(3);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  std::map<std::string, protocol::Event> transactions;
  for (auto& t : transport_->transactions()) transactions[t.transaction()] = t;
  ASSERT_EQ(transactions.size(), 3u);

  const protocol::Event& user = transactions.at("/user/<id>");
  EXPECT_EQ(user.transaction_info().source(), "route");
  EXPECT_EQ(TraceField(user, "op"), "http.server");
  EXPECT_EQ(TraceField(user, "trace_id"), kTrace);
  EXPECT_EQ(TraceField(user, "parent_span_id"), kSpan);
  EXPECT_EQ(TraceField(user, "status"), "ok");
  const auto& data = user.contexts().at("trace").fields().at("data");
  EXPECT_EQ(
      data.struct_value().fields().at("http.request.method").string_value(),
      "GET");
  EXPECT_EQ(data.struct_value()
                .fields()
                .at("http.response.status_code")
                .number_value(),
            200);
  // The handler's event is in the transaction's span.
  const protocol::Event& message = events[0];
  EXPECT_EQ(message.logentry().message(), "user 7");
  EXPECT_EQ(TraceField(message, "trace_id"), kTrace);
  EXPECT_EQ(TraceField(message, "span_id"), TraceField(user, "span_id"));

  const protocol::Event& boom = transactions.at("/boom");
  EXPECT_EQ(TraceField(boom, "trace_id"), kTrace);  // From traceparent.
  EXPECT_EQ(TraceField(boom, "status"), "internal_error");
  const protocol::Event& unavailable = transactions.at("/unavailable");
  EXPECT_NE(TraceField(unavailable, "trace_id"), kTrace);  // A new trace.
  EXPECT_EQ(TraceField(unavailable, "parent_span_id"), "");
  EXPECT_EQ(TraceField(unavailable, "status"), "unavailable");
}

TEST_P(HttpServerTest, PrivacyRules) {
  const std::string body = "card=body-marker-q7z";
  ASSERT_EQ(
      Fetch(Url("/echo"),
            {"Authorization: Bearer s3cret", "Proxy-Authorization: Basic abc",
             "Cookie: theme=dark; session=xyz", "X-Api-Key: key123",
             "X-Forwarded-For: 203.0.113.7", "User-Agent: privacy-test"},
            &body),
      200);
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& request = events[0].request();
  const auto& headers = request.headers();
  // Always filtered, with or without send_default_pii.
  EXPECT_EQ(headers.at("Authorization"), "[Filtered]");
  EXPECT_EQ(headers.at("Proxy-Authorization"), "[Filtered]");
  EXPECT_EQ(headers.at("X-Api-Key"), "[Filtered]");
  EXPECT_EQ(headers.at("User-Agent"), "privacy-test");
  EXPECT_EQ(headers.count("Cookie"), 0u);
  const std::string json = events[0].DebugString();
  EXPECT_EQ(json.find("s3cret"), std::string::npos);
  EXPECT_EQ(json.find("key123"), std::string::npos);
  if (GetParam()) {
    // Cookies are sent, but a session's value is a secret all the same.
    EXPECT_EQ(request.cookies(), "theme=dark; session=[Filtered]");
    EXPECT_EQ(request.data().string_value(), body);
    EXPECT_EQ(headers.at("X-Forwarded-For"), "203.0.113.7");
    // Forwarding headers are not trusted by default: the socket's address.
    EXPECT_EQ(events[0].user().ip_address(), "127.0.0.1");
  } else {
    EXPECT_TRUE(request.cookies().empty());
    EXPECT_FALSE(request.has_data());
    EXPECT_EQ(headers.at("X-Forwarded-For"), "[Filtered]");
    EXPECT_TRUE(events[0].user().ip_address().empty());
    EXPECT_EQ(json.find("xyz"), std::string::npos);
    EXPECT_EQ(json.find("body-marker-q7z"), std::string::npos);
    EXPECT_EQ(json.find("203.0.113.7"), std::string::npos);
  }
}

TEST_P(HttpServerTest, ServerErrorsAreCapturedWhenAskedTo) {
  ASSERT_EQ(Fetch(Url("/unavailable")), 503);
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].logentry().message(), "HTTP 503: GET /unavailable");
  EXPECT_EQ(events[0].level(), "error");
  EXPECT_EQ(events[0].tags().at("http.status_code"), "503");
}

INSTANTIATE_TEST_SUITE_P(Pii, HttpServerTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "WithPii" : "WithoutPii";
                         });

// The event captured by a handler of a request from 10.0.0.1 with
// `headers`, behind a proxy whose forwarding headers are trusted (PII on).
protocol::Event CaptureBehindTrustedProxy(
    std::vector<std::pair<std::string, std::string>> headers) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.send_default_pii = true;
  InitGuard guard = Init(std::move(options));
  http_server::MiddlewareOptions middleware;
  middleware.trust_forwarded_headers = true;
  http_server::Request request;
  request.method = "GET";
  request.url = "http://example.com/x";
  request.remote_addr = "10.0.0.1";
  request.headers = std::move(headers);
  EXPECT_EQ(http_server::Handle(request, middleware,
                                [] {
                                  CaptureMessage("behind a proxy");
                                  return 204;
                                }),
            204);
  EXPECT_TRUE(Flush(absl::Seconds(5)));
  const auto events = transport->events();
  EXPECT_EQ(events.size(), 1u);
  return events.empty() ? protocol::Event() : events[0];
}

TEST(TrustedForwardingTest, ClientAddressFromForwardedHeaderWhenTrusted) {
  const protocol::Event event = CaptureBehindTrustedProxy(
      {{"X-Forwarded-For", "198.51.100.4, 10.0.0.1"}});
  EXPECT_EQ(event.user().ip_address(), "198.51.100.4");
  EXPECT_EQ(event.transaction(), "/x");
}

// Without X-Forwarded-For, a trusted X-Real-IP names the client.
TEST(TrustedForwardingTest, ClientAddressFromXRealIpWhenTrusted) {
  const protocol::Event event =
      CaptureBehindTrustedProxy({{"X-Real-IP", "198.51.100.9"}});
  EXPECT_EQ(event.user().ip_address(), "198.51.100.9");
}

// With PII on, the body is sent up to max_body_bytes (8 KiB by default,
// what Relay keeps), cut at a character boundary.
TEST(RequestBodyTest, BodyIsCutAtEightKiBOnACharacterBoundary) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.send_default_pii = true;
  InitGuard guard = Init(std::move(options));
  const http_server::MiddlewareOptions middleware;
  EXPECT_EQ(middleware.max_body_bytes, 8u * 1024);
  http_server::Request request;
  request.method = "POST";
  request.url = "/upload";
  for (int i = 0; request.body.size() < 20 * 1024; ++i) {
    absl::StrAppend(&request.body, i, ",");
  }
  // A second request whose 8192nd byte is inside a two-byte character.
  http_server::Request accented = request;
  accented.body = std::string(8191, 'a') + "\xC3\xA9" + "tail";
  for (const auto* r : {&request, &accented}) {
    EXPECT_EQ(http_server::Handle(*r, middleware,
                                  [] {
                                    CaptureMessage("upload");
                                    return 200;
                                  }),
              200);
  }
  ASSERT_TRUE(Flush(absl::Seconds(5)));
  const auto events = transport->events();
  ASSERT_EQ(events.size(), 2u);
  const std::string& sent = events[0].request().data().string_value();
  EXPECT_EQ(sent.size(), 8u * 1024);
  EXPECT_TRUE(sent == request.body.substr(0, 8 * 1024));
  EXPECT_TRUE(events[1].request().data().string_value() ==
              std::string(8191, 'a'));
}

TEST(RequestSessionsTest, RequestsAreAggregatedPerMinute) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "server@2.0";
  options.session_mode = Options::SessionMode::kRequest;
  InitGuard guard = Init(std::move(options));
  http_server::Request request;
  request.method = "GET";
  request.url = "/x";
  const http_server::MiddlewareOptions middleware;
  EXPECT_EQ(http_server::Handle(request, middleware, [] { return 200; }), 200);
  EXPECT_EQ(http_server::Handle(request, middleware, [] { return 200; }), 200);
  EXPECT_EQ(http_server::Handle(request, middleware, [] { return 503; }), 503);
  EXPECT_EQ(http_server::Handle(request, middleware,
                                []() -> int { throw std::runtime_error("x"); }),
            500);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  std::vector<std::string> aggregates;
  for (const auto& envelope : transport->envelopes()) {
    for (const auto& item : envelope.items()) {
      // Request mode never reports an application-wide session.
      EXPECT_NE(item.type, "session");
      if (item.type == "sessions") aggregates.push_back(item.payload);
    }
  }
  ASSERT_EQ(aggregates.size(), 1u);
  EXPECT_NE(aggregates[0].find(R"("exited":2,"errored":1,"crashed":1)"),
            std::string::npos)
      << aggregates[0];
  EXPECT_NE(
      aggregates[0].find(
          R"("attrs":{"release":"server@2.0","environment":"production"})"),
      std::string::npos)
      << aggregates[0];
  EXPECT_NE(aggregates[0].find(":00.000000Z\""),  // Whole minutes.
            std::string::npos)
      << aggregates[0];
}

TEST(SensitiveHeaderTest, Names) {
  for (const char* name :
       {"Authorization", "proxy-authorization", "Cookie", "X-API-Key",
        "X-Auth-Token", "X-Client-Secret", "X-Csrf-Token", "X-Sentry-Auth"}) {
    EXPECT_TRUE(http_server::IsSensitiveHeader(name)) << name;
  }
  for (const char* name : {"Accept", "User-Agent", "Content-Type", "Host"}) {
    EXPECT_FALSE(http_server::IsSensitiveHeader(name)) << name;
  }
  http_server::MiddlewareOptions options;
  options.sensitive_headers = {"X-Internal"};
  EXPECT_TRUE(http_server::IsSensitiveHeader("x-internal", options));
}

TEST(RequestDeadlineTest, AStuckRequestIsReportedWithItsOwnScope) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.traces_sample_rate = 1.0;
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok());
  http_server::MiddlewareOptions middleware;
  middleware.request_deadline = absl::Milliseconds(100);
  http_server::Request request;
  request.method = "GET";
  request.url = "http://shop.example/report/7";
  request.route = "/report/<id>";
  absl::Notification go;
  std::thread server([&] {
    http_server::Handle(request, middleware, [&] {
      ConfigureScope([](Scope& scope) { scope.SetTag("report", "7"); });
      go.WaitForNotification();
      return 200;
    });
  });
  const bool reported = transport->WaitForEvents(1, absl::Seconds(30));
  go.Notify();
  server.join();
  ASSERT_TRUE(reported);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto events = transport->events();
  ASSERT_EQ(events.size(), 1u);
  const auto& exception = events[0].exception().values(0);
  EXPECT_EQ(exception.type(), "StuckWork");
  EXPECT_TRUE(absl::StrContains(exception.value(), "\"GET /report/<id>\""))
      << exception.value();
  EXPECT_EQ(events[0].tags().at("report"), "7");
  EXPECT_EQ(events[0].request().url(), "http://shop.example/report/7");
  // The request's transaction, which the report belongs to.
  ASSERT_EQ(transport->transactions().size(), 1u);
  const auto trace_id = [](const protocol::Event& event) {
    return event.contexts().at("trace").fields().at("trace_id").string_value();
  };
  EXPECT_EQ(trace_id(events[0]), trace_id(transport->transactions()[0]));
}

// The same core behind a second, unrelated server library.
MHD_Result OnMhdRequest(void*, MHD_Connection* connection, const char* url,
                        const char* method, const char*, const char*, size_t*,
                        void**) {
  const std::string path = url;
  const std::string route = path.rfind("/item/", 0) == 0 ? "/item/<id>" : path;
  return microhttpd::Respond(
      connection, url, method, "", route,
      [path](const http_server::Request& request) -> microhttpd::Response {
        if (path == "/fail") throw std::out_of_range("no such item");
        ConfigureScope(
            [&](Scope& scope) { scope.SetTag("item", path.substr(6)); });
        CaptureMessage(path);
        return {200, "ok"};
      });
}

TEST(MicrohttpdTest, ConcurrentRequestsAndFailures) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  InitGuard guard = Init(std::move(options));
  MHD_Daemon* daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
      nullptr, nullptr, &OnMhdRequest, nullptr, MHD_OPTION_END);
  ASSERT_NE(daemon, nullptr);
  const int port = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
  std::vector<std::thread> clients;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string url = absl::StrCat("http://127.0.0.1:", port,
                                             "/item/", t * 10 + i, "?q=", i);
        if (Fetch(url) != 200) ++failures;
      }
      if (Fetch(absl::StrCat("http://127.0.0.1:", port, "/fail")) != 500) {
        ++failures;
      }
    });
  }
  for (auto& client : clients) client.join();
  MHD_stop_daemon(daemon);
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto events = transport->events();
  ASSERT_EQ(events.size(), 44u);
  int failed = 0;
  for (const auto& event : events) {
    if (event.has_exception()) {
      ++failed;
      EXPECT_EQ(event.exception().values(0).mechanism().type(), "http_server");
      ExpectNoSdkFrameOnTopOrInApp(event.exception().values(0).stacktrace());
      EXPECT_EQ(event.transaction(), "/fail");
      EXPECT_EQ(event.tags().count("item"), 0u);
      continue;
    }
    const std::string& path = event.logentry().message();
    EXPECT_EQ(event.tags().at("item"), path.substr(6));
    EXPECT_EQ(event.transaction(), "/item/<id>");
    EXPECT_EQ(event.request().url(),
              absl::StrCat("http://127.0.0.1:", port, path));
    // Item t * 10 + i was asked for with ?q=i.
    int item = -1;
    ASSERT_TRUE(absl::SimpleAtoi(path.substr(6), &item)) << path;
    EXPECT_EQ(event.request().query_string(), absl::StrCat("q=", item % 10));
    ASSERT_EQ(event.breadcrumbs().values_size(), 1);
    EXPECT_EQ(event.breadcrumbs().values(0).message(), "GET " + path);
  }
  EXPECT_EQ(failed, 4);
}

}  // namespace
}  // namespace sentry
