// A fast loopback envelope sink for load tests: answers 200 to every HTTP/1.1
// request (or, with --hang, reads requests and never answers), counts the
// requests, and prints {"requests": N} when it gets SIGINT/SIGTERM (then
// exits) or SIGUSR1 (the count so far; it keeps serving).
//
//   sink --port-file /tmp/port [--hang]
//
// One thread and epoll, parsing no more than Content-Length: it stands in
// for a server on another machine, so it should take as little of the load
// test's CPU as it can. Bodies are not decoded; the tests that check what
// the SDK sends use TestServer (test_server.h) instead.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "transports/http/testing/test_server.h"

namespace {

constexpr absl::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

struct Connection {
  std::string buffer;
  size_t start = 0;  // Where the next request begins in `buffer`.
};

// The value of Content-Length in a request head, 0 if absent.
size_t ContentLength(absl::string_view head) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != absl::string_view::npos) {
    pos += 2;
    absl::string_view line = head.substr(pos);
    line = line.substr(0, line.find("\r\n"));
    constexpr absl::string_view kName = "content-length:";
    if (absl::StartsWithIgnoreCase(line, kName)) {
      size_t length = 0;
      if (absl::SimpleAtoi(
              absl::StripAsciiWhitespace(line.substr(kName.size())), &length)) {
        return length;
      }
    }
  }
  return 0;
}

// Parses the complete requests in `c`; returns how many there were.
size_t TakeRequests(Connection& c) {
  size_t count = 0;
  for (;;) {
    const absl::string_view data = absl::string_view(c.buffer).substr(c.start);
    const size_t end = data.find("\r\n\r\n");
    if (end == absl::string_view::npos) break;
    const size_t total = end + 4 + ContentLength(data.substr(0, end));
    if (data.size() < total) break;
    c.start += total;
    ++count;
  }
  if (c.start == c.buffer.size()) {
    c.buffer.clear();
    c.start = 0;
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file;
  bool hang = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hang") == 0) {
      hang = true;
    } else if (std::strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
      port_file = argv[++i];
    } else {
      std::fprintf(stderr, "usage: sink --port-file FILE [--hang]\n");
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);

  const int listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (signal_fd < 0 || listen_fd < 0 ||
      ::bind(listen_fd, reinterpret_cast<sockaddr*>(&address),
             sizeof(address)) != 0 ||
      ::listen(listen_fd, 128) != 0 ||
      ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address),
                    &length) != 0) {
    std::perror("sink");
    return 1;
  }
  const int port = ntohs(address.sin_port);
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  for (const int fd : {listen_fd, signal_fd}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
  }
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << port;
    std::rename(tmp.c_str(), port_file.c_str());
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);

  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  size_t requests = 0;
  char chunk[65536];
  for (bool running = true; running;) {
    epoll_event events[64];
    const int n = ::epoll_wait(epoll_fd, events, 64, -1);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == signal_fd) {
        signalfd_siginfo info{};
        if (::read(signal_fd, &info, sizeof(info)) == sizeof(info) &&
            info.ssi_signo == SIGUSR1) {
          std::printf("{\"requests\": %zu}\n", requests);
          std::fflush(stdout);
        } else {
          running = false;
        }
      } else if (fd == listen_fd) {
        const int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = client;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &event);
        connections[client] = std::make_unique<Connection>();
      } else {
        Connection& c = *connections[fd];
        const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
        if (got < 0 && errno == EINTR) continue;
        bool open = got > 0;
        if (open) {
          c.buffer.append(chunk, static_cast<size_t>(got));
          const size_t complete = TakeRequests(c);
          requests += complete;
          for (size_t k = 0; k < complete && !hang && open; ++k) {
            open = sentry::testing::WriteAll(fd, kOk);
          }
        }
        if (!open) {
          ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
          ::close(fd);
          connections.erase(fd);
        }
      }
    }
  }
  std::printf("{\"requests\": %zu}\n", requests);
  std::fflush(stdout);
  return 0;
}
