// The SDK's debug log: lines on stderr when Options::debug is set.
//
//   internal::Log(LogLevel::kWarning, "file transport: ", status.ToString());
//
// Thread-safe; each call writes one whole line.
#ifndef SENTRY_SDK_SRC_LOG_H_
#define SENTRY_SDK_SRC_LOG_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sentry::internal {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Turns the debug log on or off for the process (Init does this).
void SetDebugLogging(bool enabled);
bool DebugLoggingEnabled();

void LogLine(LogLevel level, absl::string_view message);

template <typename... Args>
void Log(LogLevel level, const Args&... args) {
  if (DebugLoggingEnabled()) LogLine(level, absl::StrCat(args...));
}

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_LOG_H_
