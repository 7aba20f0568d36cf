// Fuzz target: the X-Sentry-Rate-Limits and Retry-After parsers never crash
// or overflow, and a limit never ends before it started.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/time/time.h"
#include "transports/http/src/rate_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  sentry::internal::RateLimits limits;
  limits.Update(429, input, input, now);
  limits.Update(200, "", input, now);
  const absl::Time horizon = limits.Horizon();
  if (horizon != absl::InfinitePast() && horizon < now) std::abort();
  for (const char* category : {"error", "session", "transaction", "internal"}) {
    (void)limits.IsLimited(category, now);
  }
  if (limits.IsLimited("internal", now)) std::abort();
  if (auto delay = sentry::internal::ParseRetryAfter(input, now)) {
    if (*delay < absl::ZeroDuration()) std::abort();
  }
  return 0;
}
