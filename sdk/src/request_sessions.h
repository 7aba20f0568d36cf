// Request-mode release health (Options::SessionMode::kRequest): one call
// per finished request, aggregated by the client and sent every minute. For
// the HTTP-server integration; not part of the public API.
//
//   internal::RecordRequestSession(*hub->client(), started,
//                                  /*errored=*/status >= 500,
//                                  /*crashed=*/false);
#ifndef SENTRY_SDK_SRC_REQUEST_SESSIONS_H_
#define SENTRY_SDK_SRC_REQUEST_SESSIONS_H_

#include "absl/time/time.h"

namespace sentry {
class Client;

namespace internal {

// Counted only when the client's Options::session_mode is kRequest (and
// sessions are on); implemented in client.cc.
void RecordRequestSession(Client& client, absl::Time started, bool errored,
                          bool crashed);

}  // namespace internal
}  // namespace sentry

#endif  // SENTRY_SDK_SRC_REQUEST_SESSIONS_H_
