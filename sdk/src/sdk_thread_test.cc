// The SDK's own threads never preempt the application's: each one it starts
// (the worker, the batching thread of logs and metrics, the HTTP sender) is
// named sentry-* and runs SCHED_BATCH.
#include <dirent.h>
#include <sched.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"
#include "sentry/sentry.h"

namespace sentry {
namespace {

// This process's threads named sentry-*: name -> scheduling policy (field
// 41 of /proc/self/task/TID/stat, after the parenthesized name).
std::multimap<std::string, int> SdkThreadPolicies() {
  std::multimap<std::string, int> policies;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return policies;
  while (dirent* e = ::readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = std::string("/proc/self/task/") + e->d_name;
    std::string comm;
    std::getline(std::ifstream(dir + "/comm"), comm);
    if (!absl::StartsWith(comm, "sentry-")) continue;
    std::stringstream stat;
    stat << std::ifstream(dir + "/stat").rdbuf();
    const std::string text = stat.str();
    // Fields from the third on, after "pid (comm) ".
    const std::vector<std::string> fields =
        absl::StrSplit(text.substr(text.rfind(')') + 2), ' ');
    int policy = -1;
    if (fields.size() > 38) (void)absl::SimpleAtoi(fields[38], &policy);
    policies.emplace(comm, policy);
  }
  ::closedir(tasks);
  return policies;
}

TEST(SdkThreadTest, EveryThreadTheSdkStartsIsNamedAndBatchScheduled) {
  Options options;
  // A port nothing listens on: the sender thread starts and fails quietly.
  options.dsn = "http://key@127.0.0.1:9/1";
  options.auto_session_tracking = false;
  options.shutdown_timeout = absl::ZeroDuration();
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  CaptureMessage("starts the worker");
  logger::Info("starts the logs' batching thread");
  metrics::Count("starts.the.metrics.batching.thread");
  Flush(absl::Milliseconds(100));

  const auto policies = SdkThreadPolicies();
  std::set<std::string> names;
  for (const auto& [name, policy] : policies) {
    names.insert(name);
    EXPECT_EQ(policy, SCHED_BATCH) << name;
  }
  // The worker, the sender, the batching threads of logs and metrics (a
  // thread libcurl starts from the sender, to resolve, inherits its name
  // and policy).
  EXPECT_THAT(names, ::testing::ElementsAre("sentry-batch", "sentry-client",
                                            "sentry-http"));
  EXPECT_EQ(policies.count("sentry-batch"), 2u);
}

}  // namespace
}  // namespace sentry
