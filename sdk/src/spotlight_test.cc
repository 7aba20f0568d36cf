#include "sdk/src/spotlight.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry::internal {
namespace {

struct UrlCase {
  std::optional<bool> spotlight;
  std::string spotlight_url;
  const char* environment;
  std::optional<std::string> expected;
};

TEST(SpotlightUrlTest, OptionsAndEnvironmentDecideAsDocumented) {
  const std::string kDefault = kDefaultSpotlightUrl;
  const std::vector<UrlCase> cases = {
      {std::nullopt, "", nullptr, std::nullopt},
      {std::nullopt, "", "", std::nullopt},
      {std::nullopt, "", "1", kDefault},
      {std::nullopt, "", " TRUE ", kDefault},
      {std::nullopt, "", "on", kDefault},
      {std::nullopt, "", "off", std::nullopt},
      {std::nullopt, "", "0", std::nullopt},
      {std::nullopt, "", "http://127.0.0.1:9/stream",
       "http://127.0.0.1:9/stream"},
      {false, "", "1", std::nullopt},
      {false, "http://a/stream", "http://b/stream", std::nullopt},
      {true, "", nullptr, kDefault},
      {true, "", "false", kDefault},
      {true, "", "http://b/stream", "http://b/stream"},
      {true, "http://a/stream", "http://b/stream", "http://a/stream"},
      {std::nullopt, "http://a/stream", nullptr, "http://a/stream"},
  };
  for (const UrlCase& c : cases) {
    Options options;
    options.spotlight = c.spotlight;
    options.spotlight_url = c.spotlight_url;
    EXPECT_EQ(SpotlightUrl(options, c.environment), c.expected)
        << "spotlight="
        << (c.spotlight ? (*c.spotlight ? "true" : "false") : "unset")
        << " spotlight_url=" << c.spotlight_url
        << " SENTRY_SPOTLIGHT=" << (c.environment ? c.environment : "unset");
  }
}

class SpotlightInitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSpotlightTransportFactory(
        [this](const std::string& url,
               const Options&) -> absl::StatusOr<std::shared_ptr<Transport>> {
          urls_.push_back(url);
          return sidecar_;
        });
  }
  void TearDown() override { SetSpotlightTransportFactory(nullptr); }

  std::shared_ptr<testing::TestTransport> sidecar_ =
      std::make_shared<testing::TestTransport>();
  std::vector<std::string> urls_;
};

TEST_F(SpotlightInitTest, EveryEnvelopeGoesToTheTransportAndTheSidecar) {
  auto primary = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = primary;
  options.spotlight = true;
  options.spotlight_url = "http://sidecar.test:8969/stream";
  options.auto_session_tracking = false;
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  const std::string id = CaptureMessage("to both");
  ASSERT_TRUE(Flush(absl::Seconds(10)));

  EXPECT_EQ(urls_, std::vector<std::string>{"http://sidecar.test:8969/stream"});
  ASSERT_EQ(primary->events().size(), 1u);
  ASSERT_EQ(sidecar_->events().size(), 1u);
  EXPECT_EQ(primary->events()[0].event_id(), id);
  EXPECT_EQ(sidecar_->events()[0].event_id(), id);
  // The sidecar's drops are not Sentry's: it counts into reports of its own.
  EXPECT_NE(sidecar_->client_reports(), primary->client_reports());
}

TEST_F(SpotlightInitTest, WithoutDsnOrTransportTheSidecarStillGetsEvents) {
  Options options;
  options.spotlight = true;
  options.auto_session_tracking = false;
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  const std::string id = CaptureMessage("only to spotlight");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(urls_, std::vector<std::string>{kDefaultSpotlightUrl});
  ASSERT_EQ(sidecar_->events().size(), 1u);
  EXPECT_EQ(sidecar_->events()[0].event_id(), id);
}

TEST_F(SpotlightInitTest, OffByDefault) {
  auto primary = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = primary;
  options.auto_session_tracking = false;
  InitGuard guard = Init(std::move(options));
  CaptureMessage("only to the transport");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_TRUE(urls_.empty());
  EXPECT_EQ(primary->events().size(), 1u);
  EXPECT_EQ(sidecar_->events().size(), 0u);
}

// Records the order of Flush and Shutdown calls across transports.
class OrderRecorder final : public Transport {
 public:
  OrderRecorder(std::string name, std::vector<std::string>* calls)
      : name_(std::move(name)), calls_(calls) {}
  void SendEnvelope(Envelope) noexcept override {}
  bool Flush(absl::Duration) noexcept override {
    calls_->push_back(name_ + ".Flush");
    return true;
  }
  bool Shutdown(absl::Duration) noexcept override {
    calls_->push_back(name_ + ".Shutdown");
    return true;
  }

 private:
  std::string name_;
  std::vector<std::string>* calls_;
};

TEST(TeeTransportTest, SentrysTransportIsFlushedAndShutDownFirst) {
  std::vector<std::string> calls;
  auto tee =
      NewTeeTransport(std::make_shared<OrderRecorder>("sentry", &calls),
                      std::make_shared<OrderRecorder>("sidecar", &calls));
  EXPECT_TRUE(tee->Flush(absl::Seconds(1)));
  EXPECT_TRUE(tee->Shutdown(absl::Seconds(1)));
  EXPECT_EQ(calls,
            (std::vector<std::string>{"sentry.Flush", "sidecar.Flush",
                                      "sentry.Shutdown", "sidecar.Shutdown"}));
}

TEST(SpotlightWithoutHttpTest, TheCoreAloneKeepsSendingToItsTransport) {
  // //sdk:core registers no Spotlight factory: Init logs and goes on.
  SetSpotlightTransportFactory(nullptr);
  auto primary = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = primary;
  options.spotlight = true;
  options.auto_session_tracking = false;
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  CaptureMessage("still sent");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(primary->events().size(), 1u);
}

}  // namespace
}  // namespace sentry::internal
