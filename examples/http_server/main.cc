// An HTTP server (cpp-httplib) with the Sentry middleware: every request
// runs with its own hub. Listens on 127.0.0.1.
//
//   http_server --port 8080 [--port-file FILE]
//
// Routes: /hello, /user/<id> (sets the user), /boom (throws: captured and
// answered with 500). Reports to SENTRY_DSN, or prints envelopes to stdout.
// Stops on SIGINT or SIGTERM, flushing what is pending.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "sentry/integrations/httplib.h"
#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"

int main(int argc, char** argv) {
  int port = 8080;
  std::string port_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--port-file") == 0) {
      port_file = argv[i + 1];
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // Before any thread starts.

  sentry::Options options;
  options.release = "http-server-example@0.1.0";
  // A server: release health per request, sent as aggregates.
  options.session_mode = sentry::Options::SessionMode::kRequest;
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }

  using sentry::httplib_adapter::Wrap;
  httplib::Server server;
  server.Get("/hello", Wrap("/hello", [](const httplib::Request&,
                                         httplib::Response& res) {
               sentry::CaptureMessage("hello requested");
               res.set_content("hello\n", "text/plain");
             }));
  server.Get(R"(/user/(\w+))",
             Wrap("/user/<id>",
                  [](const httplib::Request& req, httplib::Response& res) {
                    sentry::protocol::User user;
                    user.set_id(req.matches[1]);
                    sentry::ConfigureScope(
                        [&](sentry::Scope& scope) { scope.SetUser(user); });
                    sentry::CaptureMessage("user page viewed");
                    res.set_content("user " + user.id() + "\n", "text/plain");
                  }));
  server.Get("/boom",
             Wrap("/boom", [](const httplib::Request&, httplib::Response&) {
               throw std::runtime_error("boom: the handler failed");
             }));

  const int bound = port == 0
                        ? server.bind_to_any_port("127.0.0.1")
                        : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << bound;
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cerr << "listening on http://127.0.0.1:" << bound << "\n";
  std::thread listener([&] { server.listen_after_bind(); });
  int signal = 0;
  sigwait(&signals, &signal);
  server.stop();
  listener.join();
  return guard.Close() ? 0 : 1;
}
