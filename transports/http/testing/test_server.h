// TestServer: a loopback HTTP/1.1 server for transport tests and
// benchmarks. It records every request (gzip bodies decoded) and answers
// with whatever the handler says: any status and headers, after a delay,
// or not at all (a hung server), or by closing the connection.
//
//   sentry::testing::TestServer server([](const HttpRequest& request) {
//     HttpResponse response;
//     response.status = 429;
//     response.headers = {{"Retry-After", "60"}};
//     return response;
//   });
//   options.dsn = server.Dsn();  // http://public@127.0.0.1:<port>/42
//   ...
//   ASSERT_TRUE(server.WaitForRequests(1, absl::Seconds(10)));
//   EXPECT_EQ(server.Requests()[0].target, "/api/42/envelope/");
//
// Thread-safe. Listens on 127.0.0.1, on a port the kernel picks.
#ifndef SENTRY_TRANSPORTS_HTTP_TESTING_TEST_SERVER_H_
#define SENTRY_TRANSPORTS_HTTP_TESTING_TEST_SERVER_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sentry::testing {

struct HttpRequest {
  std::string method;
  std::string target;
  // Names in lower case, in order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // Decoded when Content-Encoding was gzip.
  size_t wire_body_size = 0;

  std::optional<std::string> Header(absl::string_view name) const;
};

struct HttpResponse {
  enum class Action { kAnswer, kCloseConnection, kHang };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body = "{}";
  absl::Duration delay = absl::ZeroDuration();
  Action action = Action::kAnswer;
};

// Sends all of `data` on socket `fd` (no SIGPIPE); false when the peer is
// gone.
bool WriteAll(int fd, absl::string_view data);

class TestServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // A null handler answers 200 to everything. With `record` false, requests
  // are only counted, and bodies are not decoded (for load tests).
  explicit TestServer(Handler handler = nullptr, bool record = true);
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer();

  int port() const { return port_; }
  // A DSN that points here.
  std::string Dsn(absl::string_view project = "42") const;

  void SetHandler(Handler handler);
  std::vector<HttpRequest> Requests() const;
  size_t request_count() const;
  // Connections accepted so far (keep-alive reuse shows as fewer).
  size_t connection_count() const;
  bool WaitForRequests(size_t count, absl::Duration timeout) const;

  // Closes the listener and every connection (also done on destruction).
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool Pause(absl::Duration duration);  // false when stopping

  const bool record_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread acceptor_;

  mutable absl::Mutex mu_;
  Handler handler_ ABSL_GUARDED_BY(mu_);
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
  size_t request_count_ ABSL_GUARDED_BY(mu_) = 0;
  size_t connection_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> connections_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sentry::testing

#endif  // SENTRY_TRANSPORTS_HTTP_TESTING_TEST_SERVER_H_
