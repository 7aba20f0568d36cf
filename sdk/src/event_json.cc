#include "sdk/src/event_json.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "google/protobuf/map.h"
#include "sdk/src/message_json.h"
#include "sdk/src/span_record.h"
#include "sentry/span.h"

namespace sentry::internal {
namespace {

// Presence as proto3 reflection sees it (and so MessageToJson): a double is
// set when its bits are not all zero (-0.0 is set).
bool IsSet(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits != 0;
}

void StringField(absl::string_view key, absl::string_view value,
                 JsonWriter& out) {
  if (value.empty()) return;
  out.Key(key);
  out.String(value);
}

// Writes a map with its keys sorted (each cut to `key_limit` bytes);
// `write` writes one value.
template <typename V, typename WriteValue>
void SortedMap(absl::string_view key,
               const google::protobuf::Map<std::string, V>& map,
               JsonWriter& out, WriteValue write,
               size_t key_limit = JsonWriter::kDefaultMaxString) {
  if (map.empty()) return;
  out.Key(key);
  std::vector<const typename google::protobuf::Map<std::string, V>::value_type*>
      entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](auto* a, auto* b) { return a->first < b->first; });
  out.BeginObject();
  for (const auto* entry : entries) {
    out.Key(entry->first, key_limit);
    write(entry->second);
  }
  out.EndObject();
}

void StringMap(absl::string_view key,
               const google::protobuf::Map<std::string, std::string>& map,
               size_t key_limit, size_t limit, JsonWriter& out) {
  SortedMap(
      key, map, out,
      [&](const std::string& value) { out.String(value, limit); }, key_limit);
}

// The event's contexts merged with already encoded ones, by sorted name.
void WriteContexts(
    const google::protobuf::Map<std::string, google::protobuf::Struct>& own,
    absl::Span<const std::pair<absl::string_view, absl::string_view>> encoded,
    JsonWriter& out) {
  if (encoded.empty()) {
    SortedMap("contexts", own, out,
              [&](const google::protobuf::Struct& s) { WriteMessage(s, out); });
    return;
  }
  std::vector<std::pair<absl::string_view, const google::protobuf::Struct*>>
      entries;
  entries.reserve(own.size() + encoded.size());
  for (const auto& [name, context] : own) entries.emplace_back(name, &context);
  for (const auto& [name, json] : encoded) {
    if (own.find(std::string(name)) == own.end()) {
      entries.emplace_back(name, nullptr);
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out.Key("contexts");
  out.BeginObject();
  for (const auto& entry : entries) {
    const absl::string_view name = entry.first;
    out.Key(name);
    if (entry.second != nullptr) {
      WriteMessage(*entry.second, out);
      continue;
    }
    out.Raw(std::find_if(encoded.begin(), encoded.end(), [&](const auto& e) {
              return e.first == name;
            })->second);
  }
  out.EndObject();
}

template <typename M>
void MessageField(absl::string_view key, bool has, const M& message,
                  JsonWriter& out) {
  if (!has) return;
  out.Key(key);
  WriteMessage(message, out);
}

}  // namespace

void WriteBreadcrumb(const protocol::Breadcrumb& crumb, JsonWriter& out) {
  out.BeginObject();
  if (IsSet(crumb.timestamp())) {
    out.Key("timestamp");
    out.Double(crumb.timestamp());
  }
  StringField("type", crumb.type(), out);
  StringField("category", crumb.category(), out);
  StringField("message", crumb.message(), out);
  MessageField("data", crumb.has_data(), crumb.data(), out);
  StringField("level", crumb.level(), out);
  StringField("origin", crumb.origin(), out);
  out.EndObject();
}

namespace {

// A span's fields, from a protocol::Span or from a recorded SpanData.
struct SpanFields {
  absl::string_view trace_id;
  absl::string_view span_id;
  absl::string_view parent_span_id;
  absl::string_view op;
  absl::string_view description;
  double start_timestamp;
  double timestamp;
  absl::string_view status;
  const protocol::Span* rest;  // tags, data, origin; may be null.
};

// Written by hand, not by reflection: a transaction may hold 1000 spans.
void WriteSpanFields(const SpanFields& span, JsonWriter& out) {
  out.BeginObject();
  StringField("trace_id", span.trace_id, out);
  StringField("span_id", span.span_id, out);
  StringField("parent_span_id", span.parent_span_id, out);
  StringField("op", span.op, out);
  StringField("description", span.description, out);
  if (IsSet(span.start_timestamp)) {
    out.Key("start_timestamp");
    out.Double(span.start_timestamp);
  }
  if (IsSet(span.timestamp)) {
    out.Key("timestamp");
    out.Double(span.timestamp);
  }
  StringField("status", span.status, out);
  if (span.rest != nullptr) {
    StringMap("tags", span.rest->tags(), JsonWriter::kDefaultMaxString,
              JsonWriter::kDefaultMaxString, out);
    MessageField("data", span.rest->has_data(), span.rest->data(), out);
    StringField("origin", span.rest->origin(), out);
  }
  out.EndObject();
}

}  // namespace

void WriteSpan(const protocol::Span& span, JsonWriter& out) {
  WriteSpanFields({span.trace_id(), span.span_id(), span.parent_span_id(),
                   span.op(), span.description(), span.start_timestamp(),
                   span.timestamp(), span.status(), &span},
                  out);
}

void WriteSpan(const SpanData& span, absl::string_view trace_id,
               JsonWriter& out) {
  char id[16];
  char parent[16];
  WriteSpanFields(
      {trace_id, SpanIdHex(span.span_id, id),
       SpanIdHex(span.parent_span_id, parent), span.op, span.description,
       span.start, span.end,
       span.status >= 0 ? SpanStatusName(static_cast<SpanStatus>(span.status))
                        : absl::string_view(),
       span.extra.get()},
      out);
}

std::string BreadcrumbJson(const protocol::Breadcrumb& crumb) {
  std::string json;
  JsonWriter writer(&json);
  WriteBreadcrumb(crumb, writer);
  return json;
}

void WriteEvent(const protocol::Event& event, const EncodedParts& parts,
                JsonWriter& out) {
  const absl::Span<const absl::string_view> breadcrumbs = parts.breadcrumbs;
  // Fields in field-number order, as the reflection encoder writes them.
  out.BeginObject();
  StringField("event_id", event.event_id(), out);
  if (IsSet(event.timestamp())) {
    out.Key("timestamp");
    out.Double(event.timestamp());
  }
  StringField("platform", event.platform(), out);
  StringField("level", event.level(), out);
  StringField("logger", event.logger(), out);
  StringField("transaction", event.transaction(), out);
  StringField("server_name", event.server_name(), out);
  StringField("release", event.release(), out);
  StringField("dist", event.dist(), out);
  StringField("environment", event.environment(), out);
  StringMap("tags", event.tags(), kMaxTagKeyBytes, kMaxTagValueBytes, out);
  SortedMap("extra", event.extra(), out,
            [&](const google::protobuf::Value& v) { WriteMessage(v, out); });
  WriteContexts(event.contexts(), parts.contexts, out);
  MessageField("user", event.has_user(), event.user(), out);
  MessageField("request", event.has_request(), event.request(), out);
  if (!event.fingerprint().empty()) {
    out.Key("fingerprint");
    out.BeginArray();
    for (const std::string& part : event.fingerprint()) out.String(part);
    out.EndArray();
  }
  if (!breadcrumbs.empty()) {
    out.Key("breadcrumbs");
    out.BeginObject();
    out.Key("values");
    out.BeginArray();
    for (absl::string_view crumb : breadcrumbs) out.Raw(crumb);
    out.EndArray();
    out.EndObject();
  } else if (event.has_breadcrumbs()) {
    out.Key("breadcrumbs");
    out.BeginObject();
    if (!event.breadcrumbs().values().empty()) {
      out.Key("values");
      out.BeginArray();
      for (const auto& crumb : event.breadcrumbs().values()) {
        WriteBreadcrumb(crumb, out);
      }
      out.EndArray();
    }
    out.EndObject();
  }
  MessageField("exception", event.has_exception(), event.exception(), out);
  MessageField("threads", event.has_threads(), event.threads(), out);
  MessageField("logentry", event.has_logentry(), event.logentry(), out);
  MessageField("sdk", event.has_sdk(), event.sdk(), out);
  MessageField("debug_meta", event.has_debug_meta(), event.debug_meta(), out);
  StringMap("modules", event.modules(), JsonWriter::kDefaultMaxString,
            JsonWriter::kDefaultMaxString, out);
  StringField("type", event.type(), out);
  if (IsSet(event.start_timestamp())) {
    out.Key("start_timestamp");
    out.Double(event.start_timestamp());
  }
  if (!parts.spans.empty()) {
    out.Key("spans");
    out.BeginArray();
    for (const SpanData& span : parts.spans) {
      WriteSpan(span, parts.spans_trace_id, out);
    }
    out.EndArray();
  } else if (!event.spans().empty()) {
    out.Key("spans");
    out.BeginArray();
    for (const auto& span : event.spans()) WriteSpan(span, out);
    out.EndArray();
  }
  MessageField("transaction_info", event.has_transaction_info(),
               event.transaction_info(), out);
  out.EndObject();
}

std::string EventToJson(const protocol::Event& event,
                        const EncodedParts& parts) {
  std::string json;
  // A span takes about 300 bytes: a transaction's JSON is written without
  // growing the string again and again.
  constexpr size_t kSpanBytes = 320;
  json.reserve(2048 + kSpanBytes * (parts.spans.size() +
                                    static_cast<size_t>(event.spans_size())));
  JsonWriter writer(&json);
  WriteEvent(event, parts, writer);
  return json;
}

}  // namespace sentry::internal
