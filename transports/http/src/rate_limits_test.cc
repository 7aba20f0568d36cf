#include "transports/http/src/rate_limits.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

TEST(RateLimitsTest, HeaderVectorFromSentryNative) {
  RateLimits limits;
  limits.Update(429,
                "120:error:project:reason, 60:session:foo, 30::bar, "
                "120:invalid:invalid, 4711:foo;bar;baz;security:project",
                "", kNow);
  EXPECT_TRUE(limits.IsLimited("error", kNow + absl::Seconds(119)));
  EXPECT_FALSE(limits.IsLimited("error", kNow + absl::Seconds(120)));
  EXPECT_TRUE(limits.IsLimited("session", kNow + absl::Seconds(59)));
  EXPECT_FALSE(limits.IsLimited("session", kNow + absl::Seconds(60)));
  // "30::bar" limits every category for 30 s, transactions included.
  EXPECT_TRUE(limits.IsLimited("transaction", kNow + absl::Seconds(29)));
  EXPECT_FALSE(limits.IsLimited("transaction", kNow + absl::Seconds(30)));
  // "security" was named beside unknown categories: it applies.
  EXPECT_TRUE(limits.IsLimited("security", kNow + absl::Seconds(4710)));
  // Client reports are never limited.
  EXPECT_FALSE(limits.IsLimited("internal", kNow));
  EXPECT_EQ(limits.Horizon(), kNow + absl::Seconds(4711));
}

TEST(RateLimitsTest, UnknownCategoriesOnlyAreIgnored) {
  RateLimits limits;
  limits.ApplyHeader("120:invalid;other:project", kNow);
  EXPECT_FALSE(limits.IsLimited("error", kNow));
  EXPECT_FALSE(limits.IsLimited("default", kNow));
  EXPECT_EQ(limits.Horizon(), absl::InfinitePast());
}

TEST(RateLimitsTest, RetryAfterLimitsEverything) {
  RateLimits limits;
  limits.Update(429, "", "60", kNow);
  EXPECT_TRUE(limits.IsLimited("error", kNow + absl::Seconds(59)));
  EXPECT_TRUE(limits.IsLimited("attachment", kNow + absl::Seconds(59)));
  EXPECT_FALSE(limits.IsLimited("error", kNow + absl::Seconds(60)));
}

TEST(RateLimitsTest, BareTooManyRequestsIsSixtySeconds) {
  RateLimits limits;
  limits.Update(429, "", "", kNow);
  EXPECT_TRUE(limits.IsLimited("session", kNow + absl::Seconds(59)));
  EXPECT_FALSE(limits.IsLimited("session", kNow + absl::Seconds(60)));
}

TEST(RateLimitsTest, HeadersOnSuccessApplyToo) {
  RateLimits limits;
  limits.Update(200, "10:transaction:key", "", kNow);
  EXPECT_TRUE(limits.IsLimited("transaction", kNow));
  EXPECT_FALSE(limits.IsLimited("error", kNow));
  RateLimits retry;
  retry.Update(200, "", "5", kNow);
  EXPECT_TRUE(retry.IsLimited("error", kNow + absl::Seconds(4)));
}

TEST(RateLimitsTest, SuccessWithoutHeadersChangesNothing) {
  RateLimits limits;
  limits.Update(200, "", "", kNow);
  limits.Update(500, "", "", kNow);
  EXPECT_FALSE(limits.IsLimited("error", kNow));
}

TEST(RateLimitsTest, LongestDeadlineWins) {
  RateLimits limits;
  limits.ApplyHeader("100:error:project", kNow);
  limits.ApplyHeader("10:error:project", kNow);
  EXPECT_TRUE(limits.IsLimited("error", kNow + absl::Seconds(99)));
  limits.LimitAll(kNow + absl::Seconds(5));
  EXPECT_TRUE(limits.IsLimited("error", kNow + absl::Seconds(99)));
}

TEST(RateLimitsTest, FractionalSecondsRoundUpAndSpacesAreIgnored) {
  RateLimits limits;
  limits.ApplyHeader("  1.2 : error ; transaction :org,2::", kNow);
  EXPECT_TRUE(limits.IsLimited("error", kNow + absl::Milliseconds(1999)));
  EXPECT_FALSE(limits.IsLimited("error", kNow + absl::Seconds(2)));
  EXPECT_TRUE(limits.IsLimited("transaction", kNow + absl::Seconds(1)));
}

TEST(RateLimitsTest, GarbageIsIgnored) {
  RateLimits limits;
  for (const char* header :
       {"", ",,,", "abc:error", "-5:error", "nan:error", ":error"}) {
    limits.ApplyHeader(header, kNow);
  }
  EXPECT_FALSE(limits.IsLimited("error", kNow));
  limits.ApplyHeader("1e999:", kNow);
  // 1e999 parses as infinity: clamped, never an overflow.
  EXPECT_TRUE(limits.IsLimited("default", kNow + absl::Hours(24 * 365)));
}

TEST(RateLimitsTest, RetryAfterForms) {
  EXPECT_EQ(ParseRetryAfter("2700", kNow), absl::Seconds(2700));
  EXPECT_EQ(ParseRetryAfter(" 1.5 ", kNow), absl::Seconds(2));
  EXPECT_EQ(ParseRetryAfter("Wed, 15 Nov 2023 00:13:20 GMT", kNow),
            absl::Seconds(7200));
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1", kNow), std::nullopt);
}

// A limit on one category holds back the item types of that category, and
// only those (each item type as the transport looks it up).
TEST(RateLimitsTest, EachCategoryLimitsItsOwnItemTypesOnly) {
  const std::vector<std::string> item_types = {
      "event",   "transaction", "log",      "trace_metric",
      "session", "attachment",  "check_in", "feedback"};
  for (const auto& [limited_category, limited_type] :
       std::vector<std::pair<std::string, std::string>>{
           {"error", "event"},
           {"transaction", "transaction"},
           {"log_item", "log"},
           {"trace_metric", "trace_metric"},
           {"session", "session"},
           {"attachment", "attachment"},
           {"monitor", "check_in"},
           {"feedback", "feedback"}}) {
    RateLimits limits;
    limits.Update(429, absl::StrCat("60:", limited_category, ":organization"),
                  "", kNow);
    for (const std::string& type : item_types) {
      EXPECT_EQ(limits.IsLimited(RateLimitCategory(type), kNow),
                type == limited_type)
          << limited_category << " limit, item " << type;
    }
  }
}

TEST(RateLimitsTest, ItemCategories) {
  EXPECT_EQ(RateLimitCategory("event"), "error");
  EXPECT_EQ(RateLimitCategory("transaction"), "transaction");
  EXPECT_EQ(RateLimitCategory("log"), "log_item");
  EXPECT_EQ(RateLimitCategory("trace_metric"), "trace_metric");
  EXPECT_EQ(RateLimitCategory("check_in"), "monitor");
  EXPECT_EQ(RateLimitCategory("session"), "session");
  EXPECT_EQ(RateLimitCategory("sessions"), "session");
  EXPECT_EQ(RateLimitCategory("attachment"), "attachment");
  EXPECT_EQ(RateLimitCategory("client_report"), "internal");
  EXPECT_EQ(RateLimitCategory("replay_video"), "replay");
}

}  // namespace
}  // namespace sentry::internal
