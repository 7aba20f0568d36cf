// A check-in (sentry/check_in.h) as a `check_in` envelope item: its checks
// and its JSON (PROTOCOL.md section 2.5).
//
//   if (absl::Status s = internal::ValidateCheckIn(check_in); !s.ok()) ...
//   envelope.AddItem("check_in", internal::CheckInJson(check_in, fields));
#ifndef SENTRY_SDK_SRC_CHECK_IN_ITEM_H_
#define SENTRY_SDK_SRC_CHECK_IN_ITEM_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sentry/check_in.h"

namespace sentry::internal {

// Relay's limits: a slug of at most 50 characters.
constexpr size_t kMaxMonitorSlug = 50;

// What Relay would reject: an empty or too long slug, an invalid id, an
// empty crontab, an interval below 1, negative minutes or thresholds below
// 1. The message names the field.
absl::Status ValidateCheckIn(const CheckIn& check_in);

// What the SDK adds to the check-in the user made.
struct CheckInFields {
  absl::string_view check_in_id;  // 32 lowercase hex digits.
  absl::string_view release;
  absl::string_view environment;
  absl::string_view trace_id;
  absl::string_view span_id;
};
std::string CheckInJson(const CheckIn& check_in, const CheckInFields& fields);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_CHECK_IN_ITEM_H_
