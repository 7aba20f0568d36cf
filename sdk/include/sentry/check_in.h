// The data of a cron monitor check-in (sentry/crons.h sends them): its
// status, its monitor's schedule and limits.
//
//   sentry::CheckIn check_in;
//   check_in.monitor_slug = "nightly-backup";
//   check_in.status = sentry::CheckInStatus::kError;
//   check_in.monitor_config.emplace();
//   check_in.monitor_config->schedule =
//       sentry::MonitorSchedule::Interval(1, sentry::IntervalUnit::kDay);
#ifndef SENTRY_CHECK_IN_H_
#define SENTRY_CHECK_IN_H_

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace sentry {

enum class CheckInStatus { kInProgress, kOk, kError };
// "in_progress", "ok", "error".
const char* CheckInStatusName(CheckInStatus status);

enum class IntervalUnit { kMinute, kHour, kDay, kWeek, kMonth, kYear };

// When the job is expected to run.
struct MonitorSchedule {
  // A crontab expression, e.g. "*/10 * * * *".
  static MonitorSchedule Crontab(std::string expression);
  // Every `value` units, e.g. Interval(2, IntervalUnit::kHour).
  static MonitorSchedule Interval(int value, IntervalUnit unit);

  bool crontab = true;
  std::string expression;  // crontab
  int interval = 0;        // interval
  IntervalUnit unit = IntervalUnit::kMinute;
};

// Creates or updates the monitor (an upsert) with the check-in that
// carries it. Unset fields keep Sentry's defaults.
struct MonitorConfig {
  MonitorSchedule schedule;
  // Minutes a run may start late before it counts as missed.
  std::optional<int> checkin_margin_minutes;
  // Minutes a run may take before it counts as timed out.
  std::optional<int> max_runtime_minutes;
  // A tz database name ("Europe/Vienna"); empty: UTC.
  std::string timezone;
  // Consecutive failures before an issue is opened, and successes before it
  // is resolved.
  std::optional<int> failure_issue_threshold;
  std::optional<int> recovery_threshold;
};

struct CheckIn {
  // The monitor's slug: 1 to 50 characters (Sentry makes a slug of it).
  std::string monitor_slug;
  CheckInStatus status = CheckInStatus::kOk;
  // Empty: a new check-in. The id of an in_progress check-in: closes it.
  std::string check_in_id;
  // How long the run took (sent with a closing check-in).
  std::optional<absl::Duration> duration;
  std::optional<MonitorConfig> monitor_config;
};

}  // namespace sentry

#endif  // SENTRY_CHECK_IN_H_
