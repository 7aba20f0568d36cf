#include "sdk/src/telemetry.h"

#include <cmath>
#include <cstring>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sdk/src/json.h"
#include "sdk/src/log.h"
#include "sdk/src/scrubber.h"
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

// Attributes as the JSON writers take them: keys unique, in order.
using AttributeRefs =
    std::vector<std::pair<absl::string_view, const AttributeValue*>>;

void AppendAttributes(const AttributeRefs& attributes, JsonWriter& w) {
  w.Key("attributes");
  w.BeginObject();
  for (const auto& [key, value] : attributes) {
    w.Key(key);
    AppendValue(*value, w);
  }
  w.EndObject();
}

AttributeRefs RefsOf(const std::map<std::string, AttributeValue>& attributes) {
  AttributeRefs refs;
  refs.reserve(attributes.size());
  for (const auto& [key, value] : attributes) refs.emplace_back(key, &value);
  return refs;
}

// Sets `key` (replacing an earlier value).
void Put(AttributeRefs& refs, absl::string_view key,
         const AttributeValue& value) {
  for (auto& ref : refs) {
    if (ref.first == key) {
      ref.second = &value;
      return;
    }
  }
  refs.emplace_back(key, &value);
}

// What every log and metric of a client carries.
LogAttributes DefaultAttributes(const Options& options,
                                const std::string& server_name) {
  LogAttributes defaults;
  defaults.emplace_back("sentry.environment", options.environment);
  if (!options.release.empty()) {
    defaults.emplace_back("sentry.release", options.release);
  }
  defaults.emplace_back("sentry.sdk.name", kSdkName);
  defaults.emplace_back("sentry.sdk.version", kSdkVersion);
  if (!server_name.empty())
    defaults.emplace_back("server.address", server_name);
  return defaults;
}

// The record's attributes: the defaults, then the global scope's, the
// scope's and the call's (a later key replaces an earlier one). They point
// into `defaults` and `record`.
void CollectAttributes(const LogAttributes& defaults,
                       const TelemetryRecord& record, AttributeRefs* refs) {
  refs->clear();
  for (const auto& [key, value] : defaults) refs->emplace_back(key, &value);
  for (const LogAttributes* scope :
       {&record.global_attributes.get(), &record.scope_attributes.get()}) {
    for (const auto& [key, value] : *scope) Put(*refs, key, value);
  }
  for (size_t i = 0; i < record.attribute_count; ++i) {
    Put(*refs, record.attributes[i].first, record.attributes[i].second);
  }
}

// Options::scrub_data: a secret's key, or a value a pattern matches, gets
// "[Filtered]" instead of its value.
void ScrubAttributes(const Scrubber& scrubber, AttributeRefs& refs) {
  if (!scrubber.enabled()) return;
  static const AttributeValue* const filtered =
      new AttributeValue(Scrubber::kFiltered);
  for (auto& [key, value] : refs) {
    if (scrubber.IsSensitiveKey(key) ||
        (value->type() == AttributeValue::Type::kString &&
         scrubber.IsSensitiveValue(value->string_value()))) {
      value = filtered;
    }
  }
}

std::map<std::string, AttributeValue> MapOf(const AttributeRefs& refs) {
  std::map<std::string, AttributeValue> attributes;
  for (const auto& [key, value] : refs) {
    attributes.emplace(std::string(key), *value);
  }
  return attributes;
}

void WriteLog(absl::Time timestamp, const std::string& trace_id,
              const std::string& span_id, sentry::LogLevel level,
              absl::string_view body, const AttributeRefs& attributes,
              std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  AppendCommon(timestamp, trace_id, span_id, w);
  w.Key("level");
  w.String(LogLevelName(level));
  w.Key("body");
  w.String(body);
  w.Key("severity_number");
  w.Int(SeverityNumber(level));
  AppendAttributes(attributes, w);
  w.EndObject();
}

void WriteMetric(absl::Time timestamp, const std::string& trace_id,
                 const std::string& span_id, MetricType type,
                 absl::string_view name, double value, absl::string_view unit,
                 const AttributeRefs& attributes, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  AppendCommon(timestamp, trace_id, span_id, w);
  w.Key("name");
  w.String(name);
  w.Key("value");
  w.Double(value);
  if (!unit.empty()) {
    w.Key("unit");
    w.String(unit);
  }
  w.Key("type");
  w.String(MetricTypeName(type));
  AppendAttributes(attributes, w);
  w.EndObject();
}

// "{"items":[" before a batch's records, "]}" after.
constexpr absl::string_view kItemsBegin = "{\"items\":[";
constexpr absl::string_view kItemsEnd = "]}";

void AddItem(Envelope& envelope, absl::string_view type,
             absl::string_view content_type, std::string payload,
             size_t count) {
  envelope.AddItem(std::string(type), std::move(payload),
                   {{"item_count", absl::StrCat(count)},
                    {"content_type", JsonQuote(content_type)}});
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
      if (is_unsigned) {
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
  WriteLog(log.timestamp, log.trace_id, log.span_id, log.level, log.body,
           RefsOf(log.attributes), out);
}

void AppendMetricJson(const Metric& metric, std::string* out) {
  WriteMetric(metric.timestamp, metric.trace_id, metric.span_id, metric.type,
              metric.name, metric.value, metric.unit, RefsOf(metric.attributes),
              out);
}

// Without before_send_log / before_send_metric, each record's JSON is
// written straight from the record; with one, from the Log or Metric the
// callback saw (and may have changed).
void TelemetryAccess::SendLogs(Client& client,
                               absl::Span<TelemetryRecord* const> batch) {
  const Options& options = client.options_;
  const LogAttributes defaults =
      DefaultAttributes(options, client.server_name_);
  AttributeRefs attributes;
  AttributeValue template_value;
  // A deque: the attributes keep views of its strings as it grows.
  std::deque<std::string> parameter_keys;
  std::string body, trace_id, span_id, scratch;
  std::string payload(kItemsBegin);
  payload.reserve(batch.size() * 640);
  size_t count = 0;
  for (const TelemetryRecord* record : batch) {
    const auto level = static_cast<sentry::LogLevel>(record->kind);
    const auto args =
        absl::MakeConstSpan(record->args.data(), record->arg_count);
    if (args.empty()) {
      body.assign(record->text);
    } else {
      FormatTemplate(record->text, args, &body);
    }
    ReadTrace(*record, &trace_id, &span_id);
    CollectAttributes(defaults, *record, &attributes);
    if (!args.empty()) {
      template_value.SetString(record->text);
      Put(attributes, "sentry.message.template", template_value);
      for (size_t i = 0; i < args.size(); ++i) {
        if (parameter_keys.size() == i) {
          parameter_keys.push_back(
              absl::StrCat("sentry.message.parameter.", i));
        }
        Put(attributes, parameter_keys[i], args[i]);
      }
    }
    ScrubAttributes(*client.scrubber_, attributes);
    if (!options.before_send_log) {
      if (count++ > 0) payload.push_back(',');
      WriteLog(record->timestamp, trace_id, span_id, level, body, attributes,
               &payload);
      continue;
    }
    sentry::Log log{record->timestamp, level,   body,
                    trace_id,          span_id, MapOf(attributes)};
    if (!CallUserCallback("before_send_log",
                          [&] { return options.before_send_log(log); })) {
      scratch.clear();
      AppendLogJson(log, &scratch);
      client.reports_->Record(DiscardReason::kBeforeSend,
                              DataCategory::kLogItem);
      client.reports_->Record(DiscardReason::kBeforeSend,
                              DataCategory::kLogByte, scratch.size());
      continue;
    }
    if (count++ > 0) payload.push_back(',');
    AppendLogJson(log, &payload);
  }
  if (count == 0) return;
  payload.append(kItemsEnd.data(), kItemsEnd.size());
  Envelope envelope = client.NewEnvelope();
  AddItem(envelope, "log", kLogContentType, std::move(payload), count);
  options.transport->SendEnvelope(std::move(envelope));
}

void TelemetryAccess::SendMetrics(Client& client,
                                  absl::Span<TelemetryRecord* const> batch) {
  const Options& options = client.options_;
  const LogAttributes defaults =
      DefaultAttributes(options, client.server_name_);
  AttributeRefs attributes;
  std::string trace_id, span_id;
  std::string payload(kItemsBegin);
  size_t count = 0;
  for (const TelemetryRecord* record : batch) {
    const auto type = static_cast<MetricType>(record->kind);
    ReadTrace(*record, &trace_id, &span_id);
    CollectAttributes(defaults, *record, &attributes);
    ScrubAttributes(*client.scrubber_, attributes);
    if (!options.before_send_metric) {
      if (count++ > 0) payload.push_back(',');
      WriteMetric(record->timestamp, trace_id, span_id, type, record->text,
                  record->value, record->unit, attributes, &payload);
      continue;
    }
    Metric metric{record->timestamp, type,     record->text, record->value,
                  record->unit,      trace_id, span_id,      MapOf(attributes)};
    if (!CallUserCallback("before_send_metric",
                          [&] { return options.before_send_metric(metric); })) {
      client.reports_->Record(DiscardReason::kBeforeSend,
                              DataCategory::kTraceMetric);
      continue;
    }
    if (count++ > 0) payload.push_back(',');
    AppendMetricJson(metric, &payload);
  }
  if (count == 0) return;
  payload.append(kItemsEnd.data(), kItemsEnd.size());
  Envelope envelope = client.NewEnvelope();
  AddItem(envelope, "trace_metric", kMetricContentType, std::move(payload),
          count);
  options.transport->SendEnvelope(std::move(envelope));
}

}  // namespace internal
}  // namespace sentry
