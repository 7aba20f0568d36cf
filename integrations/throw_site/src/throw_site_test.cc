#include "sentry/integrations/throw_site.h"

#include <stdexcept>
#include <thread>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace {

__attribute__((noinline)) void ThrowDeepInside(int depth) {
  if (depth == 0) throw std::out_of_range("index 7 of 3");
  ThrowDeepInside(depth - 1);
  asm volatile("");
}

__attribute__((noinline)) void CatchAndCapture() {
  try {
    ThrowDeepInside(2);
  } catch (const std::exception& e) {
    sentry::CaptureException(e);
  }
  asm volatile("");
}

bool HasFrame(const sentry::protocol::Stacktrace& trace,
              absl::string_view name) {
  for (const auto& frame : trace.frames()) {
    if (absl::StrContains(frame.function(), name)) return true;
  }
  return false;
}

TEST(ThrowSiteTest, CapturedExceptionCarriesTheThrowersStack) {
  ASSERT_TRUE(sentry::ThrowSitesRecorded());
  auto transport = std::make_shared<sentry::testing::TestTransport>();
  sentry::Options options;
  options.transport = transport;
  sentry::InitGuard guard = sentry::Init(std::move(options));
  CatchAndCapture();
  ASSERT_TRUE(sentry::Flush(absl::Seconds(10)));
  const auto events = transport->events();
  ASSERT_EQ(events.size(), 1u);
  const auto& trace = events[0].exception().values(0).stacktrace();
  // The throw happened three calls below the catch: those frames are there.
  EXPECT_TRUE(HasFrame(trace, "ThrowDeepInside"));
  EXPECT_TRUE(HasFrame(trace, "CatchAndCapture"));
  EXPECT_TRUE(
      absl::StrContains(trace.frames().rbegin()->function(), "ThrowDeepInside"))
      << trace.frames().rbegin()->function();
}

TEST(ThrowSiteTest, ExceptionsStillBehave) {
  int caught = 0;
  for (int i = 0; i < 100; ++i) {
    try {
      ThrowDeepInside(i % 5);
    } catch (const std::out_of_range& e) {
      if (std::string(e.what()) == "index 7 of 3") ++caught;
    }
  }
  EXPECT_EQ(caught, 100);
  std::thread([] {
    try {
      throw 42;
    } catch (int value) {
      EXPECT_EQ(value, 42);
    }
  }).join();
}

}  // namespace
