#include "sdk/src/cache_layout.h"

#include <string>

#include "gtest/gtest.h"

namespace sentry::internal::cache_layout {
namespace {

// The crash handler's signal-safe names are the very names the spool and
// the session tracker recognize.
TEST(CacheLayoutTest, SignalSafeNamesAreTheRegularNames) {
  uint8_t digest[32];
  std::string digest_hex;
  for (int i = 0; i < 32; ++i) {
    digest[i] = static_cast<uint8_t>(i * 7 + 3);
    digest_hex += "0123456789abcdef"[digest[i] >> 4];
    digest_hex += "0123456789abcdef"[digest[i] & 15];
  }
  const absl::Time written = absl::FromUnixMicros(1764750000123456);
  char name[256];
  const size_t length = SpoolFileNameSignalSafe(1764750000123456, "0a1b2c3d",
                                                digest, name, sizeof(name));
  EXPECT_EQ(std::string(name, length),
            SpoolFileName(written, "0a1b2c3d", digest_hex));
  const auto parsed = ParseSpoolFileName(name);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->written, written);
  EXPECT_EQ(parsed->sha256_hex, digest_hex);

  char marker[64];
  ASSERT_GT(CrashMarkerNameSignalSafe(4711, marker, sizeof(marker)), 0u);
  EXPECT_EQ(std::string(marker), CrashMarkerName(4711));
  EXPECT_EQ(ParseCrashMarker(marker), 4711);
}

TEST(CacheLayoutTest, OtherNamesAreNotRecognized) {
  for (const char* name :
       {"notes.txt", "1-2.envelope", "x-y-z.envelope", ".tmp", "crashed-",
        "crashed-abc", "crashed--5", "session-1-abc"}) {
    EXPECT_FALSE(ParseSpoolFileName(name).has_value()) << name;
    EXPECT_FALSE(ParseCrashMarker(name).has_value()) << name;
  }
}

TEST(CacheLayoutTest, SignalSafeFormattersReportATooSmallBuffer) {
  char tiny[8];
  const uint8_t digest[32] = {};
  EXPECT_EQ(SpoolFileNameSignalSafe(1, "00000000", digest, tiny, sizeof(tiny)),
            0u);
  EXPECT_EQ(CrashMarkerNameSignalSafe(123456, tiny, sizeof(tiny)), 0u);
}

}  // namespace
}  // namespace sentry::internal::cache_layout
