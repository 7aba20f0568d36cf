// The transport sentry::Init makes when Options has neither a transport nor
// a transport_factory but a DSN: none in the core (//sdk:core); the HTTP
// transport once //sdk:sentry is linked, which registers it at start-up.
//
//   // In a translation unit linked with alwayslink:
//   const bool registered =
//       internal::SetDefaultTransportFactory(&NewHttpTransportForOptions);
//
// Thread-safe.
#ifndef SENTRY_SDK_SRC_DEFAULT_TRANSPORT_H_
#define SENTRY_SDK_SRC_DEFAULT_TRANSPORT_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "sentry/options.h"
#include "sentry/transport.h"

namespace sentry::internal {

using TransportFactory =
    std::function<absl::StatusOr<std::shared_ptr<Transport>>(const Options&)>;

// Replaces the default factory; returns true (for static initializers).
bool SetDefaultTransportFactory(TransportFactory factory);

// The registered default factory, or an empty function.
TransportFactory DefaultTransportFactory();

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_DEFAULT_TRANSPORT_H_
