// Sender: what the HTTP transport's delivery worker needs of the network.
// It starts requests (several may be in flight), reports each one's outcome,
// and lets the worker sleep until something happens. The worker owns the
// rules (queue, rate limits, backoff, spool, client reports); a sender only
// moves bytes. CurlSender is the real one; tests use a FakeSender
// (transports/http/testing/fake_sender.h) that fails, stalls and answers on
// demand.
//
//   sender->Start(id, body, /*gzipped=*/true);    // body outlives the request
//   std::vector<internal::SendResult> done;
//   sender->Poll(&done);                           // never blocks
//   if (done.empty()) sender->Wait(absl::Seconds(1));
//
// Start, Poll, Wait and Cancel are called from one thread (the worker's);
// Wake from any.
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_SENDER_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_SENDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sentry::internal {

// What became of one request: a response (status > 0) or a network error.
struct SendResult {
  uint64_t id = 0;
  int status = 0;  // The HTTP status; 0 when no response arrived.
  // For network errors: a later attempt may succeed (a dropped connection, a
  // timeout, a name that did not resolve), unlike, say, a certificate that
  // does not verify.
  bool transient = false;
  std::string error;        // For network errors: what went wrong.
  std::string rate_limits;  // The X-Sentry-Rate-Limits header, if any.
  std::string retry_after;  // The Retry-After header, if any.
  std::string body;         // The start of the response body (for logs).
};

class Sender {
 public:
  virtual ~Sender() = default;

  // Starts POSTing `body` (with Content-Encoding: gzip when `gzipped`).
  // `body` must stay valid until the request's result has been returned by
  // Poll or it has been cancelled. False if the request could not start.
  virtual bool Start(uint64_t id, absl::string_view body, bool gzipped) = 0;
  // Moves the requests along without blocking, and appends the results of
  // those that finished to `finished`.
  virtual void Poll(std::vector<SendResult>* finished) = 0;
  // Blocks until a request may have progressed, Wake is called, or
  // `timeout` passes.
  virtual void Wait(absl::Duration timeout) = 0;
  // Makes a Wait in progress (or the next one) return. Thread-safe.
  virtual void Wake() = 0;
  // Abandons a request in flight; its result never comes.
  virtual void Cancel(uint64_t id) = 0;
  // Where requests go, for logs.
  virtual const std::string& endpoint() const = 0;
};

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_SENDER_H_
