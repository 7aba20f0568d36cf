#include "sdk/src/timestamps.h"

#include <cmath>
#include <string>

#include "absl/base/attributes.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sentry::internal {

ABSL_ATTRIBUTE_HOT double NowSeconds() {
  return absl::ToUnixMicros(absl::Now()) / 1e6;
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
