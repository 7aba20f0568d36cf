#include "sentry/transports/stdout_transport.h"

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace sentry {
namespace {

class StdoutTransport final : public Transport {
 public:
  explicit StdoutTransport(std::ostream& out) : out_(out) {}

  void Start(std::shared_ptr<ClientReports> reports) noexcept override {
    absl::MutexLock lock(&mu_);
    reports_ = std::move(reports);
  }

  void SendEnvelope(Envelope envelope) noexcept override {
    std::string bytes;
    try {
      bytes = envelope.Serialize(absl::Now());
    } catch (...) {  // std::bad_alloc
      return Dropped(envelope);
    }
    absl::MutexLock lock(&mu_);
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out_.flush();
    if (!out_) {
      out_.clear();
      DroppedLocked(envelope);
    }
  }

 private:
  void Dropped(const Envelope& envelope) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    DroppedLocked(envelope);
  }
  void DroppedLocked(const Envelope& envelope)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reports_ != nullptr) {
      reports_->RecordEnvelope(DiscardReason::kSendError, envelope);
    }
  }

  absl::Mutex mu_;
  std::ostream& out_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<ClientReports> reports_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::shared_ptr<Transport> NewStdoutTransport(std::ostream& out) {
  return std::make_shared<StdoutTransport>(out);
}

}  // namespace sentry
