// A user's program with the crash integration, as the README shows it: the
// handler process must be found in this workspace's runfiles (the SDK is an
// external repository here) and capture the crash.
//
//   crash CACHE_DIR
#include "sentry/integrations/crash.h"

#include <cstdio>
#include <string>

#include "sentry/sentry.h"

namespace {
__attribute__((noinline, no_sanitize_thread)) void WriteThroughNull(
    volatile int* volatile pointer) {
  *pointer = 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  sentry::Options options;
  options.release = "consumer@1.0.0";
  options.cache_dir = argv[1];
  options.integrations.push_back(sentry::NewCrashIntegration());
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) return 1;
  if (!sentry::CrashHandlerRunning()) {
    std::fprintf(stderr, "no crash handler process\n");
    return 3;
  }
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("service", "consumer"); });
  WriteThroughNull(nullptr);
  return 0;
}
