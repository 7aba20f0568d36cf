// Each fatal signal the crash integration handles is written into the spool
// as a crash event, and the handler that was installed before Init still
// runs afterwards (the integration re-raises to it). Each crash happens in a
// child process (a gtest death test).
#include "sentry/integrations/crash.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "sentry/envelope.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

constexpr int kPreviousHandlerExit = 42;

// What the program had installed before the SDK: says which signal it got.
void PreviousHandler(int sig) {
  char message[] = "previous handler: signal NN\n";
  message[25] = static_cast<char>('0' + sig / 10);
  message[26] = static_cast<char>('0' + sig % 10);
  (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
  ::_exit(kPreviousHandlerExit);
}

std::string PreviousHandlerSays(int sig) {
  return absl::StrCat("previous handler: signal ", sig / 10, sig % 10);
}

// Not instrumented by ThreadSanitizer, whose check of the null address
// would run (and fault) inside its own runtime first.
__attribute__((noinline, no_sanitize_thread)) void FaultWithSignal(int sig) {
  switch (sig) {
    case SIGSEGV: {
      // A volatile store through an opaque pointer: the compiler can
      // neither know it is null nor drop the store.
      volatile int* volatile null = nullptr;
      *null = 1;
    } break;
    case SIGBUS: {
      // A page of a file that was truncated after it was mapped.
      std::string path =
          absl::StrCat(std::getenv("TEST_TMPDIR"), "/bus.XXXXXX");
      const int fd = ::mkstemp(path.data());
      (void)!::ftruncate(fd, 4096);
      auto* page = static_cast<volatile char*>(
          ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0));
      (void)!::ftruncate(fd, 0);
      ::unlink(path.c_str());
      (void)page[0];
      break;
    }
    case SIGILL:
      __builtin_trap();
    case SIGFPE: {
      // Both operands opaque, so the compiler must divide.
      volatile int dividend = 7;
      volatile int zero = 0;
      volatile int quotient = dividend / zero;
      (void)quotient;
      break;
    }
    case SIGABRT:
      std::abort();
  }
}

__attribute__((noinline)) void CrashWith(int sig,
                                         const std::string& cache_dir) {
  struct sigaction previous {};
  previous.sa_handler = &PreviousHandler;
  sigemptyset(&previous.sa_mask);
  sigaction(sig, &previous, nullptr);
  Options options;
  options.transport = std::make_shared<testing::TestTransport>();
  options.cache_dir = cache_dir;
  options.integrations.push_back(NewCrashIntegration());
  InitGuard guard = Init(std::move(options));
  ConfigureScope([](Scope& scope) { scope.SetTag("step", "before-crash"); });
  if (!WaitForCrashEventPrepared(absl::Seconds(10))) ::_exit(3);
  FaultWithSignal(sig);
}

// The events in the spool's envelope files.
std::vector<protocol::Event> SpooledEvents(const std::string& dir) {
  std::vector<protocol::Event> events;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return events;
  while (dirent* e = ::readdir(d)) {
    if (!absl::EndsWith(e->d_name, ".envelope")) continue;
    std::ifstream in(absl::StrCat(dir, "/", e->d_name));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    auto envelope = Envelope::Parse(bytes.str());
    EXPECT_TRUE(envelope.ok()) << e->d_name;
    if (!envelope.ok()) continue;
    for (const auto& item : envelope->items()) {
      if (item.type != "event") continue;
      protocol::Event event;
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(item.payload, &event)
              .ok())
          << item.payload;
      EXPECT_EQ(envelope->event_id(), event.event_id());
      events.push_back(std::move(event));
    }
  }
  ::closedir(d);
  return events;
}

struct Case {
  int sig;
  const char* name;
};

class CrashDeathTest : public ::testing::TestWithParam<Case> {};

TEST_P(CrashDeathTest, SignalIsSpooledThenThePreviousHandlerRuns) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Case c = GetParam();
  const std::string dir =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/crash-", c.name);
  EXPECT_EXIT(CrashWith(c.sig, dir),
              ::testing::ExitedWithCode(kPreviousHandlerExit),
              PreviousHandlerSays(c.sig));
  const auto events = SpooledEvents(dir);
  ASSERT_EQ(events.size(), 1u);
  const auto& event = events[0];
  EXPECT_EQ(event.level(), "fatal");
  EXPECT_EQ(event.tags().at("step"), "before-crash");
  ASSERT_EQ(event.exception().values_size(), 1);
  const auto& value = event.exception().values(0);
  EXPECT_EQ(value.type(), c.name);
  EXPECT_EQ(value.mechanism().type(), "signalhandler");
  EXPECT_FALSE(value.mechanism().handled());
  EXPECT_EQ(value.mechanism().meta().signal().number(), c.sig);
  EXPECT_EQ(value.mechanism().meta().signal().name(), c.name);
  // The crashing code's frames, and none of the SDK's signal handler.
  std::string functions;
  for (const auto& frame : value.stacktrace().frames()) {
    absl::StrAppend(&functions, frame.function(), "\n");
  }
  EXPECT_TRUE(absl::StrContains(functions, "FaultWithSignal")) << functions;
  EXPECT_TRUE(absl::StrContains(functions, "CrashWith")) << functions;
  for (const char* handler : {"OnSignal", "ReportToHandler", "WriteCrash"}) {
    EXPECT_FALSE(absl::StrContains(functions, handler)) << functions;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Signals, CrashDeathTest,
    ::testing::Values(Case{SIGSEGV, "SIGSEGV"}, Case{SIGBUS, "SIGBUS"},
                      Case{SIGILL, "SIGILL"}, Case{SIGFPE, "SIGFPE"},
                      Case{SIGABRT, "SIGABRT"}),
    [](const auto& info) { return std::string(info.param.name); });

// A pid that no process has now: a child that exited and was reaped.
int DeadPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

// The session updates (JSON) among `envelopes`.
std::vector<std::string> SessionUpdates(
    const std::vector<Envelope>& envelopes) {
  std::vector<std::string> updates;
  for (const auto& envelope : envelopes) {
    for (const auto& item : envelope.items()) {
      if (item.type == "session") updates.push_back(item.payload);
    }
  }
  return updates;
}

// An earlier run left its cgroup's OOM kill count (0) in the cache
// directory and vanished; the count is 1 now: the next run reports it once,
// as a fatal event with mechanism "oom", without counting it as an error of
// its own session; the run after that reports nothing.
TEST(CrashTest, OomKillOfAnEarlierRunIsReportedOnceNotInThisRunsSession) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/oom");
  ::mkdir(dir.c_str(), 0700);
  const std::string counter = absl::StrCat(dir, "/memory.events");
  std::ofstream(counter) << "oom 1\noom_kill 1\n";
  const int pid = DeadPid();
  std::ofstream(absl::StrCat(dir, "/oom-", pid)) << "0 " << counter << "\n";

  for (int run = 1; run <= 2; ++run) {
    auto transport = std::make_shared<testing::TestTransport>();
    Options options;
    options.transport = transport;
    options.cache_dir = dir;
    options.release = "oom-test@1.0.0";
    CrashOptions crash;
    crash.out_of_process = false;
    options.integrations.push_back(NewCrashIntegration(crash));
    {
      InitGuard guard = Init(std::move(options));
      ASSERT_TRUE(guard.status().ok());
      ASSERT_TRUE(guard.client()->Flush(absl::Seconds(10)));
    }
    const auto events = transport->events();
    if (run == 2) {
      EXPECT_TRUE(events.empty()) << "reported twice";
      continue;
    }
    ASSERT_EQ(events.size(), 1u);
    const auto& event = events[0];
    EXPECT_EQ(event.level(), "fatal");
    ASSERT_EQ(event.exception().values_size(), 1);
    const auto& value = event.exception().values(0);
    EXPECT_EQ(value.type(), "OutOfMemory");
    EXPECT_EQ(value.value(),
              absl::StrCat("The kernel's OOM killer ended process ", pid,
                           " (its memory cgroup's oom_kill count went from 0 "
                           "to 1)"));
    EXPECT_EQ(value.mechanism().type(), "oom");
    EXPECT_FALSE(value.mechanism().handled());
    // This run's session: started and exited cleanly, with no error.
    const std::vector<std::string> updates =
        SessionUpdates(transport->envelopes());
    ASSERT_FALSE(updates.empty());
    EXPECT_THAT(updates.back(), ::testing::HasSubstr("\"status\":\"exited\""));
    for (const std::string& update : updates) {
      EXPECT_THAT(update, ::testing::Not(::testing::HasSubstr("\"crashed\"")));
      EXPECT_THAT(update, ::testing::Not(::testing::HasSubstr("\"errors\":1")));
    }
  }
}

// Without a crash integration set up, there is nothing to wait for.
TEST(CrashTest, WaitForCrashEventPreparedIsFalseWithoutTheIntegration) {
  EXPECT_FALSE(WaitForCrashEventPrepared(absl::Milliseconds(10)));
}

}  // namespace
}  // namespace sentry
