// RateLimits: the rate limits a Sentry server announced (PROTOCOL.md
// section 5), per data category, and the filter that applies them to an
// envelope before it is sent.
//
//   RateLimits limits;
//   limits.Update(status, rate_limits_header, retry_after_header, absl::Now());
//   if (limits.IsLimited("error", absl::Now())) { /* drop, count */ }
//
// Not thread-safe: the HTTP transport's worker thread owns it.
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_RATE_LIMITS_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_RATE_LIMITS_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sentry::internal {

// The data category of an envelope item type ("event" -> "error"); "internal"
// for client reports, which are never rate limited.
absl::string_view RateLimitCategory(absl::string_view item_type);

// A `Retry-After` value: delta-seconds (fractions rounded up) or an HTTP
// date. nullopt when it is neither.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

class RateLimits {
 public:
  // Reads one response. `rate_limits` is the X-Sentry-Rate-Limits header and
  // `retry_after` the Retry-After header ("" when absent). A 429 with
  // neither limits everything for 60 s.
  void Update(int status, absl::string_view rate_limits,
              absl::string_view retry_after, absl::Time now);

  // Parses an X-Sentry-Rate-Limits value. Unknown categories are ignored; a
  // quota whose categories are all unknown is ignored; an empty category
  // list applies to all. The longest deadline per category is kept.
  void ApplyHeader(absl::string_view header, absl::Time now);
  // Limits every category until `now + duration` (or longer, if already).
  void LimitAll(absl::Time until);

  // Whether items of `category` are limited at `now`. "internal" never is.
  bool IsLimited(absl::string_view category, absl::Time now) const;
  // The time when every current limit has expired (InfinitePast if none).
  absl::Time Horizon() const;

 private:
  void Limit(absl::string_view category, absl::Time until);

  absl::Time all_ = absl::InfinitePast();
  absl::flat_hash_map<std::string, absl::Time> categories_;
};

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_RATE_LIMITS_H_
