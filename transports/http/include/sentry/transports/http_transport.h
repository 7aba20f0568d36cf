// The HTTP transport: sends envelopes to Sentry or Relay
// (POST {scheme}://{host}{path}/api/{project}/envelope/) over libcurl, from a
// background thread, with the delivery rules of PROTOCOL.md sections 1.3 and
// 5: rate limits honoured per category, drops counted in client reports, and
// envelopes that could not be delivered kept in an offline spool.
//
//   sentry::HttpTransportOptions http;
//   http.dsn = "https://key@o1.ingest.sentry.io/42";
//   http.cache_dir = "/var/cache/my-app/sentry";   // optional offline spool
//   auto transport = sentry::NewHttpTransport(std::move(http));
//   if (!transport.ok()) std::cerr << transport.status();  // names the problem
//   options.transport = *transport;
//
// sentry::Init builds one from sentry::Options when a DSN is set and no
// transport is given, so most programs never call this directly.
//
// SendEnvelope only enqueues (bounded by count and bytes: beyond either the
// newest envelope is dropped and counted as queue_overflow). Thread-safe.
#ifndef SENTRY_TRANSPORTS_HTTP_TRANSPORT_H_
#define SENTRY_TRANSPORTS_HTTP_TRANSPORT_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sentry/options.h"
#include "sentry/transport.h"

namespace sentry {

struct HttpTransportOptions {
  // Where to send (see sentry::Dsn). Required unless `url` is set.
  std::string dsn;
  // Sends to this URL instead of the DSN's envelope endpoint, without
  // X-Sentry-Auth: a Spotlight sidecar (http://localhost:8969/stream).
  std::string url;
  // Sent as User-Agent and in X-Sentry-Auth; defaults to the SDK's name.
  std::string user_agent;

  // A PEM file of CA certificates to trust instead of the system's. TLS peer
  // verification is always on.
  std::string ca_certs;
  // Proxies; when empty, libcurl's environment variables apply (http_proxy,
  // https_proxy, no_proxy, ...).
  std::string http_proxy;
  std::string https_proxy;

  // gzip request bodies when that saves at least 64 bytes (about 4x on event
  // JSON, for roughly 20 us of the worker's CPU per envelope).
  bool compress = true;

  absl::Duration connect_timeout = absl::Seconds(5);
  // Whole request, connect included.
  absl::Duration request_timeout = absl::Seconds(15);
  // Requests in flight at once (connections, or HTTP/2 streams).
  int max_requests_in_flight = 4;

  // Queue bounds: envelopes waiting to be sent.
  size_t max_queue_envelopes = 1000;
  size_t max_queue_bytes = 16 << 20;

  // Offline spool. When set, envelopes that the network keeps failing, or
  // that are still queued when Shutdown times out, are written there, and
  // sent (oldest first) by the next transport that uses the directory. The
  // default bounds hold a minute of 100 events/s.
  std::string cache_dir;
  size_t max_cache_files = 10000;
  size_t max_cache_bytes = 64 << 20;
  absl::Duration max_cache_age = absl::Hours(24 * 7);
  // After a network error the transport backs off (doubling up to the
  // maximum) and retries the envelope in memory: 3 attempts each. After 3
  // failures in a row the network counts as down, and what is queued goes
  // to the spool (without one: counted as network_error and dropped).
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
};

// Checks the options (DSN, CA file, cache directory) and starts the
// transport's thread. Errors name the problem; nothing is started then.
absl::StatusOr<std::shared_ptr<Transport>> NewHttpTransport(
    HttpTransportOptions options);

// The HTTP transport configured from sentry::Options (its DSN, proxies, CA
// file, queue and spool settings): the default of sentry::Init when
// //sdk:sentry is linked. A cache directory that cannot be used is logged
// and the transport runs without a spool.
absl::StatusOr<std::shared_ptr<Transport>> NewHttpTransportForOptions(
    const Options& options);

}  // namespace sentry

#endif  // SENTRY_TRANSPORTS_HTTP_TRANSPORT_H_
