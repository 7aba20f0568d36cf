#include "sentry/testing/fault_injecting_transport.h"

#include <utility>

#include "sentry/client_reports.h"

namespace sentry::testing {

FaultInjectingTransport::FaultInjectingTransport(
    std::shared_ptr<Transport> inner)
    : inner_(std::move(inner)) {}

void FaultInjectingTransport::Start(
    std::shared_ptr<ClientReports> reports) noexcept {
  {
    absl::MutexLock lock(&mu_);
    reports_ = reports;
  }
  inner_->Start(std::move(reports));
}

void FaultInjectingTransport::SendEnvelope(Envelope envelope) noexcept {
  Fault fault;
  std::shared_ptr<ClientReports> reports;
  {
    absl::MutexLock lock(&mu_);
    if (fault_ == Fault::kStall) {
      ++stalled_;
      mu_.Await(absl::Condition(
          +[](Fault* f) { return *f != Fault::kStall; }, &fault_));
      --stalled_;
    }
    fault = fault_;
    if (fault == Fault::kFail || fault == Fault::kRateLimit) ++dropped_;
    reports = reports_;
  }
  if (fault == Fault::kFail || fault == Fault::kRateLimit) {
    if (reports != nullptr) {
      reports->RecordEnvelope(fault == Fault::kFail
                                  ? DiscardReason::kNetworkError
                                  : DiscardReason::kRatelimitBackoff,
                              envelope);
    }
    return;
  }
  inner_->SendEnvelope(std::move(envelope));
}

bool FaultInjectingTransport::Flush(absl::Duration timeout) noexcept {
  return inner_->Flush(timeout);
}

bool FaultInjectingTransport::Shutdown(absl::Duration timeout) noexcept {
  {
    absl::MutexLock lock(&mu_);
    if (fault_ == Fault::kStall) fault_ = Fault::kNone;
  }
  return inner_->Shutdown(timeout);
}

void FaultInjectingTransport::Fail() {
  absl::MutexLock lock(&mu_);
  fault_ = Fault::kFail;
}

void FaultInjectingTransport::RateLimit() {
  absl::MutexLock lock(&mu_);
  fault_ = Fault::kRateLimit;
}

void FaultInjectingTransport::Stall() {
  absl::MutexLock lock(&mu_);
  fault_ = Fault::kStall;
}

void FaultInjectingTransport::Heal() {
  absl::MutexLock lock(&mu_);
  fault_ = Fault::kNone;
}

bool FaultInjectingTransport::WaitForStalledSends(
    size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  struct Wanted {
    const size_t* stalled;
    size_t n;
  } wanted{&stalled_, n};
  return mu_.AwaitWithTimeout(
      absl::Condition(
          +[](Wanted* w) { return *w->stalled >= w->n; }, &wanted),
      timeout);
}

size_t FaultInjectingTransport::dropped_envelopes() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

}  // namespace sentry::testing
