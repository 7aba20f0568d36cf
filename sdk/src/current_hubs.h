// The threads' current hubs, as sentry::Init resets them (implemented in
// hub.cc, which owns them).
//
//   internal::ResetCurrentHubs();  // after Hub::Main() got its new client
#ifndef SENTRY_SDK_SRC_CURRENT_HUBS_H_
#define SENTRY_SDK_SRC_CURRENT_HUBS_H_

namespace sentry::internal {

// Starts a new generation (every thread's implicit hub is forked again from
// the main hub) and makes the main hub current on the calling thread.
void ResetCurrentHubs();

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_CURRENT_HUBS_H_
