// What the outgoing-request tests share: RecordingServer, a local
// cpp-httplib server that answers /ok with 200 "ok" and /missing with 404
// (GET and POST) and keeps every request's headers, and a fixture with
// one running and an SDK that traces every transaction and propagates to
// 127.0.0.1 only (so "localhost" URLs are not targets).
//
//   class MyClientTest : public sentry::testing::OutgoingRequestTest {};
//   TEST_F(MyClientTest, ...) {
//     ... a request to "http://127.0.0.1:" + port_ + "/ok" ...
//     EXPECT_EQ(Header(0, "sentry-trace"), expected);
//   }
#ifndef SENTRY_INTEGRATIONS_HTTP_CLIENT_SRC_TEST_FIXTURE_H_
#define SENTRY_INTEGRATIONS_HTTP_CLIENT_SRC_TEST_FIXTURE_H_

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry::testing {

class RecordingServer {
 public:
  // Listening on 127.0.0.1 (a free port) when constructed.
  RecordingServer();
  ~RecordingServer();

  int port() const { return port_; }
  // Stops listening: a later request to the port is refused.
  void Stop();
  // Header `name` of the request-th request received (from 0), or
  // "<absent>"; and how many times the request carried it.
  std::string Header(size_t request, const std::string& name);
  size_t Count(size_t request, const std::string& name);

 private:
  void Record(const httplib::Request& request);

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<httplib::Headers> received_ ABSL_GUARDED_BY(mu_);
};

class OutgoingRequestTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { guard_.reset(); }

  std::string Header(size_t request, const std::string& name) {
    return server_.Header(request, name);
  }

  // Continues an upstream trace (kTrace, kSpan, sampled, with a DSC) on the
  // scope, for requests made without an active span.
  static constexpr char kTrace[] = "771a43a4192642f0b136d5159a501700";
  static constexpr char kSpan[] = "b0e6f15b45c36b12";
  static constexpr char kBaggage[] =
      "sentry-trace_id=771a43a4192642f0b136d5159a501700,"
      "sentry-public_key=upstream,sentry-sample_rand=0.25,sentry-sampled=true";
  void ContinueUpstreamTrace();
  // The request-th request carried the continued trace: its trace id, this
  // service's span (not the caller's), the caller's decision, the frozen DSC.
  void ExpectUpstreamTracePropagated(size_t request);

  RecordingServer server_;
  const int port_ = server_.port();
  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

}  // namespace sentry::testing

#endif  // SENTRY_INTEGRATIONS_HTTP_CLIENT_SRC_TEST_FIXTURE_H_
