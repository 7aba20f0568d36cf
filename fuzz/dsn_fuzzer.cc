// Fuzz target: sentry::Dsn::Parse never crashes, and what it accepts
// yields a well-formed envelope URL and auth header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "sentry/dsn.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto dsn = sentry::Dsn::Parse(input);
  if (!dsn.ok()) return 0;
  if (dsn->public_key().empty() || dsn->host().empty() ||
      dsn->project_id().empty() || dsn->port() <= 0 || dsn->port() > 65535) {
    std::abort();
  }
  const std::string url = dsn->EnvelopeUrl();
  if (!absl::StartsWith(url, dsn->scheme()) ||
      !absl::EndsWith(url, "/envelope/")) {
    std::abort();
  }
  (void)dsn->AuthHeader("fuzz/1.0");
  return 0;
}
