#include "integrations/crash/src/oom_record.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "sdk/src/cache_layout.h"

namespace sentry::internal::crash {
namespace {

bool Exists(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

std::string RecordPath(const std::string& cache_dir, int pid) {
  return absl::StrCat(cache_dir, "/", cache_layout::OomRecordName(pid));
}

bool Gone(int pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

std::string OomCounterOfThisProcess() {
  std::ifstream in("/proc/self/cgroup");
  std::string line, v1, v2;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "0::")) {
      v2 = absl::StrCat("/sys/fs/cgroup", rest == "/" ? "" : rest,
                        "/memory.events");
    }
    const size_t memory = line.find(":memory:");
    if (memory != std::string::npos) {
      const std::string path = line.substr(memory + strlen(":memory:"));
      v1 = absl::StrCat("/sys/fs/cgroup/memory", path == "/" ? "" : path,
                        "/memory.oom_control");
    }
  }
  if (!v2.empty() && Exists(v2)) return v2;
  if (!v1.empty() && Exists(v1)) return v1;
  return "";
}

std::optional<uint64_t> ReadOomKills(const std::string& counter) {
  std::ifstream in(counter);
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    uint64_t count = 0;
    if (absl::ConsumePrefix(&rest, "oom_kill ") &&
        absl::SimpleAtoi(rest, &count)) {
      return count;
    }
  }
  return std::nullopt;
}

std::vector<OomKill> FindOomKills(const std::string& cache_dir) {
  std::vector<int> pids;
  if (DIR* dir = ::opendir(cache_dir.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (auto pid = cache_layout::ParseOomRecord(entry->d_name)) {
        if (*pid != ::getpid() && Gone(*pid)) pids.push_back(*pid);
      }
    }
    ::closedir(dir);
  }
  std::sort(pids.begin(), pids.end());
  std::vector<OomKill> kills;
  for (int pid : pids) {
    const std::string path = RecordPath(cache_dir, pid);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    // Claimed by the one run that deletes it.
    if (::unlink(path.c_str()) != 0) continue;
    OomKill kill;
    kill.pid = pid;
    const size_t space = text.find(' ');
    if (space == std::string::npos ||
        !absl::SimpleAtoi(text.substr(0, space), &kill.before)) {
      continue;
    }
    kill.counter = std::string(absl::StripTrailingAsciiWhitespace(
        absl::string_view(text).substr(space + 1)));
    const std::optional<uint64_t> now = ReadOomKills(kill.counter);
    if (!now || *now <= kill.before) continue;
    kill.after = *now;
    kills.push_back(kill);
  }
  return kills;
}

void RememberOomCount(const std::string& cache_dir) {
  const std::string counter = OomCounterOfThisProcess();
  if (counter.empty()) return;
  const std::optional<uint64_t> count = ReadOomKills(counter);
  if (!count) return;
  std::ofstream out(RecordPath(cache_dir, ::getpid()), std::ios::trunc);
  out << *count << " " << counter << "\n";
}

void ForgetOomCount(const std::string& cache_dir) {
  ForgetOomCountOf(cache_dir, ::getpid());
}

void ForgetOomCountOf(const std::string& cache_dir, int pid) {
  ::unlink(RecordPath(cache_dir, pid).c_str());
}

}  // namespace sentry::internal::crash
