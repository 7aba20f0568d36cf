#include "sdk/src/propagation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace sentry::internal {
namespace {

constexpr char kTrace[] = "771a43a4192642f0b136d5159a501700";
constexpr char kSpan[] = "b0e6f15b45c36b12";

TEST(PropagationTest, SentryTraceParsesWithAndWithoutDecision) {
  auto sampled = ParseSentryTrace(absl::StrCat(kTrace, "-", kSpan, "-1"));
  ASSERT_TRUE(sampled.has_value());
  EXPECT_EQ(sampled->trace_id, kTrace);
  EXPECT_EQ(sampled->span_id, kSpan);
  EXPECT_EQ(sampled->sampled, true);
  auto deferred = ParseSentryTrace(absl::StrCat(" ", kTrace, "-", kSpan, " "));
  ASSERT_TRUE(deferred.has_value());
  EXPECT_FALSE(deferred->sampled.has_value());
  auto upper =
      ParseSentryTrace("771A43A4192642F0B136D5159A501700-B0E6F15B45C36B12-0");
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(upper->trace_id, kTrace);  // Kept in lowercase.
  EXPECT_EQ(upper->sampled, false);
}

TEST(PropagationTest, InvalidSentryTraceHeadersAreRejected) {
  for (const std::string& bad : std::vector<std::string>{
           "", "-", kTrace, absl::StrCat(kTrace, "-"),
           absl::StrCat(kTrace, "-", kSpan, "-2"),
           absl::StrCat(kTrace, "-", kSpan, "-1-1"),
           absl::StrCat(std::string(32, '0'), "-", kSpan),  // all zeros
           absl::StrCat(kTrace, "-", std::string(16, '0')),
           absl::StrCat("771a43a4192642f0b136d5159a50170", "-", kSpan),
           absl::StrCat("771a43a4192642f0b136d5159a50170g", "-", kSpan),
           absl::StrCat(kTrace, "-", "b0e6f15b45c36b1\xff")}) {
    EXPECT_FALSE(ParseSentryTrace(bad).has_value()) << bad;
  }
}

TEST(PropagationTest, TraceparentParsesVersion00AndRejectsTheRest) {
  auto parsed =
      ParseTraceparent(absl::StrCat("00-", kTrace, "-", kSpan, "-01"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, kTrace);
  EXPECT_EQ(parsed->sampled, true);
  EXPECT_EQ(
      ParseTraceparent(absl::StrCat("00-", kTrace, "-", kSpan, "-00"))->sampled,
      false);
  EXPECT_FALSE(
      ParseTraceparent(absl::StrCat("ff-", kTrace, "-", kSpan, "-01")));
  EXPECT_FALSE(
      ParseTraceparent(absl::StrCat("00-", kTrace, "-", kSpan, "-01-x")));
  EXPECT_FALSE(ParseTraceparent(absl::StrCat("00-", kTrace, "-", kSpan)));
  EXPECT_EQ(FormatTraceparent(kTrace, kSpan, true),
            absl::StrCat("00-", kTrace, "-", kSpan, "-01"));
}

TEST(PropagationTest, BaggageKeepsValidSentryMembersFieldByField) {
  auto dsc = ParseBaggage(absl::StrCat(
      "other=1, sentry-trace_id=", kTrace,
      ",sentry-public_key=abc,sentry-release=my%20app%401.0;prop=x,"
      "sentry-sample_rate=2,sentry-sample_rand=0.25,sentry-sampled=maybe,"
      "sentry-environment=prod,sentry-environment=dup,sentry-org_id=12x,"
      "sentry-transaction=%FF%FE,sentry-user_segment=%zz"));
  ASSERT_TRUE(dsc.has_value());
  EXPECT_EQ(dsc->fields, (std::vector<std::pair<std::string, std::string>>{
                             {"trace_id", kTrace},
                             {"public_key", "abc"},
                             {"release", "my app@1.0"},
                             {"sample_rand", "0.25"},
                             {"environment", "prod"}}));
  EXPECT_FALSE(ParseBaggage("other=1,third=2").has_value());
}

TEST(PropagationTest, BaggageBeyondTheLimitsIsIgnored) {
  std::string many;
  for (int i = 0; i < 64; ++i) absl::StrAppend(&many, "m", i, "=v,");
  EXPECT_FALSE(ParseBaggage(absl::StrCat(many, "sentry-release=r")));
  const std::string big =
      absl::StrCat("x=", std::string(8200, 'a'), ",sentry-release=r");
  EXPECT_FALSE(ParseBaggage(big));
}

TEST(PropagationTest, MergeKeepsOtherVendorsAndReplacesSentryMembers) {
  Dsc dsc;
  dsc.Set("trace_id", kTrace);
  dsc.Set("release", "app 1.0");
  EXPECT_EQ(MergeBaggage(" vendor=a;p=1 ,sentry-trace_id=old,other=b", dsc),
            absl::StrCat("vendor=a;p=1,other=b,sentry-trace_id=", kTrace,
                         ",sentry-release=app%201.0"));
  // Ours are added only while they fit; the others are never cut.
  std::string full;
  for (int i = 0; i < 63; ++i) absl::StrAppend(&full, "m", i, "=v,");
  const std::string merged = MergeBaggage(full, dsc);
  const std::vector<std::string> members = absl::StrSplit(merged, ',');
  EXPECT_EQ(members.size(), 64u);
  EXPECT_EQ(members.back(), absl::StrCat("sentry-trace_id=", kTrace));
}

TEST(PropagationTest, ContinuingKeepsTheTraceTheDecisionAndTheFrozenDsc) {
  auto context = ContinueFromHeaders(
      {absl::StrCat(kTrace, "-", kSpan, "-1"),
       absl::StrCat("sentry-trace_id=", kTrace,
                    ",sentry-sample_rate=0.5,sentry-sample_rand=0.123456,"
                    "sentry-public_key=k"),
       ""},
      std::nullopt, /*strict=*/false);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id, kTrace);
  EXPECT_EQ(context->parent_span_id, kSpan);
  EXPECT_TRUE(IsSpanId(context->span_id));
  EXPECT_NE(context->span_id, kSpan);
  EXPECT_EQ(context->sampled, true);
  EXPECT_EQ(context->sample_rate, 0.5);
  EXPECT_EQ(context->sample_rand, 0.123456);
  ASSERT_NE(context->dsc, nullptr);
  EXPECT_EQ(context->dsc->Get("public_key"), "k");
}

// A baggage DSC of another trace is not kept: the trace is continued
// without a frozen DSC (this service writes its own), the incoming
// sample_rand is not this trace's, and its org id does not stop the
// continuation.
TEST(PropagationTest, ADscOfAnotherTraceIsDropped) {
  const std::string other(32, 'b');
  auto context = ContinueFromHeaders(
      {absl::StrCat(kTrace, "-", kSpan, "-1"),
       absl::StrCat("sentry-trace_id=", other,
                    ",sentry-sample_rand=0.999999,sentry-public_key=theirs,"
                    "sentry-org_id=7"),
       ""},
      /*own_org_id=*/1, /*strict=*/false);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id, kTrace);
  EXPECT_EQ(context->dsc, nullptr);
  EXPECT_NE(context->sample_rand, 0.999999);
}

// Without an incoming sample_rand, one is drawn consistent with the
// incoming decision and rate (below the rate exactly when sampled).
TEST(PropagationTest, MissingSampleRandIsDrawnConsistentWithTheDecision) {
  for (int i = 0; i < 200; ++i) {
    for (const bool sampled : {true, false}) {
      auto context = ContinueFromHeaders(
          {absl::StrCat(kTrace, "-", kSpan, sampled ? "-1" : "-0"),
           "sentry-sample_rate=0.3", ""},
          std::nullopt, false);
      ASSERT_TRUE(context.has_value());
      EXPECT_EQ(context->sample_rand < 0.3, sampled) << context->sample_rand;
      EXPECT_EQ(context->dsc->Get("sample_rand"),
                FormatRate(context->sample_rand));
    }
  }
}

// A decision that contradicts its rate (unsampled at rate 1) cannot be
// matched: sample_rand is drawn from [0, 1), never 1 (found by fuzzing).
TEST(PropagationTest, ContradictoryDecisionsStillGiveAValidSampleRand) {
  for (const auto& [flag, rate] :
       std::vector<std::pair<std::string, std::string>>{{"-0", "1"},
                                                        {"-1", "0"}}) {
    auto context =
        ContinueFromHeaders({absl::StrCat(kTrace, "-", kSpan, flag),
                             absl::StrCat("sentry-sample_rate=", rate), ""},
                            std::nullopt, false);
    ASSERT_TRUE(context.has_value());
    EXPECT_GE(context->sample_rand, 0);
    EXPECT_LT(context->sample_rand, 1);
  }
}

TEST(PropagationTest, TraceparentIsTheFallbackWhenSentryTraceIsAbsent) {
  auto context = ContinueFromHeaders(
      {"", "", absl::StrCat("00-", kTrace, "-", kSpan, "-01")}, std::nullopt,
      false);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id, kTrace);
  EXPECT_EQ(context->sampled, true);
  // An invalid sentry-trace is not replaced by traceparent: no trace.
  EXPECT_FALSE(ContinueFromHeaders(
      {"garbage", "", absl::StrCat("00-", kTrace, "-", kSpan, "-01")},
      std::nullopt, false));
}

// Sentry's decision table for org ids.
TEST(PropagationTest, OrgIdsDecideWhetherATraceIsContinued) {
  const std::string trace = absl::StrCat(kTrace, "-", kSpan, "-1");
  const std::string org1 = "sentry-org_id=1";
  EXPECT_TRUE(ContinueFromHeaders({trace, org1, ""}, 1, false));
  EXPECT_FALSE(ContinueFromHeaders({trace, org1, ""}, 2, false));
  EXPECT_FALSE(ContinueFromHeaders({trace, org1, ""}, 2, true));
  EXPECT_TRUE(ContinueFromHeaders({trace, org1, ""}, std::nullopt, false));
  EXPECT_FALSE(ContinueFromHeaders({trace, org1, ""}, std::nullopt, true));
  EXPECT_TRUE(ContinueFromHeaders({trace, "", ""}, 1, false));
  EXPECT_FALSE(ContinueFromHeaders({trace, "", ""}, 1, true));
  EXPECT_TRUE(ContinueFromHeaders({trace, "", ""}, std::nullopt, true));
}

TEST(PropagationTest, NewContextsStartTraces) {
  const PropagationContext a = PropagationContext::New();
  const PropagationContext b = PropagationContext::New();
  EXPECT_TRUE(IsTraceId(a.trace_id));
  EXPECT_TRUE(IsSpanId(a.span_id));
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_TRUE(a.parent_span_id.empty());
  EXPECT_FALSE(a.sampled.has_value());
  EXPECT_GE(a.sample_rand, 0);
  EXPECT_LT(a.sample_rand, 1);
  EXPECT_EQ(FormatRate(a.sample_rand).size() <= 8, true);
}

TEST(PropagationTest, DscWritesJsonAndBaggage) {
  Dsc dsc;
  dsc.Set("trace_id", kTrace);
  dsc.Set("release", "a\"b");
  EXPECT_EQ(dsc.ToJson(), absl::StrCat("{\"trace_id\":\"", kTrace,
                                       "\",\"release\":\"a\\\"b\"}"));
  EXPECT_EQ(dsc.ToBaggage(),
            absl::StrCat("sentry-trace_id=", kTrace, ",sentry-release=a%22b"));
  EXPECT_EQ(FormatRate(0.9999999), "0.999999");
  EXPECT_EQ(FormatRate(1.0), "1");
  EXPECT_EQ(FormatRate(0.25), "0.25");
}

}  // namespace
}  // namespace sentry::internal
