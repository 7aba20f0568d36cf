#include "transports/http/src/gzip.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

std::string Json(size_t n) {
  std::string json;
  while (json.size() < n)
    json += "{\"type\":\"event\",\"message\":\"hello\"}\n";
  return json;
}

TEST(GzipTest, AssembledMemberInflatesToHeaderThenItems) {
  const std::string header = "{\"sent_at\":\"2026-12-03T00:00:00.000000Z\"}\n";
  const std::string items = Json(5000);
  auto deflated = DeflateItems(items);
  ASSERT_TRUE(deflated.has_value());
  EXPECT_EQ(deflated->size, items.size());
  EXPECT_LT(deflated->deflated.size(), items.size() / 4);
  std::string body;
  AssembleGzip(header, deflated->deflated, deflated->crc, deflated->size,
               &body);
  auto plain = Inflate(body, /*gzip=*/true);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, header + items);
}

// A header longer than one stored block (65535 bytes) takes several.
TEST(GzipTest, HeadersLongerThanAStoredBlockAreSplit) {
  const std::string header(200000, 'h');
  const std::string items = Json(1000);
  auto deflated = DeflateItems(items);
  ASSERT_TRUE(deflated.has_value());
  std::string body;
  AssembleGzip(header, deflated->deflated, deflated->crc, deflated->size,
               &body);
  auto plain = Inflate(body, /*gzip=*/true);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, header + items);
}

TEST(GzipTest, ItemsThatDoNotShrinkBy64BytesAreNotDeflated) {
  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  EXPECT_FALSE(DeflateItems(noise).has_value());
  EXPECT_FALSE(DeflateItems("{\"type\":\"session\"}\n{}\n").has_value());
}

TEST(GzipTest, TruncatedStreamsAreErrors) {
  auto deflated = DeflateItems(Json(5000));
  ASSERT_TRUE(deflated.has_value());
  const std::string& raw = deflated->deflated;
  EXPECT_TRUE(Inflate(raw, /*gzip=*/false).ok());
  auto truncated = Inflate(raw.substr(0, raw.size() / 2), /*gzip=*/false);
  EXPECT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message(), "not a complete deflate stream");
  EXPECT_FALSE(Inflate(raw, /*gzip=*/true).ok());  // No gzip wrapper.
}

}  // namespace
}  // namespace sentry::internal
