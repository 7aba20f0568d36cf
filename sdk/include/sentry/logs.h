// Structured logs: sentry::logger::Trace / Debug / Info / Warn / Error /
// Fatal send a log line to Sentry's Logs, linked to the current trace (and
// span, when one is active on the scope).
//
//   sentry::logger::Info("order $0 paid by $1", order_id, customer);
//   sentry::logger::Warn({{"queue", "billing"}, {"depth", 1200}},
//                        "queue $0 is behind", queue_name);
//
// Attributes written in braces at the call are borrowed for the call (the
// cheapest form); a sentry::LogAttributes built beforehand works too.
//
// The template uses absl::Substitute's syntax: `$0` .. `$9` are the
// arguments, `$$` is a dollar sign. It is sent as `sentry.message.template`,
// each argument as `sentry.message.parameter.N` (typed), and the text as
// the log's body. Without arguments the text is the body as written. Arguments
// are strings, booleans, integers or floating point numbers; any other type
// does not compile.
//
// The calling thread only copies the call into a buffer (no formatting, no
// JSON, no I/O, no lock shared by all threads); the SDK formats, runs
// Options::before_send_log and sends logs in batches on its own thread
// (every 100 logs or 5 seconds, and on Flush). Attributes set on the scope
// (Scope::SetAttribute) apply to every log captured under it; the call's own
// win over them. With Options::enable_logs off, or no SDK, a call does
// nothing.
#ifndef SENTRY_LOGS_H_
#define SENTRY_LOGS_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sentry/attributes.h"

namespace sentry {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kFatal };

// "trace", "debug", "info", "warn", "error", "fatal".
absl::string_view LogLevelName(LogLevel level);

// A log as Options::before_send_log sees it (and may change).
struct Log {
  absl::Time timestamp;
  LogLevel level = LogLevel::kInfo;
  std::string body;
  std::string trace_id;
  std::string span_id;  // Empty: no span was active.
  // Every attribute sent: the defaults (sentry.environment, sentry.release,
  // sentry.sdk.name, ...), the template and its parameters, the scopes'
  // and the call's.
  std::map<std::string, AttributeValue> attributes;
};

namespace internal {

// One argument of a log call, borrowed for the call's duration.
struct LogArg {
  LogArg(const char* v) : string(v != nullptr ? v : "") {}
  LogArg(absl::string_view v) : string(v) {}
  LogArg(const std::string& v) : string(v) {}
  LogArg(bool v) : type(AttributeValue::Type::kBool), boolean(v) {}
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T> &&
                                                    !std::is_same_v<T, bool>>>
  LogArg(T v)
      : type(AttributeValue::Type::kInt64),
        is_unsigned(std::is_unsigned_v<T>),
        integer(static_cast<int64_t>(v)) {}
  LogArg(double v) : type(AttributeValue::Type::kDouble), floating(v) {}
  LogArg(float v) : LogArg(static_cast<double>(v)) {}

  void AssignTo(AttributeValue& value) const;

  AttributeValue::Type type = AttributeValue::Type::kString;
  absl::string_view string;
  bool boolean = false;
  // An unsigned value's bits are kept as they are; AttributeValue's
  // SetInteger decides how a large one is sent.
  bool is_unsigned = false;
  int64_t integer = 0;
  double floating = 0;
};

// One attribute of a log call written in braces at the call
// ({"queue", "billing"}), borrowed for the call's duration: nothing is
// allocated to pass it.
struct LogAttributeArg {
  template <typename V>
  LogAttributeArg(absl::string_view k, const V& v) : key(k), value(v) {}
  absl::string_view key;
  LogArg value;
};

// (sentry::LogLevel: this namespace has the SDK's own debug-log levels.)
// The call's attributes are `attributes` (may be null) or `borrowed`.
void CaptureLog(sentry::LogLevel level, const LogAttributes* attributes,
                absl::Span<const LogAttributeArg> borrowed,
                absl::string_view message_template,
                absl::Span<const LogArg> args);

template <typename... Args>
void EmitLog(sentry::LogLevel level, const LogAttributes* attributes,
             absl::Span<const LogAttributeArg> borrowed,
             absl::string_view message_template, const Args&... args) {
  const std::array<LogArg, sizeof...(Args)> refs = {LogArg(args)...};
  CaptureLog(level, attributes, borrowed, message_template, refs);
}

// Attributes in braces at the call.
using LogAttributeArgs = std::initializer_list<LogAttributeArg>;

}  // namespace internal

namespace logger {

// Whether a log call on this thread now would be recorded (an SDK with
// Options::enable_logs on): lets integrations skip building attributes.
bool Enabled();

// Each level has three forms: without attributes, with attributes in
// braces at the call (borrowed: nothing is allocated to pass them), and
// with a LogAttributes built beforehand.
#define SENTRY_INTERNAL_LOG_FUNCTION(Name, Level)                         \
  template <typename... Args>                                             \
  void Name(absl::string_view message_template, const Args&... args) {    \
    internal::EmitLog(Level, nullptr, {}, message_template, args...);     \
  }                                                                       \
  template <typename... Args>                                             \
  void Name(internal::LogAttributeArgs attributes,                        \
            absl::string_view message_template, const Args&... args) {    \
    internal::EmitLog(                                                    \
        Level, nullptr,                                                   \
        absl::MakeConstSpan(attributes.begin(), attributes.size()),       \
        message_template, args...);                                       \
  }                                                                       \
  template <typename... Args>                                             \
  void Name(const LogAttributes& attributes,                              \
            absl::string_view message_template, const Args&... args) {    \
    internal::EmitLog(Level, &attributes, {}, message_template, args...); \
  }

SENTRY_INTERNAL_LOG_FUNCTION(Trace, LogLevel::kTrace)
SENTRY_INTERNAL_LOG_FUNCTION(Debug, LogLevel::kDebug)
SENTRY_INTERNAL_LOG_FUNCTION(Info, LogLevel::kInfo)
SENTRY_INTERNAL_LOG_FUNCTION(Warn, LogLevel::kWarn)
SENTRY_INTERNAL_LOG_FUNCTION(Error, LogLevel::kError)
SENTRY_INTERNAL_LOG_FUNCTION(Fatal, LogLevel::kFatal)

#undef SENTRY_INTERNAL_LOG_FUNCTION

// The same with the level as a value (for integrations).
template <typename... Args>
void Emit(LogLevel level, absl::string_view message_template,
          const Args&... args) {
  internal::EmitLog(level, nullptr, {}, message_template, args...);
}
template <typename... Args>
void Emit(LogLevel level, internal::LogAttributeArgs attributes,
          absl::string_view message_template, const Args&... args) {
  internal::EmitLog(level, nullptr,
                    absl::MakeConstSpan(attributes.begin(), attributes.size()),
                    message_template, args...);
}
template <typename... Args>
void Emit(LogLevel level, const LogAttributes& attributes,
          absl::string_view message_template, const Args&... args) {
  internal::EmitLog(level, &attributes, {}, message_template, args...);
}

}  // namespace logger
}  // namespace sentry

#endif  // SENTRY_LOGS_H_
