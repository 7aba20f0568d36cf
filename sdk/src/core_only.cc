// A program that links only //sdk:core: prints what Init says of a DSN
// without a transport (for core_links_no_http_test.sh).
#include <iostream>

#include "sentry/sentry.h"

int main() {
  sentry::Options options;
  options.dsn = "https://key@o1.ingest.sentry.io/42";
  sentry::InitGuard guard = sentry::Init(std::move(options));
  std::cout << guard.status() << "\n";
  return guard.status().ok() ? 1 : 0;
}
