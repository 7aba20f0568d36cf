#include "sentry/event_id.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace sentry {
namespace {

constexpr char kDigits[] = "0123456789abcdef0123456789abcdef";

TEST(EventIdTest, HoldsThirtyTwoDigitsAndConvertsToTheSameString) {
  const EventId id{absl::string_view(kDigits)};
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(id.view(), kDigits);
  const std::string text = id;
  EXPECT_EQ(text, kDigits);
  EXPECT_EQ(id, kDigits);
  EXPECT_EQ(std::string(kDigits), id);
  std::ostringstream out;
  out << id;
  EXPECT_EQ(out.str(), kDigits);
}

TEST(EventIdTest, AnyOtherLengthGivesTheEmptyId) {
  for (absl::string_view text :
       {absl::string_view(), absl::string_view(kDigits, 31),
        absl::string_view("0123456789abcdef0123456789abcdef0")}) {
    const EventId id(text);
    EXPECT_TRUE(id.empty()) << text;
    EXPECT_EQ(id.view(), "");
    EXPECT_EQ(id, EventId());
    EXPECT_EQ(std::string(id), "");
  }
}

TEST(EventIdTest, IdsAreEqualWhenTheirDigitsAre) {
  const EventId a{absl::string_view(kDigits)};
  std::string other(kDigits);
  other[31] = '0';
  const EventId b{absl::string_view(other)};
  EXPECT_EQ(a, EventId(absl::string_view(kDigits)));
  EXPECT_NE(a, b);
  EXPECT_NE(a, other);
  EXPECT_NE(a, EventId());
}

}  // namespace
}  // namespace sentry
