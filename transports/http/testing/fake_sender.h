// FakeSender: a Sender for testing the HTTP transport's delivery rules
// without a network. It records every request (the envelope bytes, gunzipped
// when the body was gzip) and answers each as the test's script says: at
// once with any status and headers, with a network error, or not at all
// (stalled) until the test answers it.
//
//   auto owned = std::make_unique<testing::FakeSender>();
//   testing::FakeSender* network = owned.get();  // valid while the transport
//   is network->SetScript([](const testing::FakeSender::Request& r) {
//     return r.index == 0 ?
//     testing::FakeSender::NetworkError(/*transient=*/true)
//                         : testing::FakeSender::Status(200);
//   });
//   auto transport = internal::NewDeliveryWorker(options, std::move(owned),
//                                                nullptr);
//   ...
//   ASSERT_TRUE(network->WaitForRequests(2, absl::Seconds(10)));
//
// Thread-safe: the worker drives it, the test controls and inspects it.
#ifndef SENTRY_TRANSPORTS_HTTP_TESTING_FAKE_SENDER_H_
#define SENTRY_TRANSPORTS_HTTP_TESTING_FAKE_SENDER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "transports/http/src/sender.h"

namespace sentry::testing {

class FakeSender final : public internal::Sender {
 public:
  struct Request {
    size_t index = 0;  // 0 for the first request started, 1 for the next...
    uint64_t id = 0;
    std::string envelope;  // The body's bytes, gunzipped if it was gzip.
    bool gzipped = false;
    bool answered = false;
    bool cancelled = false;
  };
  // The answer to a request as it starts, or nullopt to stall it.
  using Script =
      std::function<std::optional<internal::SendResult>(const Request&)>;

  // Answers every request with 200 until told otherwise.
  FakeSender();

  static internal::SendResult Status(int status, std::string rate_limits = "",
                                     std::string retry_after = "");
  static internal::SendResult NetworkError(bool transient);

  void SetScript(Script script);
  // Start fails (the request cannot begin) while this is set.
  void FailStarts(bool fail);
  // Answers the stalled request number `index`. False if it is not stalled.
  bool Answer(size_t index, internal::SendResult result);
  // Waits until at least `n` requests have started.
  bool WaitForRequests(size_t n, absl::Duration timeout);
  std::vector<Request> requests() const;
  // Requests started whose result the worker has not taken (Poll) and that
  // it has not cancelled.
  size_t in_flight() const;
  // The most requests ever in flight at once.
  size_t peak_in_flight() const;

  // internal::Sender:
  bool Start(uint64_t id, absl::string_view body, bool gzipped) override;
  void Poll(std::vector<internal::SendResult>* finished) override;
  void Wait(absl::Duration timeout) override;
  void Wake() override;
  void Cancel(uint64_t id) override;
  const std::string& endpoint() const override { return endpoint_; }

 private:
  const std::string endpoint_ = "fake://sentry/api/1/envelope/";
  mutable absl::Mutex mu_;
  Script script_ ABSL_GUARDED_BY(mu_);
  bool fail_starts_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<internal::SendResult> ready_ ABSL_GUARDED_BY(mu_);
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  size_t peak_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sentry::testing

#endif  // SENTRY_TRANSPORTS_HTTP_TESTING_FAKE_SENDER_H_
