// Makes the HTTP transport sentry::Init's default (//sdk:sentry links this
// file with alwayslink, so the registration runs at start-up).
#include "sdk/src/default_transport.h"
#include "sentry/transports/http_transport.h"

namespace sentry {
namespace {

[[maybe_unused]] const bool kRegistered =
    internal::SetDefaultTransportFactory(&NewHttpTransportForOptions);

}  // namespace
}  // namespace sentry
