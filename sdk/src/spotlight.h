// Spotlight (Sentry's local development UI): which sidecar URL, if any, the
// options and SENTRY_SPOTLIGHT ask for, and the transport that sends every
// envelope both to the client's transport and to the sidecar.
//
//   std::optional<std::string> url = internal::SpotlightUrl(options, env);
//   if (url) {
//     auto sidecar = internal::SpotlightTransportFactory()(*url, options);
//     options.transport = internal::NewTeeTransport(options.transport,
//                                                   *sidecar);
//   }
//
// The core sends nothing over HTTP itself: //sdk:sentry registers the
// factory (an HTTP transport aimed at the URL), as it registers the default
// transport. Thread-safe.
#ifndef SENTRY_SDK_SRC_SPOTLIGHT_H_
#define SENTRY_SDK_SRC_SPOTLIGHT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "sentry/options.h"
#include "sentry/transport.h"

namespace sentry::internal {

inline constexpr char kDefaultSpotlightUrl[] = "http://localhost:8969/stream";

// The sidecar URL to send to, or nullopt when Spotlight is off.
// `environment` is SENTRY_SPOTLIGHT's value (nullptr when unset).
std::optional<std::string> SpotlightUrl(const Options& options,
                                        const char* environment);

using SpotlightFactory =
    std::function<absl::StatusOr<std::shared_ptr<Transport>>(
        const std::string& url, const Options& options)>;

// Registers the factory (returns true, for static initializers).
bool SetSpotlightTransportFactory(SpotlightFactory factory);
// The registered factory, or an empty function (//sdk:core alone).
SpotlightFactory SpotlightTransportFactory();

// Hands each envelope to `primary` (may be null: Spotlight without a DSN)
// and a copy to `sidecar`. Only `primary`'s drops reach the client reports:
// what the sidecar loses is not Sentry's data.
std::shared_ptr<Transport> NewTeeTransport(std::shared_ptr<Transport> primary,
                                           std::shared_ptr<Transport> sidecar);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_SPOTLIGHT_H_
