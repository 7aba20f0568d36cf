#include "sdk/src/session.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "sdk/src/cache_layout.h"
#include "sdk/src/log.h"
#include "sdk/src/message_json.h"
#include "sdk/src/random.h"
#include "sentry/envelope.h"

namespace sentry::internal {
namespace {

std::string DashedUuid() {
  const std::string hex = NewEventId();
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                      hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20));
}

bool ProcessAlive(int pid) {
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

// Closes the session of the file `name` in `dir` (see PersistLocked):
// deletes the file and returns the final update, `crashed` when `crashed`
// or when a crash handler left a marker for its process, else `abnormal`.
// With `only_if_dead`, a live process's session is left alone.
std::optional<std::string> CloseSessionFile(const std::string& dir,
                                            const std::string& name,
                                            const std::string& environment,
                                            bool crashed, bool only_if_dead) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> fields =
      absl::StrSplit(line, absl::MaxSplits(' ', 4));
  int pid = 0;
  uint64_t errors = 0;
  if (fields.size() != 5 || !absl::SimpleAtoi(fields[0], &pid) ||
      !absl::SimpleAtoi(fields[3], &errors)) {
    ::unlink(path.c_str());  // Not ours, or damaged.
    return std::nullopt;
  }
  if (only_if_dead && ProcessAlive(pid)) {
    return std::nullopt;  // Another live process's session.
  }
  if (::unlink(path.c_str()) != 0) return std::nullopt;  // Closed elsewhere.
  // A crash handler leaves a marker (see integrations/crash).
  const std::string marker =
      absl::StrCat(dir, "/", cache_layout::CrashMarkerName(pid));
  crashed = (::unlink(marker.c_str()) == 0) || crashed;
  protocol::Session closed;
  closed.set_sid(fields[1]);
  closed.set_started(fields[2]);
  closed.set_timestamp(FormatRfc3339(absl::Now()));
  closed.set_status(crashed ? "crashed" : "abnormal");
  closed.set_errors(crashed ? errors + 1 : errors);
  closed.mutable_attrs()->set_release(fields[4]);  // Its own release.
  closed.mutable_attrs()->set_environment(environment);
  return MessageToJson(closed);
}

}  // namespace

std::optional<std::string> CloseCrashedSession(const std::string& cache_dir,
                                               int pid,
                                               const std::string& environment) {
  DIR* dir = ::opendir(cache_dir.c_str());
  if (dir == nullptr) return std::nullopt;
  const std::string prefix =
      absl::StrCat(cache_layout::kSessionPrefix, pid, "-");
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    if (absl::StartsWith(entry->d_name, prefix)) names.push_back(entry->d_name);
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    if (auto update = CloseSessionFile(cache_dir, name, environment,
                                       /*crashed=*/true,
                                       /*only_if_dead=*/false)) {
      return update;
    }
  }
  return std::nullopt;
}

SessionTracker::SessionTracker(std::string release, std::string environment,
                               std::string cache_dir)
    : release_(std::move(release)),
      environment_(std::move(environment)),
      cache_dir_(std::move(cache_dir)) {}

std::vector<std::string> SessionTracker::Start() {
  std::vector<std::string> updates = CloseAbandoned();
  absl::MutexLock lock(&mu_);
  if (started_) return updates;
  started_ = true;
  started_at_ = absl::Now();
  session_.set_sid(DashedUuid());
  session_.set_started(FormatRfc3339(started_at_));
  session_.set_status("ok");
  session_.set_errors(0);
  session_.mutable_attrs()->set_release(release_);
  session_.mutable_attrs()->set_environment(environment_);
  PersistLocked();
  updates.push_back(UpdateLocked(started_at_));
  return updates;
}

std::optional<std::string> SessionTracker::OnEvent(
    const protocol::Event& event) {
  const bool error = (event.level() == "error" || event.level() == "fatal") &&
                     event.has_exception() &&
                     event.exception().values_size() > 0;
  absl::MutexLock lock(&mu_);
  if (!started_ || ended_) return std::nullopt;
  if (event.has_user()) SetUserLocked(event.user());
  if (!error) return std::nullopt;
  const auto& mechanism = event.exception().values().rbegin()->mechanism();
  const bool crash = event.level() == "fatal" && mechanism.has_handled() &&
                     !mechanism.handled();
  const bool first_error = session_.errors() == 0;
  session_.set_errors(session_.errors() + 1);
  if (crash) {
    session_.set_status("crashed");
    ended_ = true;
    ForgetLocked();
  } else {
    PersistLocked();
  }
  if (!first_error && !crash) return std::nullopt;
  return UpdateLocked(absl::Now());
}

std::optional<std::string> SessionTracker::End() {
  absl::MutexLock lock(&mu_);
  if (!started_ || ended_) return std::nullopt;
  ended_ = true;
  session_.set_status("exited");
  ForgetLocked();
  return UpdateLocked(absl::Now());
}

void SessionTracker::SetUser(const protocol::User& user) {
  absl::MutexLock lock(&mu_);
  SetUserLocked(user);
}

void SessionTracker::SetUserLocked(const protocol::User& user) {
  const std::string& did = !user.id().empty()      ? user.id()
                           : !user.email().empty() ? user.email()
                                                   : user.username();
  if (!did.empty()) session_.set_did(did);
}

std::string SessionTracker::UpdateLocked(absl::Time now) {
  protocol::Session update = session_;
  if (!sent_init_) {
    update.set_init(true);
    sent_init_ = true;
  }
  update.set_timestamp(FormatRfc3339(now));
  if (session_.status() != "ok") {
    update.set_duration(absl::ToDoubleSeconds(now - started_at_));
  }
  return MessageToJson(update);
}

// One small file per open session:
// "<pid> <sid> <started> <errors> <release>".
void SessionTracker::PersistLocked() {
  if (cache_dir_.empty()) return;
  if (file_.empty()) {
    file_ =
        absl::StrCat(cache_dir_, "/",
                     cache_layout::SessionFileName(::getpid(), session_.sid()));
  }
  std::ofstream out(file_, std::ios::trunc);
  out << ::getpid() << " " << session_.sid() << " " << session_.started() << " "
      << session_.errors() << " " << release_ << "\n";
  if (!out) Log(LogLevel::kWarning, "cannot write session file ", file_);
}

void SessionTracker::ForgetLocked() {
  if (!file_.empty()) ::unlink(file_.c_str());
}

std::vector<std::string> SessionTracker::CloseAbandoned() {
  std::vector<std::string> updates;
  if (cache_dir_.empty()) return updates;
  DIR* dir = ::opendir(cache_dir_.c_str());
  if (dir == nullptr) return updates;
  std::vector<std::string> names;
  std::vector<std::string> markers;
  while (const dirent* entry = ::readdir(dir)) {
    if (absl::StartsWith(entry->d_name, cache_layout::kSessionPrefix)) {
      names.push_back(entry->d_name);
    }
    if (cache_layout::ParseCrashMarker(entry->d_name)) {
      markers.push_back(entry->d_name);
    }
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    if (auto update = CloseSessionFile(cache_dir_, name, environment_,
                                       /*crashed=*/false,
                                       /*only_if_dead=*/true)) {
      updates.push_back(*std::move(update));
    }
  }
  // Markers of dead processes that had no session.
  for (const std::string& name : markers) {
    const std::optional<int> pid = cache_layout::ParseCrashMarker(name);
    if (pid && !ProcessAlive(*pid)) {
      ::unlink(absl::StrCat(cache_dir_, "/", name).c_str());
    }
  }
  return updates;
}

SessionAggregator::SessionAggregator(std::string release,
                                     std::string environment)
    : release_(std::move(release)), environment_(std::move(environment)) {}

void SessionAggregator::Record(absl::Time started, RequestOutcome outcome) {
  const int64_t minute = absl::ToUnixSeconds(started) / 60;
  absl::MutexLock lock(&mu_);
  Counts& counts = minutes_[minute];
  switch (outcome) {
    case RequestOutcome::kExited:
      ++counts.exited;
      break;
    case RequestOutcome::kErrored:
      ++counts.errored;
      break;
    case RequestOutcome::kCrashed:
      ++counts.crashed;
      break;
  }
}

bool SessionAggregator::Due(absl::Time now, absl::Duration interval) {
  absl::MutexLock lock(&mu_);
  return !minutes_.empty() && now - last_take_ >= interval;
}

std::optional<std::string> SessionAggregator::Take(absl::Time now) {
  std::map<int64_t, Counts> minutes;
  {
    absl::MutexLock lock(&mu_);
    minutes.swap(minutes_);
    last_take_ = now;
  }
  if (minutes.empty()) return std::nullopt;
  std::string json = "{\"aggregates\":[";
  bool first = true;
  for (const auto& [minute, counts] : minutes) {
    if (!first) json += ",";
    first = false;
    absl::StrAppend(&json, "{\"started\":\"",
                    FormatRfc3339(absl::FromUnixSeconds(minute * 60)), "\"");
    if (counts.exited) absl::StrAppend(&json, ",\"exited\":", counts.exited);
    if (counts.errored) {
      absl::StrAppend(&json, ",\"errored\":", counts.errored);
    }
    if (counts.crashed) {
      absl::StrAppend(&json, ",\"crashed\":", counts.crashed);
    }
    json += "}";
  }
  protocol::SessionAttributes attrs;
  attrs.set_release(release_);
  attrs.set_environment(environment_);
  absl::StrAppend(&json, "],\"attrs\":", MessageToJson(attrs), "}");
  return json;
}

}  // namespace sentry::internal
