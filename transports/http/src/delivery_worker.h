// The HTTP transport's delivery worker: everything about delivering
// envelopes except the network itself, which is a Sender's. It holds the
// queue (bounded by count and bytes), sends up to a number of requests at
// once on its own thread, honours rate limits per category, backs off after
// network errors (retrying in memory first, then moving what is queued to
// the offline spool while the network stays down), replays the spool,
// counts every drop for client reports, and answers Flush and Shutdown.
//
//   internal::DeliveryOptions options;
//   std::shared_ptr<Transport> transport = internal::NewDeliveryWorker(
//       options, std::move(sender), std::move(spool));  // spool may be null
//   transport->SendEnvelope(std::move(envelope));  // queues, never blocks
//
// sentry::NewHttpTransport wires one to a CurlSender; the tests wire one to
// a FakeSender.
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_DELIVERY_WORKER_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_DELIVERY_WORKER_H_

#include <cstddef>
#include <memory>

#include "absl/time/time.h"
#include "sentry/transport.h"
#include "transports/http/src/sender.h"
#include "transports/http/src/spool.h"

namespace sentry::internal {

// See HttpTransportOptions for what each means; checked by NewHttpTransport.
struct DeliveryOptions {
  bool compress = true;
  int max_requests_in_flight = 4;
  size_t max_queue_envelopes = 1000;
  size_t max_queue_bytes = 16 << 20;
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
};

// `spool` may be null (no offline spool). The worker thread starts with
// Transport::Start or the first envelope.
std::shared_ptr<Transport> NewDeliveryWorker(DeliveryOptions options,
                                             std::unique_ptr<Sender> sender,
                                             std::unique_ptr<Spool> spool);

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_DELIVERY_WORKER_H_
