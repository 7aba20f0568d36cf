#include "sdk/src/timestamps.h"

#include <cmath>
#include <string>

#include "absl/base/attributes.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"

namespace sentry::internal {

// Abseil's clock read directly (it interpolates the CPU's cycle counter,
// with no system call): through absl::Now and absl::ToUnixMicros, a
// capture's path ran two more functions, on one more page of code
// (BENCHMARKS.md, the eleventh change).
ABSL_ATTRIBUTE_HOT double NowSeconds() {
  return static_cast<double>(absl::GetCurrentTimeNanos() / 1000) / 1e6;
}

bool IsUsableTimestamp(double timestamp) {
  return std::isfinite(timestamp) && timestamp > 0;
}

double TimestampOrNow(double timestamp) {
  return IsUsableTimestamp(timestamp) ? timestamp : NowSeconds();
}

bool NormalizeEventId(std::string* id) {
  std::string hex;
  hex.reserve(32);
  for (char c : *id) {
    if (c == '-' || c == '{' || c == '}') continue;
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) ||
        hex.size() == 32) {
      return false;
    }
    hex.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 32) return false;
  *id = std::move(hex);
  return true;
}

}  // namespace sentry::internal
