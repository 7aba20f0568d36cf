// Wires the HTTP transport: checks its options, then joins a CurlSender (the
// network) to a DeliveryWorker (the delivery rules) and the offline spool.
#include "sentry/transports/http_transport.h"

#include <unistd.h>

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sdk/src/log.h"
#include "sentry/dsn.h"
#include "sentry/version.h"
#include "transports/http/src/curl_sender.h"
#include "transports/http/src/delivery_worker.h"
#include "transports/http/src/spool.h"

namespace sentry {
namespace {

absl::Status Check(const HttpTransportOptions& options) {
  if (!options.ca_certs.empty() &&
      ::access(options.ca_certs.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http transport: cannot read ca_certs file ", options.ca_certs));
  }
  if (options.max_requests_in_flight < 1) {
    return absl::InvalidArgumentError(
        "http transport: max_requests_in_flight must be >= 1");
  }
  if (options.max_queue_envelopes == 0 || options.max_queue_bytes == 0) {
    return absl::InvalidArgumentError(
        "http transport: queue bounds must be > 0");
  }
  if (options.connect_timeout <= absl::ZeroDuration() ||
      options.request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "http transport: timeouts must be positive");
  }
  if (options.initial_backoff <= absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff) {
    return absl::InvalidArgumentError(
        "http transport: backoff must be positive, initial <= max");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<Transport>> NewHttpTransport(
    HttpTransportOptions options) {
  std::optional<Dsn> dsn;
  if (options.url.empty()) {
    auto parsed = Dsn::Parse(options.dsn);
    if (!parsed.ok()) return parsed.status();
    dsn = *std::move(parsed);
  } else if (!absl::StartsWith(options.url, "http://") &&
             !absl::StartsWith(options.url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http transport: url must start with http:// or https://, got \"",
        options.url, "\""));
  }
  if (absl::Status status = Check(options); !status.ok()) return status;
  if (options.user_agent.empty()) {
    options.user_agent = absl::StrCat(kSdkName, "/", kSdkVersion);
  }
  std::unique_ptr<internal::Spool> spool;
  if (!options.cache_dir.empty()) {
    auto opened =
        internal::Spool::Open(options.cache_dir,
                              {options.max_cache_files, options.max_cache_bytes,
                               options.max_cache_age},
                              nullptr);
    if (!opened.ok()) return opened.status();
    spool = *std::move(opened);
  }

  internal::CurlSenderOptions curl;
  curl.url = dsn ? dsn->EnvelopeUrl() : options.url;
  if (dsn) {
    curl.auth_header =
        absl::StrCat("X-Sentry-Auth: ", dsn->AuthHeader(options.user_agent));
  }
  curl.user_agent = options.user_agent;
  curl.ca_certs = options.ca_certs;
  const bool secure =
      dsn ? dsn->secure() : absl::StartsWith(options.url, "https://");
  curl.proxy = secure ? options.https_proxy : options.http_proxy;
  curl.connect_timeout = options.connect_timeout;
  curl.request_timeout = options.request_timeout;
  curl.max_connections = options.max_requests_in_flight;
  auto sender = internal::NewCurlSender(std::move(curl));
  if (!sender.ok()) return sender.status();

  internal::DeliveryOptions delivery;
  delivery.compress = options.compress;
  delivery.max_requests_in_flight = options.max_requests_in_flight;
  delivery.max_queue_envelopes = options.max_queue_envelopes;
  delivery.max_queue_bytes = options.max_queue_bytes;
  delivery.initial_backoff = options.initial_backoff;
  delivery.max_backoff = options.max_backoff;
  return internal::NewDeliveryWorker(delivery, *std::move(sender),
                                     std::move(spool));
}

absl::StatusOr<std::shared_ptr<Transport>> NewHttpTransportForOptions(
    const Options& options) {
  HttpTransportOptions http;
  http.dsn = options.dsn;
  http.ca_certs = options.ca_certs;
  http.http_proxy = options.http_proxy;
  http.https_proxy = options.https_proxy;
  http.compress = options.compress_envelopes;
  http.max_queue_envelopes = options.max_transport_queue;
  http.max_queue_bytes = options.max_transport_queue_bytes;
  http.cache_dir = options.cache_dir;
  http.max_cache_files = options.max_cache_files;
  auto transport = NewHttpTransport(http);
  if (!transport.ok() && !http.cache_dir.empty()) {
    // If the cache directory was the problem, run without a spool; any
    // other problem fails again and is reported.
    http.cache_dir.clear();
    auto without_spool = NewHttpTransport(std::move(http));
    if (without_spool.ok()) {
      internal::Log(internal::LogLevel::kError,
                    "offline spool disabled: ", transport.status().ToString());
    }
    return without_spool;
  }
  return transport;
}

}  // namespace sentry
