// sentry::testing::FaultInjectingTransport: wraps a transport and fails the
// way a network does, on demand, so a test can check what its code and the
// SDK do then (what is dropped, what the client reports count, whether the
// program keeps running).
//
//   auto received = std::make_shared<sentry::testing::TestTransport>();
//   auto network =
//       std::make_shared<sentry::testing::FaultInjectingTransport>(received);
//   options.transport = network;
//   ...
//   network->Fail();       // envelopes are lost: network_error
//   network->RateLimit();  // the server refuses them: ratelimit_backoff
//   network->Stall();      // SendEnvelope blocks, as on a dead connection
//   network->Heal();       // envelopes reach `received` again
//
// Drops are recorded in the client reports the client hands the transport,
// item by item, as the HTTP transport records them. Thread-safe.
#ifndef SENTRY_TESTING_FAULT_INJECTING_TRANSPORT_H_
#define SENTRY_TESTING_FAULT_INJECTING_TRANSPORT_H_

#include <cstddef>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/transport.h"

namespace sentry::testing {

class FaultInjectingTransport : public Transport {
 public:
  explicit FaultInjectingTransport(std::shared_ptr<Transport> inner);

  void Start(std::shared_ptr<ClientReports> reports) noexcept override;
  void SendEnvelope(Envelope envelope) noexcept override;
  bool Backlogged() const noexcept override { return inner_->Backlogged(); }
  bool Flush(absl::Duration timeout) noexcept override;
  // Releases stalled sends first: a test's shutdown never hangs.
  bool Shutdown(absl::Duration timeout) noexcept override;

  // From now on every envelope is lost (network_error).
  void Fail();
  // From now on every envelope is refused (ratelimit_backoff).
  void RateLimit();
  // From now on SendEnvelope blocks until Heal (or Shutdown); the envelope
  // then goes through.
  void Stall();
  // Back to delivering everything to the inner transport.
  void Heal();

  // Waits until `n` calls are blocked in a stalled SendEnvelope.
  bool WaitForStalledSends(size_t n, absl::Duration timeout) const;
  // Envelopes dropped by Fail and RateLimit so far.
  size_t dropped_envelopes() const;

 private:
  enum class Fault { kNone, kFail, kRateLimit, kStall };

  const std::shared_ptr<Transport> inner_;
  mutable absl::Mutex mu_;
  Fault fault_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  size_t stalled_ ABSL_GUARDED_BY(mu_) = 0;
  size_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<ClientReports> reports_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry::testing

#endif  // SENTRY_TESTING_FAULT_INJECTING_TRANSPORT_H_
