#include "sdk/src/log.h"

#include <atomic>
#include <cstdio>

namespace sentry::internal {
namespace {
std::atomic<bool> debug_logging{false};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}
}  // namespace

void SetDebugLogging(bool enabled) {
  debug_logging.store(enabled, std::memory_order_relaxed);
}

bool DebugLoggingEnabled() {
  return debug_logging.load(std::memory_order_relaxed);
}

void LogLine(LogLevel level, absl::string_view message) {
  std::string line =
      absl::StrCat("[sentry] ", LevelName(level), ": ", message, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sentry::internal
