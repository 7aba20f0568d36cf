#include "sdk/src/telemetry.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sdk/src/json.h"
#include "sdk/src/log.h"
#include "sdk/src/span_record.h"
#include "sdk/src/user_callback.h"
#include "sentry/client.h"
#include "sentry/version.h"

namespace sentry {

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kFatal:
      return "fatal";
  }
  return "info";
}

absl::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kDistribution:
      return "distribution";
  }
  return "counter";
}

namespace internal {
namespace {

// OpenTelemetry's severity numbers of the levels (TELEMETRY.md section 5).
int SeverityNumber(sentry::LogLevel level) {
  return 1 + 4 * static_cast<int>(level);
}

constexpr char kLogContentType[] = "application/vnd.sentry.items.log+json";
constexpr char kMetricContentType[] =
    "application/vnd.sentry.items.trace-metric+json";

void AppendValue(const AttributeValue& value, JsonWriter& w) {
  w.BeginObject();
  w.Key("value");
  const char* type = "string";
  switch (value.type()) {
    case AttributeValue::Type::kString:
      w.String(value.string_value());
      break;
    case AttributeValue::Type::kBool:
      w.Bool(value.bool_value());
      type = "boolean";
      break;
    case AttributeValue::Type::kInt64:
      w.Int(value.int_value());
      type = "integer";
      break;
    case AttributeValue::Type::kDouble:
      // JSON has no NaN or infinity: those go as their names.
      if (std::isfinite(value.double_value())) {
        w.Double(value.double_value());
        type = "double";
      } else {
        w.String(value.ToString());
      }
      break;
  }
  w.Key("type");
  w.String(type);
  w.EndObject();
}

void AppendCommon(absl::Time timestamp, const std::string& trace_id,
                  const std::string& span_id, JsonWriter& w) {
  w.Key("timestamp");
  w.Double(static_cast<double>(absl::ToUnixMicros(timestamp)) / 1e6);
  if (!trace_id.empty()) {
    w.Key("trace_id");
    w.String(trace_id);
  }
  if (!span_id.empty()) {
    w.Key("span_id");
    w.String(span_id);
  }
}

void AppendAttributes(const std::map<std::string, AttributeValue>& attributes,
                      JsonWriter& w) {
  w.Key("attributes");
  w.BeginObject();
  for (const auto& [key, value] : attributes) {
    w.Key(key);
    AppendValue(value, w);
  }
  w.EndObject();
}

void AddItem(Envelope& envelope, absl::string_view type,
             absl::string_view content_type, absl::string_view items,
             size_t count) {
  envelope.AddItem(std::string(type), absl::StrCat("{\"items\":[", items, "]}"),
                   {{"item_count", absl::StrCat(count)},
                    {"content_type", JsonQuote(content_type)}});
}

// What every log and metric of `client` carries, then the scopes' and the
// record's own attributes (later ones win).
void MergeAttributes(const Options& options, const std::string& server_name,
                     const TelemetryRecord& record,
                     std::map<std::string, AttributeValue>* attributes) {
  attributes->clear();
  (*attributes)["sentry.environment"] = options.environment;
  if (!options.release.empty()) {
    (*attributes)["sentry.release"] = options.release;
  }
  (*attributes)["sentry.sdk.name"] = kSdkName;
  (*attributes)["sentry.sdk.version"] = kSdkVersion;
  if (!server_name.empty()) (*attributes)["server.address"] = server_name;
  for (const auto* scope :
       {&record.global_attributes.get(), &record.scope_attributes.get()}) {
    for (const auto& [key, value] : *scope) (*attributes)[key] = value;
  }
  for (size_t i = 0; i < record.attribute_count; ++i) {
    (*attributes)[record.attributes[i].first] = record.attributes[i].second;
  }
}

void ReadTrace(const TelemetryRecord& record, std::string* trace_id,
               std::string* span_id) {
  trace_id->clear();
  if (record.trace_id[0] != 0) trace_id->assign(record.trace_id, 32);
  *span_id = record.span_id != 0 ? SpanIdHex(record.span_id) : "";
}

}  // namespace

void LogArg::AssignTo(AttributeValue& value) const {
  switch (type) {
    case AttributeValue::Type::kString:
      value.SetString(string);
      return;
    case AttributeValue::Type::kBool:
      value.SetBool(boolean);
      return;
    case AttributeValue::Type::kInt64:
      if (unsigned_above_int64) {
        value.SetInteger(static_cast<uint64_t>(integer));
      } else {
        value.SetInteger(integer);
      }
      return;
    case AttributeValue::Type::kDouble:
      value.SetDouble(floating);
      return;
  }
}

void FormatTemplate(absl::string_view message_template,
                    absl::Span<const AttributeValue> args, std::string* out) {
  out->clear();
  out->reserve(message_template.size());
  for (size_t i = 0; i < message_template.size(); ++i) {
    const char c = message_template[i];
    if (c != '$' || i + 1 == message_template.size()) {
      out->push_back(c);
      continue;
    }
    const char next = message_template[i + 1];
    if (next == '$') {
      out->push_back('$');
      ++i;
    } else if (next >= '0' && next <= '9' &&
               static_cast<size_t>(next - '0') < args.size()) {
      const AttributeValue& arg = args[next - '0'];
      if (arg.type() == AttributeValue::Type::kString) {
        out->append(arg.string_value());
      } else {
        out->append(arg.ToString());
      }
      ++i;
    } else {
      out->push_back(c);
    }
  }
}

void AppendLogJson(const sentry::Log& log, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  AppendCommon(log.timestamp, log.trace_id, log.span_id, w);
  w.Key("level");
  w.String(LogLevelName(log.level));
  w.Key("body");
  w.String(log.body);
  w.Key("severity_number");
  w.Int(SeverityNumber(log.level));
  AppendAttributes(log.attributes, w);
  w.EndObject();
}

void AppendMetricJson(const Metric& metric, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  AppendCommon(metric.timestamp, metric.trace_id, metric.span_id, w);
  w.Key("name");
  w.String(metric.name);
  w.Key("value");
  w.Double(metric.value);
  if (!metric.unit.empty()) {
    w.Key("unit");
    w.String(metric.unit);
  }
  w.Key("type");
  w.String(MetricTypeName(metric.type));
  AppendAttributes(metric.attributes, w);
  w.EndObject();
}

void AddLogItem(Envelope& envelope, absl::string_view items, size_t count) {
  AddItem(envelope, "log", kLogContentType, items, count);
}

void AddMetricItem(Envelope& envelope, absl::string_view items, size_t count) {
  AddItem(envelope, "trace_metric", kMetricContentType, items, count);
}

void TelemetryAccess::SendLogs(Client& client,
                               absl::Span<TelemetryRecord* const> batch) {
  const Options& options = client.options_;
  sentry::Log log;
  std::string items;
  std::string scratch;
  size_t count = 0;
  for (const TelemetryRecord* record : batch) {
    log.timestamp = record->timestamp;
    log.level = static_cast<sentry::LogLevel>(record->kind);
    if (record->arg_count == 0) {
      log.body = record->text;
    } else {
      FormatTemplate(
          record->text,
          absl::MakeConstSpan(record->args.data(), record->arg_count),
          &log.body);
    }
    ReadTrace(*record, &log.trace_id, &log.span_id);
    MergeAttributes(options, client.server_name_, *record, &log.attributes);
    if (record->arg_count > 0) {
      log.attributes["sentry.message.template"] = record->text;
      for (size_t i = 0; i < record->arg_count; ++i) {
        log.attributes[absl::StrCat("sentry.message.parameter.", i)] =
            record->args[i];
      }
    }
    if (options.before_send_log && !CallUserCallback("before_send_log", [&] {
          return options.before_send_log(log);
        })) {
      scratch.clear();
      AppendLogJson(log, &scratch);
      client.reports_->Record(DiscardReason::kBeforeSend,
                              DataCategory::kLogItem);
      client.reports_->Record(DiscardReason::kBeforeSend,
                              DataCategory::kLogByte, scratch.size());
      continue;
    }
    if (count++ > 0) items.push_back(',');
    AppendLogJson(log, &items);
  }
  if (count == 0) return;
  Envelope envelope = client.NewEnvelope();
  AddLogItem(envelope, items, count);
  options.transport->SendEnvelope(std::move(envelope));
}

void TelemetryAccess::SendMetrics(Client& client,
                                  absl::Span<TelemetryRecord* const> batch) {
  const Options& options = client.options_;
  Metric metric;
  std::string items;
  size_t count = 0;
  for (const TelemetryRecord* record : batch) {
    metric.timestamp = record->timestamp;
    metric.type = static_cast<MetricType>(record->kind);
    metric.name = record->text;
    metric.value = record->value;
    metric.unit = record->unit;
    ReadTrace(*record, &metric.trace_id, &metric.span_id);
    MergeAttributes(options, client.server_name_, *record, &metric.attributes);
    if (options.before_send_metric &&
        !CallUserCallback("before_send_metric",
                          [&] { return options.before_send_metric(metric); })) {
      client.reports_->Record(DiscardReason::kBeforeSend,
                              DataCategory::kTraceMetric);
      continue;
    }
    if (count++ > 0) items.push_back(',');
    AppendMetricJson(metric, &items);
  }
  if (count == 0) return;
  Envelope envelope = client.NewEnvelope();
  AddMetricItem(envelope, items, count);
  options.transport->SendEnvelope(std::move(envelope));
}

}  // namespace internal
}  // namespace sentry
