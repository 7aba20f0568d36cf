#include "sdk/src/timestamps.h"

#include <cmath>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

TEST(TimestampsTest, NowSecondsIsTheWallClockInWholeMicroseconds) {
  const int64_t before = absl::ToUnixMicros(absl::Now());
  const double now = NowSeconds();
  const int64_t after = absl::ToUnixMicros(absl::Now());
  const double micros = now * 1e6;
  // A double holds today's time in microseconds to a quarter of one.
  EXPECT_LT(std::fabs(micros - std::round(micros)), 0.3) << micros;
  EXPECT_GE(static_cast<int64_t>(std::round(micros)), before);
  EXPECT_LE(static_cast<int64_t>(std::round(micros)), after);
}

}  // namespace
}  // namespace sentry::internal
