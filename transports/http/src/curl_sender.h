// CurlSender: the Sender of the HTTP transport, on libcurl's multi interface:
// requests in flight at once up to a limit (connections, or HTTP/2 streams
// on one), keep-alive, TLS peer verification always on.
//
//   internal::CurlSenderOptions options;
//   options.url = dsn.EnvelopeUrl();
//   options.auth_header = "X-Sentry-Auth: " + dsn.AuthHeader(user_agent);
//   absl::StatusOr<std::unique_ptr<internal::Sender>> sender =
//       internal::NewCurlSender(std::move(options));
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_CURL_SENDER_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_CURL_SENDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "transports/http/src/sender.h"

namespace sentry::internal {

struct CurlSenderOptions {
  std::string url;
  // The whole header line: "X-Sentry-Auth: ..."; empty sends none.
  std::string auth_header;
  std::string user_agent;
  std::string ca_certs;  // A PEM file, or "" for the system's.
  std::string proxy;     // "" for libcurl's environment variables.
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(15);
  int max_connections = 4;
};

absl::StatusOr<std::unique_ptr<Sender>> NewCurlSender(
    CurlSenderOptions options);

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_CURL_SENDER_H_
