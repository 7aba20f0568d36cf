#include "sentry/integrations/spdlog.h"

#include <algorithm>
#include <string>

#include "absl/strings/string_view.h"
#include "sentry/sentry.h"

namespace sentry::integrations {
namespace {

LogLevel ToLogLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
      return LogLevel::kError;
    default:
      return LogLevel::kFatal;
  }
}

Level ToLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return Level::kDebug;
    case spdlog::level::info:
      return Level::kInfo;
    case spdlog::level::warn:
      return Level::kWarning;
    case spdlog::level::err:
      return Level::kError;
    default:
      return Level::kFatal;
  }
}

bool AtLeast(spdlog::level::level_enum level,
             spdlog::level::level_enum threshold) {
  return threshold != spdlog::level::off && level >= threshold;
}

}  // namespace

SpdlogSink::SpdlogSink(Options options) : options_(options) {
  // spdlog hands the sink only what one of its outputs wants.
  set_level(std::min({options_.logs, options_.breadcrumbs, options_.events}));
}

void SpdlogSink::log(const spdlog::details::log_msg& msg) {
  const absl::string_view text(msg.payload.data(), msg.payload.size());
  if (AtLeast(msg.level, options_.logs) && logger::Enabled()) {
    LogAttributes attributes{
        {"sentry.origin", "auto.log.spdlog"},
        {"logger.name",
         absl::string_view(msg.logger_name.data(), msg.logger_name.size())}};
    if (!msg.source.empty()) {
      attributes.emplace_back("code.file.path", msg.source.filename);
      attributes.emplace_back("code.line.number", msg.source.line);
    }
    logger::Emit(ToLogLevel(msg.level), attributes, text);
  }
  // A record is an event or, below that level, a breadcrumb of later ones.
  if (AtLeast(msg.level, options_.events)) {
    CaptureMessage(text, ToLevel(msg.level));
  } else if (AtLeast(msg.level, options_.breadcrumbs)) {
    AddBreadcrumb(
        text, absl::string_view(msg.logger_name.data(), msg.logger_name.size()),
        ToLevel(msg.level));
  }
}

}  // namespace sentry::integrations
