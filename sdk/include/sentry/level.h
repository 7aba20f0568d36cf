// sentry::Level: the severity of an event or breadcrumb.
//
//   sentry::CaptureMessage("disk almost full", sentry::Level::kWarning);
//   event.set_level(std::string(sentry::LevelName(sentry::Level::kError)));
#ifndef SENTRY_LEVEL_H_
#define SENTRY_LEVEL_H_

#include "absl/strings/string_view.h"

namespace sentry {

enum class Level { kDebug, kInfo, kWarning, kError, kFatal };

// The wire name: "debug", "info", "warning", "error" or "fatal".
absl::string_view LevelName(Level level);

}  // namespace sentry

#endif  // SENTRY_LEVEL_H_
