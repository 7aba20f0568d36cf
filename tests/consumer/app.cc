// A user's program: the SDK with its HTTP transport, tasks on threads that
// each get their own hub, and the user's own "boringssl" library.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "crypto.h"
#include "sentry/integrations/thread_pool.h"
#include "sentry/sentry.h"

int main() {
  sentry::Options options;
  // Nothing listens on the discard port: delivery fails, the program goes on.
  options.dsn = "http://public@127.0.0.1:9/1";
  options.release = "consumer@1.0.0";
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("service", "consumer"); });
  for (int task = 1; task <= 2; ++task) {
    sentry::Thread worker([task] {
      sentry::ConfigureScope([task](sentry::Scope& scope) {
        scope.SetTag("task", std::to_string(task));
      });
      std::cout << "task " << task << " event "
                << sentry::CaptureMessage("task done") << "\n";
    });
    worker.join();
  }
  std::cout << "linked with " << UserBoringsslName() << "\n";
  // The user's RAND_bytes is the one the program's code calls; the SDK's
  // (renamed, hidden) never is, so its event ids stay random.
  uint8_t bytes[4];
  RAND_bytes(bytes, sizeof(bytes));
  std::cout << "user RAND_bytes";
  for (uint8_t b : bytes) std::cout << " " << static_cast<int>(b);
  std::cout << "\n";
  sentry::Flush(absl::Seconds(1));
  return 0;
}
