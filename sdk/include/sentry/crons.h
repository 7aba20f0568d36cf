// Cron monitors: a scheduled job tells Sentry when it starts and how it
// ends (check-ins), and Sentry raises an issue when a run fails, runs too
// long, or does not happen on schedule.
//
//   sentry::MonitorConfig config;
//   config.schedule = sentry::MonitorSchedule::Crontab("0 * * * *");
//   config.checkin_margin_minutes = 5;
//   {
//     sentry::MonitorGuard job("hourly-import", config);  // in_progress
//     Import();      // events captured here carry the job's trace
//     if (!ok) job.MarkFailed();
//   }  // ok with the duration; error when failed or an exception unwinds
//
//   // Or one check-in at a time:
//   sentry::EventId id = sentry::CaptureCheckIn({"nightly-backup",
//                                                sentry::CheckInStatus::kOk});
//
// A check-in is queued like an event and sent (a `check_in` item, rate-limit
// category `monitor`) by the SDK's worker thread; drops are counted under
// `monitor` in client reports. Without an enabled SDK nothing is sent.
#ifndef SENTRY_CRONS_H_
#define SENTRY_CRONS_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "sentry/check_in.h"
#include "sentry/event_id.h"
#include "sentry/hub.h"

namespace sentry {

// Sends one check-in with the current scope's trace; returns its id (32 hex
// digits), or an empty id when nothing was queued (no enabled SDK, an invalid
// check-in: the debug log says why, or a full queue).
EventId CaptureCheckIn(CheckIn check_in);

// One run of a job: in_progress now, and when destroyed ok with the
// duration, or error when MarkFailed() was called or an exception is
// unwinding the stack. The run is its own trace: events captured on this
// thread while the guard lives carry the check-in's trace id, in a scope
// pushed for the run (and popped with it).
class [[nodiscard]] MonitorGuard {
 public:
  explicit MonitorGuard(std::string monitor_slug,
                        std::optional<MonitorConfig> config = std::nullopt);
  MonitorGuard(const MonitorGuard&) = delete;
  MonitorGuard& operator=(const MonitorGuard&) = delete;
  ~MonitorGuard();

  // The run ends as error.
  void MarkFailed() { failed_ = true; }
  // The in_progress check-in's id ("" when it was not sent).
  const std::string& check_in_id() const { return check_in_id_; }
  // The run's trace id.
  const std::string& trace_id() const { return trace_id_; }

 private:
  std::shared_ptr<Hub> hub_;
  std::optional<Hub::ScopeGuard> scope_;
  std::string monitor_slug_;
  std::optional<MonitorConfig> config_;
  std::string check_in_id_;
  std::string trace_id_;
  std::chrono::steady_clock::time_point start_;
  int uncaught_exceptions_;
  bool failed_ = false;
};

}  // namespace sentry

#endif  // SENTRY_CRONS_H_
