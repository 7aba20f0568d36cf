// Structured logs and trace metrics between the public calls (sentry/logs.h,
// sentry/metrics.h) and the envelope: recording on the calling thread, then,
// on the buffer's thread, the finished Log or Metric (attributes merged),
// the user's callback and the JSON of the item (TELEMETRY.md sections 5, 6).
//
//   std::string body;
//   internal::FormatTemplate("order $0 paid", args, &body);
//   internal::AppendLogJson(log, &items_json);
#ifndef SENTRY_SDK_SRC_TELEMETRY_H_
#define SENTRY_SDK_SRC_TELEMETRY_H_

#include <cstddef>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sdk/src/telemetry_buffer.h"
#include "sentry/attributes.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"

namespace sentry {
class Client;

namespace internal {

// absl::Substitute's syntax: `$0`..`$9` are args[0..9], `$$` is "$". A
// reference to a missing argument, or a `$` followed by anything else, is
// kept as written.
void FormatTemplate(absl::string_view message_template,
                    absl::Span<const AttributeValue> args, std::string* out);

// One item of a "log" / "trace_metric" payload's "items" array.
void AppendLogJson(const sentry::Log& log, std::string* out);
void AppendMetricJson(const Metric& metric, std::string* out);

enum class TelemetryKind { kLog, kMetric };

// The SDK's side of logs and metrics (a friend of Client and Hub).
class TelemetryAccess {
 public:
  // Whether Capture would record on this thread now.
  static bool Enabled(TelemetryKind kind);
  // Records one log or metric with the current hub's client and top scope:
  // the timestamp, trace, span and the scopes' attributes, then
  // `fill(TelemetryRecord&)`. When the buffer is full, the drop is counted;
  // `approximate_bytes` (called only then) says what it counts as log_byte.
  // Defined in logger.cc, the only caller, where each kind's `fill` is
  // inlined into its call.
  template <typename Fill>
  static void Capture(TelemetryKind kind, Fill&& fill,
                      absl::FunctionRef<size_t()> approximate_bytes);
  // The buffers' sinks: finish the records, run the user's callback and
  // send one envelope.
  static void SendLogs(Client& client,
                       absl::Span<TelemetryRecord* const> batch);
  static void SendMetrics(Client& client,
                          absl::Span<TelemetryRecord* const> batch);
};

}  // namespace internal
}  // namespace sentry

#endif  // SENTRY_SDK_SRC_TELEMETRY_H_
