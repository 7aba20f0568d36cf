// Crash capture: with --crash it crashes the way asked. The crash handler
// process writes the crash into the cache directory and, with SENTRY_DSN
// set, sends it at once; without, the next run prints it.
//
//   crash --cache-dir DIR --crash segv|abort|terminate|none
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "sentry/integrations/crash.h"
#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"

namespace {

// A volatile store through an opaque pointer: no optimizer may drop it, so
// the example crashes in every build mode.
__attribute__((noinline)) void WriteThroughNull(
    volatile int* volatile pointer) {
  *pointer = 42;
}

__attribute__((noinline)) void ProcessOrder(const std::string& how) {
  if (how == "segv") WriteThroughNull(nullptr);
  if (how == "abort") std::abort();
  if (how == "terminate") {
    std::thread([] {
      throw std::logic_error("order total is negative");
    }).join();
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string crash = "none";
  std::string cache_dir = "/tmp/sentry-crash-example";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--crash") == 0) crash = argv[i + 1];
    if (std::strcmp(argv[i], "--cache-dir") == 0) cache_dir = argv[i + 1];
  }
  sentry::Options options;
  options.release = "crash-example@0.1.0";
  options.cache_dir = cache_dir;
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  options.integrations.push_back(sentry::NewCrashIntegration());
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }
  sentry::ConfigureScope([](sentry::Scope& scope) {
    scope.SetTag("checkout.step", "payment");
    sentry::protocol::User user;
    user.set_id("4711");
    scope.SetUser(user);
  });
  sentry::AddBreadcrumb("cart loaded", "app");
  std::cerr << "crash backend: "
            << (sentry::CrashHandlerRunning() ? "handler process"
                                              : "in-process")
            << "\n";
  // The handler process reads this thread's scope at the crash; the
  // in-process fallback renders it ahead of time (every 250 ms): make sure
  // it holds the scope above before the risky step.
  if (!sentry::WaitForCrashEventPrepared(absl::Seconds(5))) {
    std::cerr << "crash event not prepared\n";
    return 1;
  }
  ProcessOrder(crash);
  return sentry::Flush(absl::Seconds(10)) ? 0 : 1;
}
