// Runs a user callback that returns "keep" (true) or "drop" (false), turning
// any exception into "drop" plus a log line: user code never throws into the
// SDK, and the SDK never throws into the host.
//
//   if (!internal::CallUserCallback("before_send", [&] {
//         return options.before_send(event);
//       })) { /* dropped */ }
#ifndef SENTRY_SDK_SRC_USER_CALLBACK_H_
#define SENTRY_SDK_SRC_USER_CALLBACK_H_

#include <exception>

#include "absl/strings/string_view.h"
#include "sdk/src/log.h"

namespace sentry::internal {

template <typename F>
bool CallUserCallback(absl::string_view what, F&& callback) noexcept {
  try {
    return callback();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, what, " threw ", e.what(), ": dropped");
  } catch (...) {
    Log(LogLevel::kError, what, " threw: dropped");
  }
  return false;
}

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_USER_CALLBACK_H_
