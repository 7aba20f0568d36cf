// Sends a message (or COUNT) through sentry::Init's HTTP transport and
// flushes, with the debug log on stderr. For tests:
//   send_one DSN [CA_CERTS_PEM [COUNT]]
#include <cstdlib>
#include <iostream>

#include "sentry/sentry.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: send_one DSN [CA_CERTS_PEM [COUNT]]\n";
    return 2;
  }
  sentry::Options options;
  options.dsn = argv[1];
  if (argc > 2) options.ca_certs = argv[2];
  const int count = argc > 3 ? std::atoi(argv[3]) : 1;
  options.debug = true;
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "init failed: " << guard.status() << "\n";
    return 1;
  }
  for (int i = 0; i < count; ++i) sentry::CaptureMessage("over tls");
  return sentry::Flush(absl::Seconds(10)) ? 0 : 1;
}
