#include "sdk/src/spotlight.h"

#include <algorithm>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "sentry/client_reports.h"

namespace sentry::internal {
namespace {

bool IsUrl(absl::string_view value) {
  return absl::StartsWith(value, "http://") ||
         absl::StartsWith(value, "https://");
}

// SENTRY_SPOTLIGHT's meaning: on, off, or a URL (which is on).
enum class EnvSetting { kUnset, kOff, kOn, kUrl };

EnvSetting ReadEnvironment(const char* environment) {
  if (environment == nullptr) return EnvSetting::kUnset;
  const std::string value =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(environment));
  if (IsUrl(value)) return EnvSetting::kUrl;
  if (value == "1" || value == "true" || value == "on" || value == "yes") {
    return EnvSetting::kOn;
  }
  return value.empty() ? EnvSetting::kUnset : EnvSetting::kOff;
}

absl::Mutex g_factory_mu;
SpotlightFactory& FactoryLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_factory_mu) {
  static auto* factory = new SpotlightFactory();
  return *factory;
}

class TeeTransport final : public Transport {
 public:
  TeeTransport(std::shared_ptr<Transport> primary,
               std::shared_ptr<Transport> sidecar)
      : primary_(std::move(primary)), sidecar_(std::move(sidecar)) {}

  void Start(std::shared_ptr<ClientReports> reports) noexcept override {
    if (primary_ != nullptr) primary_->Start(std::move(reports));
    // The sidecar counts into reports of its own, never sent.
    sidecar_->Start(std::make_shared<ClientReports>());
  }

  void SendEnvelope(Envelope envelope) noexcept override {
    if (primary_ == nullptr) {
      sidecar_->SendEnvelope(std::move(envelope));
      return;
    }
    sidecar_->SendEnvelope(envelope);
    primary_->SendEnvelope(std::move(envelope));
  }

  // Sentry's transport decides when the worker holds back; the sidecar,
  // a local tool, drops what it cannot take (into its own counts).
  bool Backlogged() const noexcept override {
    return primary_ != nullptr ? primary_->Backlogged()
                               : sidecar_->Backlogged();
  }

  // The primary transport first: Sentry's data gets the whole timeout,
  // the sidecar what is left of it.
  bool Flush(absl::Duration timeout) noexcept override {
    const absl::Time deadline = absl::Now() + timeout;
    const bool primary = primary_ == nullptr || primary_->Flush(timeout);
    return sidecar_->Flush(
               std::max(deadline - absl::Now(), absl::ZeroDuration())) &&
           primary;
  }

  bool Shutdown(absl::Duration timeout) noexcept override {
    const absl::Time deadline = absl::Now() + timeout;
    const bool primary = primary_ == nullptr || primary_->Shutdown(timeout);
    return sidecar_->Shutdown(
               std::max(deadline - absl::Now(), absl::ZeroDuration())) &&
           primary;
  }

 private:
  const std::shared_ptr<Transport> primary_;
  const std::shared_ptr<Transport> sidecar_;
};

}  // namespace

std::optional<std::string> SpotlightUrl(const Options& options,
                                        const char* environment) {
  const EnvSetting env = ReadEnvironment(environment);
  const bool on = options.spotlight.has_value()
                      ? *options.spotlight
                      : (!options.spotlight_url.empty() ||
                         env == EnvSetting::kOn || env == EnvSetting::kUrl);
  if (!on) return std::nullopt;
  if (!options.spotlight_url.empty()) return options.spotlight_url;
  if (env == EnvSetting::kUrl) {
    return std::string(absl::StripAsciiWhitespace(environment));
  }
  return std::string(kDefaultSpotlightUrl);
}

bool SetSpotlightTransportFactory(SpotlightFactory factory) {
  absl::MutexLock lock(&g_factory_mu);
  FactoryLocked() = std::move(factory);
  return true;
}

SpotlightFactory SpotlightTransportFactory() {
  absl::MutexLock lock(&g_factory_mu);
  return FactoryLocked();
}

std::shared_ptr<Transport> NewTeeTransport(std::shared_ptr<Transport> primary,
                                           std::shared_ptr<Transport> sidecar) {
  return std::make_shared<TeeTransport>(std::move(primary), std::move(sidecar));
}

}  // namespace sentry::internal
