// sentry::Transport: where envelopes go. The SDK hands every envelope to one
// transport; implementations send it over HTTP, write it to a file or
// stream, or keep it for tests.
//
//   class MyTransport : public sentry::Transport {
//    public:
//     void SendEnvelope(sentry::Envelope envelope) noexcept override {
//       queue_.Push(std::move(envelope));  // never block the caller
//     }
//   };
//   options.transport = std::make_shared<MyTransport>();
//
// Thread-safety: every method may be called from any thread, concurrently.
// SendEnvelope must not block on I/O for long; it runs on the SDK's worker
// thread, never on the thread that captured the event. No method may throw.
#ifndef SENTRY_TRANSPORT_H_
#define SENTRY_TRANSPORT_H_

#include <memory>

#include "absl/time/time.h"
#include "sentry/client_reports.h"
#include "sentry/envelope.h"

namespace sentry {

class Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;

  // Called once by the client that uses this transport, before any envelope:
  // the transport records what it drops there (for client reports).
  virtual void Start(std::shared_ptr<ClientReports> reports) noexcept {
    (void)reports;
  }

  // Takes ownership of an envelope to deliver. The transport writes
  // "sent_at" itself, at the moment it sends.
  virtual void SendEnvelope(Envelope envelope) noexcept = 0;

  // True while the transport has enough envelopes waiting that another one
  // would only wait behind them. The SDK's worker then keeps the captures it
  // has not rendered yet (its own queue, bounded by Options::max_queue_size,
  // holds them compactly, sharing their scopes) and renders them once this
  // is false again: a burst larger than the network can take is held as
  // captures, not as envelopes. At the shutdown timeout the worker no
  // longer waits: SendEnvelope gets the rest, to keep (a spool) or drop.
  // Called often, from the worker: keep it to an atomic load. The default
  // never holds the worker back.
  virtual bool Backlogged() const noexcept { return false; }

  // Blocks until everything handed over so far is delivered (or definitively
  // dropped), or `timeout` passes. True when everything was delivered.
  virtual bool Flush(absl::Duration timeout) noexcept {
    (void)timeout;
    return true;
  }

  // Flushes, then stops accepting envelopes.
  virtual bool Shutdown(absl::Duration timeout) noexcept {
    return Flush(timeout);
  }
};

}  // namespace sentry

#endif  // SENTRY_TRANSPORT_H_
