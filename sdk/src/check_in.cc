#include "sentry/check_in.h"

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sdk/src/check_in_item.h"
#include "sdk/src/json.h"

namespace sentry {

const char* CheckInStatusName(CheckInStatus status) {
  switch (status) {
    case CheckInStatus::kInProgress:
      return "in_progress";
    case CheckInStatus::kError:
      return "error";
    case CheckInStatus::kOk:
      break;
  }
  return "ok";
}

MonitorSchedule MonitorSchedule::Crontab(std::string expression) {
  MonitorSchedule schedule;
  schedule.crontab = true;
  schedule.expression = std::move(expression);
  return schedule;
}

MonitorSchedule MonitorSchedule::Interval(int value, IntervalUnit unit) {
  MonitorSchedule schedule;
  schedule.crontab = false;
  schedule.interval = value;
  schedule.unit = unit;
  return schedule;
}

namespace internal {
namespace {

const char* UnitName(IntervalUnit unit) {
  switch (unit) {
    case IntervalUnit::kHour:
      return "hour";
    case IntervalUnit::kDay:
      return "day";
    case IntervalUnit::kWeek:
      return "week";
    case IntervalUnit::kMonth:
      return "month";
    case IntervalUnit::kYear:
      return "year";
    case IntervalUnit::kMinute:
      break;
  }
  return "minute";
}

bool IsHex32(absl::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateCheckIn(const CheckIn& check_in) {
  if (check_in.monitor_slug.empty() ||
      check_in.monitor_slug.size() > kMaxMonitorSlug) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid monitor_slug \"", check_in.monitor_slug,
                     "\": must be 1 to ", kMaxMonitorSlug, " characters"));
  }
  if (!check_in.check_in_id.empty() && !IsHex32(check_in.check_in_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid check_in_id \"", check_in.check_in_id,
                     "\": must be 32 lowercase hex digits"));
  }
  if (check_in.duration && !(*check_in.duration >= absl::ZeroDuration() &&
                             *check_in.duration < absl::InfiniteDuration())) {
    return absl::InvalidArgumentError("invalid duration: must be >= 0");
  }
  if (!check_in.monitor_config) return absl::OkStatus();
  const MonitorConfig& config = *check_in.monitor_config;
  if (config.schedule.crontab && config.schedule.expression.empty()) {
    return absl::InvalidArgumentError(
        "invalid monitor_config.schedule: empty crontab expression");
  }
  if (!config.schedule.crontab && config.schedule.interval < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid monitor_config.schedule: interval ",
                     config.schedule.interval, " must be >= 1"));
  }
  struct Limit {
    const char* name;
    std::optional<int> value;
    int minimum;
  };
  const Limit limits[] = {
      {"checkin_margin_minutes", config.checkin_margin_minutes, 0},
      {"max_runtime_minutes", config.max_runtime_minutes, 0},
      {"failure_issue_threshold", config.failure_issue_threshold, 1},
      {"recovery_threshold", config.recovery_threshold, 1},
  };
  for (const Limit& limit : limits) {
    if (limit.value && *limit.value < limit.minimum) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid monitor_config.", limit.name, " ", *limit.value,
                       ": must be >= ", limit.minimum));
    }
  }
  return absl::OkStatus();
}

std::string CheckInJson(const CheckIn& check_in, const CheckInFields& fields) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("check_in_id");
  w.String(fields.check_in_id);
  w.Key("monitor_slug");
  w.String(check_in.monitor_slug);
  w.Key("status");
  w.String(CheckInStatusName(check_in.status));
  if (check_in.duration) {
    w.Key("duration");
    w.Double(absl::ToDoubleSeconds(*check_in.duration));
  }
  if (!fields.release.empty()) {
    w.Key("release");
    w.String(fields.release);
  }
  if (!fields.environment.empty()) {
    w.Key("environment");
    w.String(fields.environment);
  }
  if (!fields.trace_id.empty()) {
    w.Key("contexts");
    w.BeginObject();
    w.Key("trace");
    w.BeginObject();
    w.Key("trace_id");
    w.String(fields.trace_id);
    if (!fields.span_id.empty()) {
      w.Key("span_id");
      w.String(fields.span_id);
    }
    w.EndObject();
    w.EndObject();
  }
  if (check_in.monitor_config) {
    const MonitorConfig& config = *check_in.monitor_config;
    w.Key("monitor_config");
    w.BeginObject();
    w.Key("schedule");
    w.BeginObject();
    w.Key("type");
    if (config.schedule.crontab) {
      w.String("crontab");
      w.Key("value");
      w.String(config.schedule.expression);
    } else {
      w.String("interval");
      w.Key("value");
      w.Int(config.schedule.interval);
      w.Key("unit");
      w.String(UnitName(config.schedule.unit));
    }
    w.EndObject();
    const std::pair<const char*, std::optional<int>> numbers[] = {
        {"checkin_margin", config.checkin_margin_minutes},
        {"max_runtime", config.max_runtime_minutes},
        {"failure_issue_threshold", config.failure_issue_threshold},
        {"recovery_threshold", config.recovery_threshold},
    };
    for (const auto& [name, value] : numbers) {
      if (!value) continue;
      w.Key(name);
      w.Int(*value);
    }
    if (!config.timezone.empty()) {
      w.Key("timezone");
      w.String(config.timezone);
    }
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace internal
}  // namespace sentry
