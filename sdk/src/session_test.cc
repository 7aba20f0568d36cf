#include "sdk/src/session.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sdk/src/json.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

// Session payloads in the order sent, with whether their envelope also
// held an event.
struct Sent {
  std::string json;
  bool with_event;
};

std::vector<Sent> Sessions(const TestTransport& transport) {
  std::vector<Sent> sessions;
  for (const auto& envelope : transport.envelopes()) {
    bool with_event = false;
    for (const auto& item : envelope.items()) {
      if (item.type == "event") with_event = true;
    }
    for (const auto& item : envelope.items()) {
      if (item.type == "session")
        sessions.push_back({item.payload, with_event});
    }
  }
  return sessions;
}

std::string Field(const std::string& json, const std::string& key) {
  auto fields = internal::ParseJsonObject(json);
  if (!fields.ok()) return "<invalid>";
  for (const auto& [name, value] : *fields) {
    if (name == key) return value;
  }
  return "";
}

TEST(SessionTest, ErroredThenExited) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "app@1.0";
  {
    InitGuard guard = Init(std::move(options));
    CaptureMessage("messages do not count");
    CaptureException(std::runtime_error("first"));
    CaptureException(std::runtime_error("second"));
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  const auto sessions = Sessions(*transport);
  ASSERT_EQ(sessions.size(), 3u);
  const std::string sid = Field(sessions[0].json, "sid");
  EXPECT_EQ(sid.size(), 38u);  // A quoted, dashed UUID.
  EXPECT_EQ(Field(sessions[0].json, "init"), "true");
  EXPECT_EQ(Field(sessions[0].json, "status"), "\"ok\"");
  EXPECT_EQ(Field(sessions[0].json, "errors"), "0");
  EXPECT_EQ(Field(sessions[0].json, "attrs"),
            R"({"release":"app@1.0","environment":"production"})");
  // The first error: an update in the same envelope as the event.
  EXPECT_TRUE(sessions[1].with_event);
  EXPECT_EQ(Field(sessions[1].json, "sid"), sid);
  EXPECT_EQ(Field(sessions[1].json, "errors"), "1");
  EXPECT_EQ(Field(sessions[1].json, "init"), "");
  // Closing: exited, with both errors and a duration.
  EXPECT_EQ(Field(sessions[2].json, "status"), "\"exited\"");
  EXPECT_EQ(Field(sessions[2].json, "errors"), "2");
  EXPECT_FALSE(Field(sessions[2].json, "duration").empty());
  EXPECT_EQ(Field(sessions[2].json, "started"),
            Field(sessions[0].json, "started"));
}

TEST(SessionTest, FatalUnhandledCrashesAndNothingFollows) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "app@1.0";
  {
    InitGuard guard = Init(std::move(options));
    protocol::Mechanism mechanism;
    mechanism.set_type("signalhandler");
    mechanism.set_handled(false);
    Hub::Current()->WithScope([&](Scope& scope) {
      scope.SetLevel(Level::kFatal);
      Hub::Current()->CaptureException(
          std::make_exception_ptr(std::runtime_error("fatal")), mechanism);
    });
  }
  const auto sessions = Sessions(*transport);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(Field(sessions[1].json, "status"), "\"crashed\"");
  EXPECT_TRUE(sessions[1].with_event);
  EXPECT_EQ(Field(sessions[1].json, "errors"), "1");
}

// An event about an earlier run (an OOM kill the crash integration found at
// start) is sent, but this run's session neither crashes nor counts it.
TEST(SessionTest, AnEarlierRunsFatalEventDoesNotCountInThisSession) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "app@1.0";
  {
    InitGuard guard = Init(std::move(options));
    protocol::Event event;
    event.set_level("fatal");
    auto* value = event.mutable_exception()->add_values();
    value->set_type("OutOfMemory");
    value->mutable_mechanism()->set_type("oom");
    value->mutable_mechanism()->set_handled(false);
    EXPECT_FALSE(
        internal::CapturePreviousRunEvent(*guard.client(), event).empty());
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  EXPECT_EQ(transport->events().size(), 1u);
  const auto sessions = Sessions(*transport);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_FALSE(sessions[1].with_event);
  EXPECT_EQ(Field(sessions[1].json, "status"), "\"exited\"");
  EXPECT_EQ(Field(sessions[1].json, "errors"), "0");
}

// Crash-free users and users affected need the session's `did`: the user
// of the scope (id, else email, else username), on the error's update and
// on the final one.
TEST(SessionTest, SessionsCarryTheUserAsDid) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "app@1.0";
  {
    InitGuard guard = Init(std::move(options));
    ConfigureScope([](Scope& scope) {
      protocol::User user;
      user.set_id("42");
      user.set_email("ada@example.com");
      scope.SetUser(user);
    });
    CaptureException(std::runtime_error("boom"));
    ASSERT_TRUE(Flush(absl::Seconds(10)));
  }
  const auto sessions = Sessions(*transport);
  ASSERT_EQ(sessions.size(), 3u);
  EXPECT_EQ(Field(sessions[0].json, "did"), "");  // No user at Init yet.
  EXPECT_EQ(Field(sessions[1].json, "did"), "\"42\"");
  EXPECT_EQ(Field(sessions[2].json, "did"), "\"42\"");
}

TEST(SessionTest, AnErrorFreeSessionGetsTheUserWhenItCloses) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "app@1.0";
  {
    InitGuard guard = Init(std::move(options));
    ConfigureScope([](Scope& scope) {
      protocol::User user;
      user.set_email("ada@example.com");
      user.set_username("ada");
      scope.SetUser(user);
    });
  }
  const auto sessions = Sessions(*transport);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(Field(sessions[1].json, "status"), "\"exited\"");
  EXPECT_EQ(Field(sessions[1].json, "did"), "\"ada@example.com\"");
}

TEST(SessionTest, WithoutReleaseThereIsNoSession) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  {
    InitGuard guard = Init(std::move(options));
    CaptureException(std::runtime_error("x"));
  }
  // The event went out; no session did, alone or with it.
  EXPECT_EQ(transport->event_count(), 1u);
  EXPECT_TRUE(Sessions(*transport).empty());
}

TEST(SessionTest, AutoSessionTrackingOffSendsNoSession) {
  auto transport = std::make_shared<TestTransport>();
  Options options;
  options.transport = transport;
  options.release = "app@1.0";
  options.auto_session_tracking = false;
  {
    InitGuard guard = Init(std::move(options));
    CaptureException(std::runtime_error("x"));
  }
  EXPECT_EQ(transport->event_count(), 1u);
  EXPECT_TRUE(Sessions(*transport).empty());
}

// Request mode sends its aggregates every 60 s (the client's worker asks
// Due every second), and only when there is something to send.
TEST(SessionAggregatorTest, DueEverySixtySecondsWhenThereAreCounts) {
  constexpr absl::Duration kInterval = absl::Seconds(60);
  internal::SessionAggregator aggregator("app@1.0", "production");
  const absl::Time t0 = absl::Now();
  EXPECT_FALSE(aggregator.Due(t0 + absl::Seconds(61), kInterval));  // empty
  aggregator.Record(t0, internal::RequestOutcome::kExited);
  EXPECT_FALSE(aggregator.Due(t0 + absl::Seconds(59), kInterval));
  EXPECT_TRUE(aggregator.Due(t0 + absl::Seconds(60), kInterval));
  ASSERT_TRUE(aggregator.Take(t0 + absl::Seconds(60)).has_value());
  aggregator.Record(t0 + absl::Seconds(61), internal::RequestOutcome::kErrored);
  EXPECT_FALSE(aggregator.Due(t0 + absl::Seconds(119), kInterval));
  EXPECT_TRUE(aggregator.Due(t0 + absl::Seconds(120), kInterval));
  const auto second = aggregator.Take(t0 + absl::Seconds(120));
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->find(R"("errored":1)"), std::string::npos) << *second;
  EXPECT_EQ(second->find(R"("exited")"), std::string::npos) << *second;
  EXPECT_FALSE(aggregator.Take(t0 + absl::Seconds(180)).has_value());
}

TEST(SessionTest, SessionOfAVanishedProcessIsClosedAbnormal) {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/sessions");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  // A process that started a session and vanished: its pid is dead.
  const pid_t child = ::fork();
  if (child == 0) {
    internal::SessionTracker tracker("old@0.9", "production", dir);
    tracker.Start();
    ::_exit(0);  // Neither End() nor a crash.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);

  internal::SessionTracker tracker("new@1.0", "production", dir);
  const auto updates = tracker.Start();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(Field(updates[0], "status"), "\"abnormal\"");
  EXPECT_EQ(Field(updates[0], "attrs"),
            R"({"release":"old@0.9","environment":"production"})");
  EXPECT_EQ(Field(updates[1], "status"), "\"ok\"");
  EXPECT_NE(Field(updates[0], "sid"), Field(updates[1], "sid"));
  // Reported once: a third start finds only the live session (ours).
  internal::SessionTracker again("new@1.0", "production", dir);
  EXPECT_EQ(again.Start().size(), 1u);
  tracker.End();
  again.End();
}

}  // namespace
}  // namespace sentry
