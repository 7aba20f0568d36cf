#include "sdk/src/event_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <variant>
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
  const protocol::Span* rest;        // tags, data, origin; or null.
  const SpanAttributes* attributes;  // tags, data; or null.
};

// Recorded tags and data, as the protobuf writer writes them (sorted keys).
void WriteAttributes(const SpanAttributes& attributes, JsonWriter& out) {
  if (!attributes.tags.empty()) {
    out.Key("tags");
    out.BeginObject();
    for (const auto& [key, value] : attributes.tags) {
      out.Key(key);
      out.String(value);
    }
    out.EndObject();
  }
  if (!attributes.data.empty()) {
    out.Key("data");
    out.BeginObject();
    for (const auto& [key, value] : attributes.data) {
      out.Key(key);
      if (const auto* s = std::get_if<std::string>(&value)) {
        out.String(*s);
      } else if (const auto* i = std::get_if<int64_t>(&value)) {
        out.Int(*i);
      } else if (const auto* d = std::get_if<double>(&value)) {
        out.Double(*d);
      } else if (const auto* b = std::get_if<bool>(&value)) {
        out.Bool(*b);
      } else {
        WriteMessage(std::get<google::protobuf::Value>(value), out);
      }
    }
    out.EndObject();
  }
}

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
  if (span.attributes != nullptr) WriteAttributes(*span.attributes, out);
  out.EndObject();
}

// JSON text built on the stack, whole or not at all: it fails (and stays
// failed) when a string needs escaping or the text outgrows the buffer.
// A recorded span usually fits (hex ids, numbers, short ASCII names), and
// is then one append to the output instead of three per key and value.
class StackJson {
 public:
  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }
  absl::string_view text() const { return absl::string_view(buffer_, size_); }

  // The SDK's own text (keys, punctuation): not checked.
  void Literal(absl::string_view text) {
    if (!Room(text.size())) return;
    std::memcpy(buffer_ + size_, text.data(), text.size());
    size_ += text.size();
  }
  // Starts a member of the object being built: `"key":`. A key not
  // `known_plain` (the SDK's own) is checked.
  void Key(absl::string_view key, bool known_plain = true) {
    if (!known_plain && !IsPlainJson(key)) ok_ = false;
    Literal(first_ ? "\"" : ",\"");
    first_ = false;
    Literal(key);
    Literal("\":");
  }
  void String(absl::string_view value) {
    if (!IsPlainJson(value)) ok_ = false;
    Literal("\"");
    Literal(value);
    Literal("\"");
  }
  void Number(int64_t value) {
    if (!Room(kNumberBound)) return;
    size_ =
        std::to_chars(buffer_ + size_, buffer_ + kSize, value).ptr - buffer_;
  }
  void Number(double value) {
    if (!std::isfinite(value)) return Literal("null");
    if (!Room(kMaxJsonDouble)) return;
    size_ = FormatJsonDouble(value, buffer_ + size_) - buffer_;
  }
  // A member left out when empty or unset (zero), as the writer's encoders
  // do.
  void StringField(absl::string_view key, absl::string_view value) {
    if (value.empty()) return;
    Key(key);
    String(value);
  }
  void TimestampField(absl::string_view key, double value) {
    if (!IsSet(value)) return;
    Key(key);
    Number(value);
  }
  void BeginObject() {
    Literal("{");
    first_ = true;
  }
  void EndObject() {
    Literal("}");
    first_ = false;
  }

 private:
  static constexpr size_t kSize = 1024;
  static constexpr size_t kNumberBound = 32;

  bool Room(size_t n) {
    if (n > kSize - size_) ok_ = false;
    return ok_;
  }

  char buffer_[kSize];
  size_t size_ = 0;
  bool ok_ = true;
  bool first_ = true;
};

// A recorded span as StackJson: the same text as WriteSpanFields.
void ComposeSpan(const SpanFields& span, StackJson& json) {
  json.BeginObject();
  json.StringField("trace_id", span.trace_id);
  json.StringField("span_id", span.span_id);
  json.StringField("parent_span_id", span.parent_span_id);
  json.StringField("op", span.op);
  json.StringField("description", span.description);
  json.TimestampField("start_timestamp", span.start_timestamp);
  json.TimestampField("timestamp", span.timestamp);
  json.StringField("status", span.status);
  const SpanAttributes& attributes = *span.attributes;
  if (!attributes.tags.empty()) {
    json.Key("tags");
    json.BeginObject();
    for (const auto& [key, value] : attributes.tags) {
      json.Key(key, /*known_plain=*/false);
      json.String(value);
    }
    json.EndObject();
  }
  if (!attributes.data.empty()) {
    json.Key("data");
    json.BeginObject();
    for (const auto& [key, value] : attributes.data) {
      json.Key(key, /*known_plain=*/false);
      if (const auto* s = std::get_if<std::string>(&value)) {
        json.String(*s);
      } else if (const auto* i = std::get_if<int64_t>(&value)) {
        json.Number(*i);
      } else if (const auto* d = std::get_if<double>(&value)) {
        json.Number(*d);
      } else if (const auto* b = std::get_if<bool>(&value)) {
        json.Literal(*b ? "true" : "false");
      } else {
        return json.Fail();  // Lists and objects: the writer's path.
      }
    }
    json.EndObject();
  }
  json.EndObject();
}

}  // namespace

void WriteSpan(const protocol::Span& span, JsonWriter& out) {
  WriteSpanFields({span.trace_id(), span.span_id(), span.parent_span_id(),
                   span.op(), span.description(), span.start_timestamp(),
                   span.timestamp(), span.status(), &span, nullptr},
                  out);
}

void WriteSpan(const SpanData& span, absl::string_view trace_id,
               JsonWriter& out) {
  char id[16];
  char parent[16];
  const SpanFields fields{
      trace_id,
      SpanIdHex(span.span_id, id),
      SpanIdHex(span.parent_span_id, parent),
      span.op,
      span.description,
      span.start,
      span.end,
      span.status >= 0 ? SpanStatusName(static_cast<SpanStatus>(span.status))
                       : absl::string_view(),
      nullptr,
      &span.attributes};
  StackJson json;
  ComposeSpan(fields, json);
  if (json.ok()) {
    out.Raw(json.text());
  } else {
    WriteSpanFields(fields, out);
  }
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
