// Whether the kernel's OOM killer ended an earlier run of the program: a
// process killed that way (SIGKILL) runs no handler, so at start each run
// keeps its memory cgroup's count of OOM kills (cgroup v2 memory.events,
// v1 memory.oom_control: `oom_kill N`) in the cache directory, and the next
// run compares it with the count then.
//
//   for (const OomKill& kill : FindOomKills(cache_dir)) Report(kill);
//   RememberOomCount(cache_dir);      // this run's record
//   ...
//   ForgetOomCount(cache_dir);        // at a clean exit
//
// Each record is claimed (deleted) by the one run that reads it, so a kill
// is reported once. A count that went up means some process of the cgroup
// was killed (in a container: the program); a run that exited cleanly or
// crashed (its crash is the report) leaves no record behind.
#ifndef SENTRY_INTEGRATIONS_CRASH_SRC_OOM_RECORD_H_
#define SENTRY_INTEGRATIONS_CRASH_SRC_OOM_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sentry::internal::crash {

struct OomKill {
  int pid = 0;
  uint64_t before = 0;  // The cgroup's count when that run started.
  uint64_t after = 0;   // And now.
  std::string counter;  // The file it was read from.
};

// The file that counts OOM kills in this process's memory cgroup, or "".
std::string OomCounterOfThisProcess();
// The `oom_kill` count in `counter`, or nullopt.
std::optional<uint64_t> ReadOomKills(const std::string& counter);

// Records of processes that are gone, each deleted; those whose count went
// up since, oldest pid first.
std::vector<OomKill> FindOomKills(const std::string& cache_dir);
// This process's record (nothing when its cgroup has no counter).
void RememberOomCount(const std::string& cache_dir);
void ForgetOomCount(const std::string& cache_dir);
// The record of process `pid` (for a crash handler: a crash is reported as
// such, not later as an OOM kill).
void ForgetOomCountOf(const std::string& cache_dir, int pid);

}  // namespace sentry::internal::crash

#endif  // SENTRY_INTEGRATIONS_CRASH_SRC_OOM_RECORD_H_
