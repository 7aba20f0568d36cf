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
}

TEST_F(SpotlightInitTest, TheSidecarsDropsAreNotSentrys) {
  auto primary = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = primary;
  options.spotlight = true;
  options.auto_session_tracking = false;
  InitGuard guard = Init(std::move(options));
  ASSERT_TRUE(guard.status().ok()) << guard.status();
  // The sidecar loses an envelope (it counts into what Start gave it).
  sidecar_->client_reports()->Record(DiscardReason::kNetworkError,
                                     DataCategory::kError);
  CaptureMessage("after the sidecar's loss");
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  // Sentry's counts, and so its client reports, do not have it.
  EXPECT_EQ(guard.client()->client_reports().Count(DiscardReason::kNetworkError,
                                                   DataCategory::kError),
            0u);
  for (const Envelope& envelope : primary->envelopes()) {
    for (const EnvelopeItem& item : envelope.items()) {
      EXPECT_NE(item.type, "client_report") << item.payload;
    }
  }
  EXPECT_EQ(sidecar_->client_reports()->Count(DiscardReason::kNetworkError,
                                              DataCategory::kError),
            1u);
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

// Records the Flush and Shutdown calls across transports, with the time
// each was given; each call takes `takes` (a slow network).
class OrderRecorder final : public Transport {
 public:
  struct Call {
    std::string what;
    absl::Duration timeout;
  };
  OrderRecorder(std::string name, absl::Duration takes,
                std::vector<Call>* calls)
      : name_(std::move(name)), takes_(takes), calls_(calls) {}
  void SendEnvelope(Envelope) noexcept override {}
  bool Flush(absl::Duration timeout) noexcept override {
    return Record("Flush", timeout);
  }
  bool Shutdown(absl::Duration timeout) noexcept override {
    return Record("Shutdown", timeout);
  }

 private:
  bool Record(const char* what, absl::Duration timeout) {
    calls_->push_back({name_ + "." + what, timeout});
    absl::SleepFor(takes_);  // The work a flush does, not a wait for it.
    return true;
  }

  std::string name_;
  absl::Duration takes_;
  std::vector<Call>* calls_;
};

TEST(TeeTransportTest, SentrysTransportGetsTheWholeTimeoutFirst) {
  std::vector<OrderRecorder::Call> calls;
  auto tee = NewTeeTransport(
      std::make_shared<OrderRecorder>("sentry", absl::Milliseconds(300),
                                      &calls),
      std::make_shared<OrderRecorder>("sidecar", absl::ZeroDuration(), &calls));
  EXPECT_TRUE(tee->Flush(absl::Seconds(1)));
  EXPECT_TRUE(tee->Shutdown(absl::Seconds(1)));
  ASSERT_EQ(calls.size(), 4u);
  std::vector<std::string> order;
  for (const auto& call : calls) order.push_back(call.what);
  EXPECT_EQ(order,
            (std::vector<std::string>{"sentry.Flush", "sidecar.Flush",
                                      "sentry.Shutdown", "sidecar.Shutdown"}));
  // Sentry's transport is given the whole second; the sidecar what is left
  // after Sentry's 300 ms.
  for (int i : {0, 2}) EXPECT_EQ(calls[i].timeout, absl::Seconds(1));
  for (int i : {1, 3}) {
    EXPECT_LE(calls[i].timeout, absl::Milliseconds(700)) << calls[i].what;
    EXPECT_GT(calls[i].timeout, absl::ZeroDuration()) << calls[i].what;
  }
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
