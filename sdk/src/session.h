// Release health for one process run (PROTOCOL.md section 6): the session
// starts with the client, counts error events, ends `exited` on a clean
// close or `crashed` on a fatal unhandled error, and is closed by the next
// run if this process vanished without either (when a cache directory is
// set, the open session is remembered there): `crashed` when a crash
// handler left a "crashed-<pid>" marker there, else `abnormal`.
//
//   SessionTracker session(release, environment, cache_dir);
//   for (auto& payload : session.Start()) SendSessionItem(payload);
//   if (auto update = session.OnEvent(event)) SendSessionItem(*update);
//   if (auto last = session.End()) SendSessionItem(*last);
//
// Every method returns `session` item payloads (JSON) to send. Thread-safe.
#ifndef SENTRY_SDK_SRC_SESSION_H_
#define SENTRY_SDK_SRC_SESSION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/protocol/session.pb.h"

namespace sentry::internal {

// The session that process `pid` left open in `cache_dir`, closed as
// `crashed` (its file deleted): the final update to send, or nullopt when
// it had none open (or another process closed it first). For a crash
// handler that reports the crash while the process is still there.
std::optional<std::string> CloseCrashedSession(const std::string& cache_dir,
                                               int pid,
                                               const std::string& environment);

class SessionTracker {
 public:
  SessionTracker(std::string release, std::string environment,
                 std::string cache_dir);

  // The initial update, preceded by `abnormal` closes of sessions that
  // earlier processes left open in the cache directory.
  std::vector<std::string> Start();
  // An event that passed before_send: errors (level error or fatal with an
  // exception) count; a fatal unhandled one crashes the session. Returns
  // the update to send when the session changed state.
  std::optional<std::string> OnEvent(const protocol::Event& event);
  // The final update (`exited`, unless the session already ended).
  std::optional<std::string> End();
  // The user the session belongs to (its `did`: the id, else the email,
  // else the username); events carrying a user set it too.
  void SetUser(const protocol::User& user);

 private:
  void SetUserLocked(const protocol::User& user)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string UpdateLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PersistLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<std::string> CloseAbandoned();

  const std::string release_;
  const std::string environment_;
  const std::string cache_dir_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool sent_init_ ABSL_GUARDED_BY(mu_) = false;
  protocol::Session session_ ABSL_GUARDED_BY(mu_);
  absl::Time started_at_ ABSL_GUARDED_BY(mu_);
  std::string file_ ABSL_GUARDED_BY(mu_);
};

// Request-mode release health (PROTOCOL.md section 6.2): finished requests
// counted per start minute, sent as one `sessions` item now and then.
//
//   aggregator.Record(started, RequestOutcome::kExited);  // per request
//   if (auto payload = aggregator.Take()) SendSessionsItem(*payload);
//
// Thread-safe; Record is a map increment under a lock.
enum class RequestOutcome { kExited, kErrored, kCrashed };

class SessionAggregator {
 public:
  SessionAggregator(std::string release, std::string environment);
  void Record(absl::Time started, RequestOutcome outcome);
  // The aggregates so far (then reset), or nullopt when there are none;
  // `now` starts the next interval.
  std::optional<std::string> Take(absl::Time now = absl::Now());
  // Whether there is something to send and `interval` has passed since
  // the last Take (or since construction).
  bool Due(absl::Time now, absl::Duration interval);

 private:
  struct Counts {
    uint64_t exited = 0, errored = 0, crashed = 0;
  };
  const std::string release_;
  const std::string environment_;
  absl::Mutex mu_;
  std::map<int64_t, Counts> minutes_ ABSL_GUARDED_BY(mu_);
  absl::Time last_take_ ABSL_GUARDED_BY(mu_) = absl::Now();
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_SESSION_H_
