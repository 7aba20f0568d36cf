// Makes the HTTP transport sentry::Init's default, and the transport to a
// Spotlight sidecar (//sdk:sentry links this file with alwayslink, so the
// registrations run at start-up).
#include <memory>
#include <string>
#include <utility>

#include "sdk/src/default_transport.h"
#include "sdk/src/spotlight.h"
#include "sentry/transports/http_transport.h"

namespace sentry {
namespace {

absl::StatusOr<std::shared_ptr<Transport>> NewSpotlightTransport(
    const std::string& url, const Options& options) {
  HttpTransportOptions http;
  http.url = url;
  http.http_proxy = options.http_proxy;
  http.https_proxy = options.https_proxy;
  http.compress = options.compress_envelopes;
  // A local sidecar: a short wait, and nothing kept for later.
  http.connect_timeout = absl::Seconds(1);
  http.request_timeout = absl::Seconds(5);
  http.max_queue_envelopes = options.max_transport_queue;
  http.max_queue_bytes = options.max_transport_queue_bytes;
  return NewHttpTransport(std::move(http));
}

[[maybe_unused]] const bool kRegistered =
    internal::SetDefaultTransportFactory(&NewHttpTransportForOptions);
[[maybe_unused]] const bool kSpotlightRegistered =
    internal::SetSpotlightTransportFactory(&NewSpotlightTransport);

}  // namespace
}  // namespace sentry
