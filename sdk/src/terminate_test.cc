// An exception that reaches std::terminate is reported as a fatal event
// before the process ends (in a child process: a gtest death test).
#include <dirent.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/transports/file_transport.h"

namespace {

std::string ReadAllEnvelopes(const std::string& dir) {
  std::string all;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (!absl::EndsWith(e->d_name, ".envelope")) continue;
      std::ifstream in(dir + "/" + e->d_name);
      std::ostringstream text;
      text << in.rdbuf();
      all += text.str();
    }
    closedir(d);
  }
  return all;
}

void DieWithUncaughtException(const std::string& dir) {
  sentry::Options options;
  options.transport = *sentry::NewFileTransport(dir);
  sentry::InitGuard guard = sentry::Init(std::move(options));
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("phase", "startup"); });
  std::thread([] {
    throw std::runtime_error("configuration file is corrupt");
  }).join();
}

TEST(TerminateDeathTest, UncaughtExceptionIsReportedAsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // A fixed path: the threadsafe death test style re-runs this test body
  // in the child, which must write where the parent looks.
  const char* base = std::getenv("TEST_TMPDIR");
  const std::string dir =
      absl::StrCat(base != nullptr ? base : "/tmp", "/terminate_test");
  EXPECT_DEATH(DieWithUncaughtException(dir), "");
  const std::string envelopes = ReadAllEnvelopes(dir);
  EXPECT_TRUE(absl::StrContains(envelopes, "configuration file is corrupt"))
      << envelopes;
  EXPECT_TRUE(absl::StrContains(envelopes, R"("level":"fatal")")) << envelopes;
  EXPECT_TRUE(absl::StrContains(envelopes, R"("type":"terminate")"))
      << envelopes;
  EXPECT_TRUE(absl::StrContains(envelopes, R"("handled":false)"));
}

}  // namespace
