#include "integrations/http_client/src/test_fixture.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sentry::testing {

RecordingServer::RecordingServer() {
  server_.Get("/ok",
              [this](const httplib::Request& req, httplib::Response& res) {
                Record(req);
                res.set_content("ok", "text/plain");
              });
  const auto missing = [this](const httplib::Request& req,
                              httplib::Response& res) {
    Record(req);
    res.status = 404;
  };
  server_.Get("/missing", missing);
  server_.Post("/missing", missing);
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (port_ > 0 && !server_.is_running()) std::this_thread::yield();
}

RecordingServer::~RecordingServer() { Stop(); }

void RecordingServer::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void RecordingServer::Record(const httplib::Request& request) {
  absl::MutexLock lock(&mu_);
  received_.push_back(request.headers);
}

std::string RecordingServer::Header(size_t request, const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (request >= received_.size()) return "<no such request>";
  auto it = received_[request].find(name);
  return it == received_[request].end() ? "<absent>" : it->second;
}

size_t RecordingServer::Count(size_t request, const std::string& name) {
  absl::MutexLock lock(&mu_);
  return request < received_.size() ? received_[request].count(name) : 0;
}

void OutgoingRequestTest::SetUp() {
  ASSERT_GT(port_, 0);
  Options options;
  options.dsn = "https://key@o1.ingest.sentry.io/2";
  options.transport = transport_;
  options.traces_sample_rate = 1.0;
  options.trace_propagation_targets = {"127.0.0.1"};
  guard_.emplace(Init(std::move(options)));
  ASSERT_TRUE(guard_->status().ok()) << guard_->status();
}

void OutgoingRequestTest::ContinueUpstreamTrace() {
  ASSERT_TRUE(ContinueTrace(absl::StrCat(kTrace, "-", kSpan, "-1"), kBaggage));
}

void OutgoingRequestTest::ExpectUpstreamTracePropagated(size_t request) {
  const std::vector<std::string> parts =
      absl::StrSplit(Header(request, "sentry-trace"), '-');
  ASSERT_EQ(parts.size(), 3u) << Header(request, "sentry-trace");
  EXPECT_EQ(parts[0], kTrace);
  EXPECT_EQ(parts[1].size(), 16u);
  EXPECT_NE(parts[1], kSpan);
  EXPECT_EQ(parts[2], "1");
  EXPECT_EQ(Header(request, "baggage"), kBaggage);
}

}  // namespace sentry::testing
