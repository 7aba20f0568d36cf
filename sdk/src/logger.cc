// The calling side of structured logs and metrics (sentry/logs.h,
// sentry/metrics.h): one record into the current client's buffer.

#include <cmath>
#include <cstring>
#include <memory>

#include "absl/base/attributes.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sdk/src/current_hubs.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/scope_data.h"
#include "sdk/src/telemetry.h"
#include "sentry/client.h"
#include "sentry/hub.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"

namespace sentry::internal {
namespace {

// Copies `value` into a reused record's string unless it holds it already:
// a log statement in a loop finds its own template and keys there, and not
// writing them spares the cache lines the batching thread last read.
void Reuse(std::string& to, absl::string_view value) {
  if (absl::string_view(to) != value) to.assign(value.data(), value.size());
}

// The call's attributes (`attributes`, or `borrowed` when it is null) into
// a reused record.
void CopyAttributes(const LogAttributes* attributes,
                    absl::Span<const LogAttributeArg> borrowed,
                    TelemetryRecord& record) {
  record.attribute_count =
      attributes != nullptr ? attributes->size() : borrowed.size();
  if (record.attributes.size() < record.attribute_count) {
    record.attributes.resize(record.attribute_count);
  }
  if (attributes != nullptr) {
    for (size_t i = 0; i < record.attribute_count; ++i) {
      record.attributes[i].first = (*attributes)[i].first;
      record.attributes[i].second = (*attributes)[i].second;
    }
  } else {
    for (size_t i = 0; i < record.attribute_count; ++i) {
      Reuse(record.attributes[i].first, borrowed[i].key);
      borrowed[i].value.AssignTo(record.attributes[i].second);
    }
  }
}

// Out of CaptureMetric: the formatting's buffers would enlarge its frame
// and give it a stack protector's check (a cache line of the thread's).
ABSL_ATTRIBUTE_NOINLINE void WarnInvalidMetric(absl::string_view name,
                                               double value) {
  Log(LogLevel::kWarning, "metric \"", name, "\" with value ", value,
      " ignored: a metric needs a name and a finite value");
}

size_t ApproximateBytes(const LogAttributes* attributes) {
  size_t bytes = 0;
  if (attributes == nullptr) return bytes;
  for (const auto& [key, value] : *attributes) {
    bytes += key.size() + value.string_value().size() + 32;
  }
  return bytes;
}

}  // namespace

bool TelemetryAccess::Enabled(TelemetryKind kind) {
  if (InForkedChild()) return false;
  Hub* hub = CurrentHub();
  if (hub == nullptr) return false;
  absl::MutexLock lock(&hub->mu_);
  const std::shared_ptr<Client>& client = hub->TopClientLocked();
  if (client == nullptr) return false;
  const auto& buffer =
      kind == TelemetryKind::kLog ? client->logs_ : client->metrics_;
  return buffer != nullptr && !buffer->closed();
}

// A template, so that each kind's `fill` is inlined into its call (no
// thunk on another line of code). Not marked hot, unlike the capture's
// functions: .text.hot is laid out in link order, and this file's code
// there would sit between the hub's and the client's capture code.
template <typename Fill>
void TelemetryAccess::Capture(TelemetryKind kind, Fill&& fill,
                              absl::FunctionRef<size_t()> approximate_bytes) {
  if (InForkedChild()) return;
  Hub* hub = CurrentHub();
  if (hub == nullptr) return;
  // Under the hub's lock (this thread's own hub): neither the client's nor
  // the scope's reference count, shared with other threads, is touched.
  absl::MutexLock lock(&hub->mu_);
  const std::shared_ptr<Client>& client = hub->TopClientLocked();
  if (client == nullptr) return;
  TelemetryBuffer* buffer = kind == TelemetryKind::kLog
                                ? client->logs_.get()
                                : client->metrics_.get();
  if (buffer == nullptr) return;
  std::shared_ptr<Scope> keep;
  const Scope* scope = hub->TopLocked(&keep);
  const bool added = buffer->Add([&](TelemetryRecord& record) {
    record.timestamp = absl::Now();
    record.scope_attributes.Reset();
    record.global_attributes.Reset();
    uint64_t unused_span;
    if (!ScopeAccess::ReadForTelemetry(*scope, record.trace_id, &record.span_id,
                                       &record.scope_attributes) &&
        !ScopeAccess::ReadForTelemetry(GlobalScope(), record.trace_id,
                                       &unused_span,
                                       &record.global_attributes)) {
      std::memset(record.trace_id, 0, sizeof(record.trace_id));
    } else if (ScopeAccess::GlobalHasAttributes()) {
      ScopeAccess::ReadAttributes(GlobalScope(), &record.global_attributes);
    }
    fill(record);
  });
  if (added || buffer->closed()) return;
  const bool log = kind == TelemetryKind::kLog;
  client->reports_->Record(
      DiscardReason::kQueueOverflow,
      log ? DataCategory::kLogItem : DataCategory::kTraceMetric);
  if (log) {
    client->reports_->Record(DiscardReason::kQueueOverflow,
                             DataCategory::kLogByte, approximate_bytes());
  }
}

void CaptureLog(sentry::LogLevel level, const LogAttributes* attributes,
                absl::Span<const LogAttributeArg> borrowed,
                absl::string_view message_template,
                absl::Span<const LogArg> args) {
  TelemetryAccess::Capture(
      TelemetryKind::kLog,
      [&](TelemetryRecord& record) {
        record.kind = static_cast<int>(level);
        Reuse(record.text, message_template);
        record.arg_count = args.size();
        if (record.args.size() < args.size()) record.args.resize(args.size());
        for (size_t i = 0; i < args.size(); ++i) {
          args[i].AssignTo(record.args[i]);
        }
        CopyAttributes(attributes, borrowed, record);
      },
      [&] {
        size_t bytes =
            message_template.size() + 200 + ApproximateBytes(attributes);
        for (const LogAttributeArg& attribute : borrowed) {
          bytes += attribute.key.size() + attribute.value.string.size() + 32;
        }
        for (const LogArg& arg : args) bytes += arg.string.size() + 16;
        return bytes;
      });
}

void CaptureMetric(MetricType type, absl::string_view name, double value,
                   absl::string_view unit, const LogAttributes* attributes,
                   absl::Span<const LogAttributeArg> borrowed) {
  if (name.empty() || !std::isfinite(value)) {
    WarnInvalidMetric(name, value);
    return;
  }
  TelemetryAccess::Capture(
      TelemetryKind::kMetric,
      [&](TelemetryRecord& record) {
        record.kind = static_cast<int>(type);
        Reuse(record.text, name);
        Reuse(record.unit, unit);
        record.value = value;
        record.arg_count = 0;
        CopyAttributes(attributes, borrowed, record);
      },
      [] { return size_t{0}; });
}

}  // namespace sentry::internal

namespace sentry::logger {

bool Enabled() {
  return internal::TelemetryAccess::Enabled(internal::TelemetryKind::kLog);
}

}  // namespace sentry::logger
