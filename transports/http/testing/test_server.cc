#include "transports/http/testing/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace sentry::testing {
namespace {

std::string Gunzip(absl::string_view data) {
  z_stream stream{};
  if (inflateInit2(&stream, MAX_WBITS + 32) != Z_OK) return "";
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[65536];
  int rc;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&stream);
  return rc == Z_STREAM_END ? out : "<invalid gzip>";
}

absl::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    default:
      return "Status";
  }
}

}  // namespace

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<std::string> HttpRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

TestServer::TestServer(Handler handler, bool record)
    : record_(record), handler_(std::move(handler)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) std::abort();
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (listen_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address),
             sizeof(address)) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address),
                    &length) != 0) {
    std::abort();
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestServer::~TestServer() {
  Stop();
  ::close(stop_pipe_[0]);
}

std::string TestServer::Dsn(absl::string_view project) const {
  return absl::StrCat("http://public@127.0.0.1:", port_, "/", project);
}

void TestServer::SetHandler(Handler handler) {
  absl::MutexLock lock(&mu_);
  handler_ = std::move(handler);
}

std::vector<HttpRequest> TestServer::Requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t TestServer::request_count() const {
  absl::MutexLock lock(&mu_);
  return request_count_;
}

size_t TestServer::connection_count() const {
  absl::MutexLock lock(&mu_);
  return connection_count_;
}

bool TestServer::WaitForRequests(size_t count, absl::Duration timeout) const {
  struct Arg {
    const TestServer* server;
    size_t count;
  } arg{this, count};
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(
                                  +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                    return a->server->request_count_ >=
                                           a->count;
                                  },
                                  &arg),
                              timeout);
}

void TestServer::Stop() {
  std::vector<std::thread> connections;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  ::close(stop_pipe_[1]);  // Wakes every poll() below.
  if (acceptor_.joinable()) acceptor_.join();
  {
    absl::MutexLock lock(&mu_);
    connections.swap(connections_);
  }
  for (auto& thread : connections) thread.join();
  ::close(listen_fd_);
}

bool TestServer::Pause(absl::Duration duration) {
  pollfd stop{stop_pipe_[0], POLLIN, 0};
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(duration));
  return ::poll(&stop, 1, duration == absl::InfiniteDuration() ? -1 : ms) == 0;
}

void TestServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    absl::MutexLock lock(&mu_);
    ++connection_count_;
    connections_.emplace_back([this, fd] {
      Serve(fd);
      ::close(fd);
    });
  }
}

void TestServer::Serve(int fd) {
  std::string buffer;
  char chunk[65536];
  // Reads until `buffer` holds at least `size` bytes; false on EOF or stop.
  auto fill = [&](size_t size) {
    while (buffer.size() < size) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (fds[1].revents != 0) return false;
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    return true;
  };
  for (;;) {
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(buffer.size() + 1)) return;
    }
    HttpRequest request;
    std::vector<absl::string_view> lines =
        absl::StrSplit(absl::string_view(buffer).substr(0, end), "\r\n");
    std::vector<absl::string_view> start = absl::StrSplit(lines[0], ' ');
    if (start.size() < 2) return;
    request.method = std::string(start[0]);
    request.target = std::string(start[1]);
    size_t content_length = 0;
    bool close_after = false;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      std::string value(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
      if (name == "content-length") {
        (void)absl::SimpleAtoi(value, &content_length);
      }
      if (name == "connection" && absl::EqualsIgnoreCase(value, "close")) {
        close_after = true;
      }
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    if (!fill(end + 4 + content_length)) return;
    request.body = buffer.substr(end + 4, content_length);
    request.wire_body_size = content_length;
    buffer.erase(0, end + 4 + content_length);
    auto encoding = request.Header("content-encoding");
    // Load tests (not recording) skip decoding: the sink must stay cheap.
    if (record_ && encoding && absl::EqualsIgnoreCase(*encoding, "gzip")) {
      request.body = Gunzip(request.body);
    }

    Handler handler;
    {
      absl::MutexLock lock(&mu_);
      handler = handler_;
    }
    HttpResponse response = handler ? handler(request) : HttpResponse();
    {
      absl::MutexLock lock(&mu_);
      ++request_count_;
      if (record_) requests_.push_back(std::move(request));
    }
    if (response.delay > absl::ZeroDuration() && !Pause(response.delay)) {
      return;
    }
    switch (response.action) {
      case HttpResponse::Action::kCloseConnection:
        return;
      case HttpResponse::Action::kHang:
        Pause(absl::InfiniteDuration());
        return;
      case HttpResponse::Action::kAnswer:
        break;
    }
    std::string head =
        absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status),
                     "\r\nContent-Length: ", response.body.size(), "\r\n");
    for (const auto& [name, value] : response.headers) {
      absl::StrAppend(&head, name, ": ", value, "\r\n");
    }
    absl::StrAppend(&head, "\r\n", response.body);
    if (!WriteAll(fd, head) || close_after) return;
  }
}

}  // namespace sentry::testing
