#include "sdk/src/cow.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

using Map = std::map<std::string, std::string>;

TEST(CowTest, ACopySharesTheValueUntilOneSideWrites) {
  Cow<Map> a;
  a.Mut()["k"] = "v";
  Cow<Map> b = a;
  EXPECT_TRUE(b.SharesWith(a));
  b.Mut()["k"] = "w";
  EXPECT_FALSE(b.SharesWith(a));
  EXPECT_EQ(a->at("k"), "v");
  EXPECT_EQ(b->at("k"), "w");
}

TEST(CowTest, HasValueSaysWhetherAValueWasSetAndResetForgetsIt) {
  Cow<Map> cow;
  EXPECT_FALSE(cow.has_value());
  EXPECT_TRUE(cow->empty());  // The shared empty value.
  cow.Mut()["k"] = "v";
  EXPECT_TRUE(cow.has_value());
  Cow<Map> copy = cow;
  cow.Reset();
  EXPECT_FALSE(cow.has_value());
  EXPECT_TRUE(cow->empty());
  EXPECT_EQ(copy->at("k"), "v");  // The copy keeps it.
}

}  // namespace
}  // namespace sentry::internal
