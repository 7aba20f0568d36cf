// An exception that reaches std::terminate is reported as a fatal event
// before the previous terminate handler runs (in a child process: a gtest
// death test), and not at all with Options::capture_terminate off.
#include <dirent.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "sentry/envelope.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/sentry.h"
#include "sentry/transports/file_transport.h"

namespace {

// libstdc++'s own terminate handler, which must still run after ours.
constexpr char kPreviousHandlerMessage[] =
    "terminate called after throwing an instance of 'std::runtime_error'\n"
    "  what\\(\\):  configuration file is corrupt";

// The "event" items of every envelope the file transport wrote in `dir`.
std::vector<sentry::protocol::Event> ReadEvents(const std::string& dir) {
  std::vector<sentry::protocol::Event> events;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return events;
  while (dirent* e = readdir(d)) {
    if (!absl::EndsWith(e->d_name, ".envelope")) continue;
    std::ifstream in(absl::StrCat(dir, "/", e->d_name));
    std::ostringstream text;
    text << in.rdbuf();
    auto envelope = sentry::Envelope::Parse(text.str());
    EXPECT_TRUE(envelope.ok()) << e->d_name << ": " << envelope.status();
    if (!envelope.ok()) continue;
    for (const auto& item : envelope->items()) {
      if (item.type != "event") continue;
      sentry::protocol::Event event;
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(item.payload, &event)
              .ok())
          << item.payload;
      events.push_back(std::move(event));
    }
  }
  closedir(d);
  return events;
}

// Not inlined, so the throwing function is a frame in every build mode.
__attribute__((noinline)) void LoadConfiguration() {
  throw std::runtime_error("configuration file is corrupt");
}

void DieWithUncaughtException(const std::string& dir, bool capture) {
  sentry::Options options;
  options.transport = *sentry::NewFileTransport(dir);
  options.capture_terminate = capture;
  sentry::InitGuard guard = sentry::Init(std::move(options));
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("phase", "startup"); });
  std::thread([] { LoadConfiguration(); }).join();
}

// A fixed path per test: the threadsafe death test style re-runs the test
// body in the child, which must write where the parent looks.
std::string Dir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  return absl::StrCat(base != nullptr ? base : "/tmp", "/", name);
}

TEST(TerminateDeathTest, UncaughtExceptionIsReportedAsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string dir = Dir("terminate_test");
  EXPECT_DEATH(DieWithUncaughtException(dir, true), kPreviousHandlerMessage);
  const auto events = ReadEvents(dir);
  ASSERT_EQ(events.size(), 1u);
  const auto& event = events[0];
  EXPECT_EQ(event.level(), "fatal");
  EXPECT_EQ(event.tags().at("phase"), "startup");
  ASSERT_EQ(event.exception().values_size(), 1);
  const auto& value = event.exception().values(0);
  EXPECT_EQ(value.type(), "std::runtime_error");
  EXPECT_EQ(value.value(), "configuration file is corrupt");
  EXPECT_EQ(value.mechanism().type(), "terminate");
  ASSERT_TRUE(value.mechanism().has_handled());
  EXPECT_FALSE(value.mechanism().handled());
  // The stack leads to the function that threw (through the C++ runtime's
  // terminate machinery, which has no frame pointers), and the newest
  // in-app frame is that function.
  std::string stack;
  const sentry::protocol::Frame* newest_in_app = nullptr;
  for (const auto& frame : value.stacktrace().frames()) {
    absl::StrAppend(&stack, frame.function(), "\n");
    if (frame.in_app()) newest_in_app = &frame;
  }
  ASSERT_NE(newest_in_app, nullptr) << stack;
  EXPECT_TRUE(absl::StrContains(newest_in_app->function(), "LoadConfiguration"))
      << stack;
  EXPECT_FALSE(absl::StrContains(stack, "OnTerminate")) << stack;
}

// Captured (handled) on its way up, then rethrown into std::terminate: the
// capture is sent, and so is the fatal report, although dedupe (on by
// default) sends an exception captured again only once.
void DieAfterCapturingAndRethrowing(const std::string& dir) {
  sentry::Options options;
  options.transport = *sentry::NewFileTransport(dir);
  sentry::InitGuard guard = sentry::Init(std::move(options));
  std::thread([] {
    try {
      LoadConfiguration();
    } catch (const std::exception& e) {
      sentry::CaptureException(e);
      throw;
    }
  }).join();
}

TEST(TerminateDeathTest, AnExceptionCapturedBeforeIsStillReportedAsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string dir = Dir("terminate_dedupe_test");
  EXPECT_DEATH(DieAfterCapturingAndRethrowing(dir), kPreviousHandlerMessage);
  std::vector<std::string> levels;
  for (const auto& event : ReadEvents(dir)) {
    EXPECT_EQ(event.exception().values(0).value(),
              "configuration file is corrupt");
    levels.push_back(event.level());
  }
  std::sort(levels.begin(), levels.end());
  EXPECT_EQ(levels, (std::vector<std::string>{"error", "fatal"}));
}

TEST(TerminateDeathTest, CaptureTerminateOffReportsNothing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string dir = Dir("terminate_off_test");
  EXPECT_DEATH(DieWithUncaughtException(dir, false), kPreviousHandlerMessage);
  EXPECT_TRUE(ReadEvents(dir).empty());
}

}  // namespace
