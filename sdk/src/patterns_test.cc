#include "sdk/src/patterns.h"

#include <string>

#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

TEST(PatternsTest, AnEntryMatchesAsASubstringOrAsARegularExpression) {
  Patterns patterns({"timeout", "^GET /health", "a+(b"});
  EXPECT_TRUE(patterns.Matches("read timeout after 5 s"));
  EXPECT_TRUE(patterns.Matches("GET /health/live"));
  EXPECT_FALSE(patterns.Matches("POST GET /health"));  // anchored
  EXPECT_TRUE(patterns.Matches("x a+(b y"));  // not a regex: a substring
  EXPECT_FALSE(patterns.Matches("aab"));
  EXPECT_FALSE(patterns.Matches(""));
}

TEST(PatternsTest, NoPatternsMatchNothing) {
  Patterns patterns({});
  EXPECT_TRUE(patterns.empty());
  EXPECT_FALSE(patterns.Matches("anything"));
}

TEST(PatternsTest, RegularExpressionsSeeOnlyTheHeadOfAHugeText) {
  Patterns patterns({"^x+y$"});
  const std::string head(Patterns::kMaxRegexInput - 1, 'x');
  EXPECT_TRUE(patterns.Matches(head + "y"));
  // A megabyte does not exhaust the stack (std::regex recurses per
  // character); the match is decided on the head.
  EXPECT_FALSE(patterns.Matches(std::string(1 << 20, 'x') + "y"));
}

}  // namespace
}  // namespace sentry::internal
