// A fast loopback envelope sink for load tests: answers 200 to every POST
// (or, with --hang, never answers), counts requests, and prints
// {"requests": N} when it gets SIGINT/SIGTERM.
//
//   sink --port-file /tmp/port [--hang]
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "transports/http/testing/test_server.h"

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
  // Blocked before any thread starts, so only sigwait below sees them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sentry::testing::TestServer server(
      [hang](const sentry::testing::HttpRequest&) {
        sentry::testing::HttpResponse response;
        if (hang)
          response.action = sentry::testing::HttpResponse::Action::kHang;
        return response;
      },
      /*record=*/false);
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << server.port();
    std::rename(tmp.c_str(), port_file.c_str());
  }
  std::printf("listening on 127.0.0.1:%d\n", server.port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  const size_t requests = server.request_count();
  server.Stop();
  std::printf("{\"requests\": %zu}\n", requests);
  std::fflush(stdout);
  return 0;
}
