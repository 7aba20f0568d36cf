// Trace metrics: counters, gauges and distributions sent to Sentry, each
// linked to the current trace (and span, when one is active on the scope).
//
//   sentry::metrics::Count("checkout.failed");
//   sentry::metrics::Gauge("queue.depth", 1200, "", {{"queue", "billing"}});
//   sentry::metrics::Distribution("payment.latency", 87.5, "millisecond",
//                                 {{"provider", "acme"}});
//
// Like logs (sentry/logs.h), a call only copies its arguments into a buffer;
// the SDK runs Options::before_send_metric and sends metrics in batches of
// up to 100 (`trace_metric` items) on its own thread. The scopes' attributes
// (Scope::SetAttribute) apply; the call's win. With Options::enable_metrics
// off, or no SDK, a call does nothing.
#ifndef SENTRY_METRICS_H_
#define SENTRY_METRICS_H_

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sentry/attributes.h"
#include "sentry/logs.h"

namespace sentry {

enum class MetricType { kCounter, kGauge, kDistribution };

// "counter", "gauge", "distribution".
absl::string_view MetricTypeName(MetricType type);

// A metric as Options::before_send_metric sees it (and may change).
struct Metric {
  absl::Time timestamp;
  MetricType type = MetricType::kCounter;
  std::string name;
  double value = 0;
  std::string unit;  // Empty: none.
  std::string trace_id;
  std::string span_id;  // Empty: no span was active.
  // The defaults (sentry.environment, sentry.release, sentry.sdk.name, ...),
  // the scopes' and the call's.
  std::map<std::string, AttributeValue> attributes;
};

namespace internal {
// The call's attributes are `attributes` (may be null) or `borrowed`.
void CaptureMetric(MetricType type, absl::string_view name, double value,
                   absl::string_view unit, const LogAttributes* attributes,
                   absl::Span<const LogAttributeArg> borrowed);
}  // namespace internal

namespace metrics {

// Each function takes the call's attributes in braces (borrowed for the
// call, as a log's: nothing is allocated to pass them) or as a
// LogAttributes built beforehand.

// Adds `value` to the counter `name`.
inline void Count(absl::string_view name, double value = 1,
                  internal::LogAttributeArgs attributes = {}) {
  internal::CaptureMetric(
      MetricType::kCounter, name, value, "", nullptr,
      absl::MakeConstSpan(attributes.begin(), attributes.size()));
}
inline void Count(absl::string_view name, double value,
                  const LogAttributes& attributes) {
  internal::CaptureMetric(MetricType::kCounter, name, value, "", &attributes,
                          {});
}

// The current value of `name` (a queue's depth, a pool's size).
inline void Gauge(absl::string_view name, double value,
                  absl::string_view unit = "",
                  internal::LogAttributeArgs attributes = {}) {
  internal::CaptureMetric(
      MetricType::kGauge, name, value, unit, nullptr,
      absl::MakeConstSpan(attributes.begin(), attributes.size()));
}
inline void Gauge(absl::string_view name, double value, absl::string_view unit,
                  const LogAttributes& attributes) {
  internal::CaptureMetric(MetricType::kGauge, name, value, unit, &attributes,
                          {});
}

// One sample of `name` (a latency, a size), in `unit` ("millisecond",
// "byte", ...).
inline void Distribution(absl::string_view name, double value,
                         absl::string_view unit = "",
                         internal::LogAttributeArgs attributes = {}) {
  internal::CaptureMetric(
      MetricType::kDistribution, name, value, unit, nullptr,
      absl::MakeConstSpan(attributes.begin(), attributes.size()));
}
inline void Distribution(absl::string_view name, double value,
                         absl::string_view unit,
                         const LogAttributes& attributes) {
  internal::CaptureMetric(MetricType::kDistribution, name, value, unit,
                          &attributes, {});
}

}  // namespace metrics
}  // namespace sentry

#endif  // SENTRY_METRICS_H_
