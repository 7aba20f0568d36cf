// A user's test: the test transport in place of HTTP, and each thread's
// events carrying only that thread's scope.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sentry/integrations/thread_pool.h"
#include "sentry/sentry.h"
#include "sentry/testing/capture.h"
#include "sentry/testing/matchers.h"
#include "sentry/testing/test_transport.h"

namespace {

using sentry::testing::HasMessage;
using sentry::testing::HasTag;
using ::testing::AllOf;
using ::testing::ElementsAre;

void Checkout(bool declined) {
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("payment", "visa"); });
  if (declined) sentry::CaptureMessage("card declined");
}

// The README's "Testing your code" example, in a user's workspace.
TEST(ConsumerTest, CaptureEventsReturnsWhatTheCodeSent) {
  auto events = sentry::testing::CaptureEvents([] { Checkout(true); });
  EXPECT_THAT(events, ElementsAre(AllOf(HasMessage("card declined"),
                                        HasTag("payment", "visa"))));
  EXPECT_THAT(sentry::testing::CaptureEvents([] { Checkout(false); }),
              ::testing::IsEmpty());
}

TEST(ConsumerTest, EachThreadsEventCarriesOnlyItsOwnTag) {
  auto transport = std::make_shared<sentry::testing::TestTransport>();
  sentry::Options options;
  options.transport = transport;
  sentry::InitGuard guard = sentry::Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();

  std::vector<sentry::Thread> threads;
  for (int task = 0; task < 4; ++task) {
    threads.emplace_back([task] {
      sentry::ConfigureScope([task](sentry::Scope& scope) {
        scope.SetTag("task", std::to_string(task));
      });
      sentry::CaptureMessage("task " + std::to_string(task));
    });
  }
  for (auto& thread : threads) thread.join();

  ASSERT_TRUE(transport->WaitForEvents(4, absl::Seconds(10)));
  std::map<std::string, std::string> tag_of_message;
  for (const auto& event : transport->events()) {
    tag_of_message[event.logentry().message()] = event.tags().at("task");
  }
  EXPECT_EQ(tag_of_message, (std::map<std::string, std::string>{
                                {"task 0", "0"},
                                {"task 1", "1"},
                                {"task 2", "2"},
                                {"task 3", "3"},
                            }));
}

}  // namespace
