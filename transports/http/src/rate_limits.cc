#include "transports/http/src/rate_limits.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sentry::internal {
namespace {

// Categories this SDK produces or that Relay may name in a limit; anything
// else in a header is ignored (PROTOCOL.md section 5.2, rule 5).
bool IsKnownCategory(absl::string_view category) {
  static constexpr absl::string_view kKnown[] = {
      "default",    "error",    "transaction",  "monitor",
      "span",       "log_item", "log_byte",     "security",
      "attachment", "session",  "profile",      "profile_chunk",
      "replay",     "feedback", "trace_metric", "metric_bucket"};
  for (absl::string_view known : kKnown) {
    if (category == known) return true;
  }
  return false;
}

constexpr absl::Duration kDefaultLimit = absl::Seconds(60);

}  // namespace

absl::string_view RateLimitCategory(absl::string_view item_type) {
  if (item_type == "event") return "error";
  if (item_type == "transaction") return "transaction";
  if (item_type == "attachment") return "attachment";
  if (item_type == "session" || item_type == "sessions") return "session";
  if (item_type == "check_in") return "monitor";
  if (item_type == "profile") return "profile";
  if (item_type == "profile_chunk") return "profile_chunk";
  if (item_type == "feedback") return "feedback";
  if (item_type == "log") return "log_item";
  if (item_type == "trace_metric") return "trace_metric";
  if (absl::StartsWith(item_type, "replay_")) return "replay";
  if (item_type == "client_report") return "internal";
  return "default";
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  double seconds;
  if (absl::SimpleAtod(value, &seconds)) {
    if (!(seconds >= 0) || seconds > 1e9) return std::nullopt;  // NaN too
    return absl::Seconds(std::ceil(seconds));
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), &when,
                      &error)) {
    return when > now ? when - now : absl::ZeroDuration();
  }
  return std::nullopt;
}

void RateLimits::Update(int status, absl::string_view rate_limits,
                        absl::string_view retry_after, absl::Time now) {
  if (!absl::StripAsciiWhitespace(rate_limits).empty()) {
    ApplyHeader(rate_limits, now);
    return;
  }
  if (auto delay = ParseRetryAfter(retry_after, now)) {
    LimitAll(now + *delay);
  } else if (status == 429) {
    LimitAll(now + kDefaultLimit);
  }
}

void RateLimits::ApplyHeader(absl::string_view header, absl::Time now) {
  for (absl::string_view quota : absl::StrSplit(header, ',')) {
    quota = absl::StripAsciiWhitespace(quota);
    if (quota.empty()) continue;
    std::vector<absl::string_view> parts = absl::StrSplit(quota, ':');
    double seconds;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(parts[0]), &seconds) ||
        !(seconds >= 0)) {
      continue;
    }
    // Clamp absurd values (and infinity) instead of overflowing.
    const absl::Duration delay =
        absl::Seconds(std::ceil(std::min(seconds, 1e9)));
    const absl::string_view categories =
        parts.size() > 1 ? absl::StripAsciiWhitespace(parts[1])
                         : absl::string_view();
    if (categories.empty()) {
      LimitAll(now + delay);
      continue;
    }
    for (absl::string_view category : absl::StrSplit(categories, ';')) {
      category = absl::StripAsciiWhitespace(category);
      if (IsKnownCategory(category)) Limit(category, now + delay);
    }
  }
}

void RateLimits::LimitAll(absl::Time until) { all_ = std::max(all_, until); }

void RateLimits::Limit(absl::string_view category, absl::Time until) {
  auto [it, inserted] = categories_.try_emplace(category, until);
  if (!inserted) it->second = std::max(it->second, until);
}

bool RateLimits::IsLimited(absl::string_view category, absl::Time now) const {
  if (category == "internal") return false;
  if (now < all_) return true;
  auto it = categories_.find(category);
  return it != categories_.end() && now < it->second;
}

absl::Time RateLimits::Horizon() const {
  absl::Time horizon = all_;
  for (const auto& [category, until] : categories_) {
    horizon = std::max(horizon, until);
  }
  return horizon;
}

}  // namespace sentry::internal
