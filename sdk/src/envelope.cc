#include "sentry/envelope.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sdk/src/json.h"

namespace sentry {
namespace {

std::optional<std::string> Find(const JsonMembers& members,
                                absl::string_view key) {
  for (const auto& [k, v] : members) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string Quote(absl::string_view value) {
  return internal::JsonQuote(value, value.size());
}

// Appends `value` as a JSON string, without a temporary.
void AppendQuoted(absl::string_view value, std::string* out) {
  out->push_back('"');
  internal::AppendJsonEscaped(value, value.size(), out);
  out->push_back('"');
}

// Appends `value` as exactly `width` decimal digits.
void AppendDigits(int64_t value, int width, std::string* out) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(digits, static_cast<size_t>(width));
}

void AppendMembers(const JsonMembers& members, bool* first, std::string* out) {
  for (const auto& [key, value] : members) {
    if (!*first) out->push_back(',');
    *first = false;
    AppendQuoted(key, out);
    out->push_back(':');
    out->append(value);
  }
}

}  // namespace

std::optional<std::string> EnvelopeItem::Header(absl::string_view key) const {
  return Find(headers, key);
}

std::optional<std::string> EnvelopeItem::StringHeader(
    absl::string_view key) const {
  auto raw = Header(key);
  if (!raw) return std::nullopt;
  return internal::DecodeJsonString(*raw);
}

uint64_t EnvelopeItem::ItemCount() const {
  uint64_t count = 1;
  if (auto raw = Header("item_count")) {
    if (!absl::SimpleAtoi(*raw, &count) || count == 0) count = 1;
  }
  return count;
}

namespace {

// The elements of a JSON array, given as valid JSON text.
uint64_t CountArrayElements(absl::string_view array) {
  int depth = 0;
  uint64_t commas = 0;
  bool any = false;
  bool in_string = false;
  bool escaped = false;
  for (const char c : array) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (depth == 1 && c != ']') any = true;
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      ++commas;
    }
  }
  return any ? commas + 1 : 0;
}

}  // namespace

uint64_t EnvelopeItem::SpanCount() const {
  if (type != "transaction") return 0;
  if (span_count > 0) return span_count;
  auto members = internal::ParseJsonObject(payload);
  if (!members.ok()) return 1;
  for (const auto& [key, value] : *members) {
    if (key == "spans") return CountArrayElements(value) + 1;
  }
  return 1;
}

void Envelope::SetHeader(absl::string_view key, std::string raw_json) {
  for (auto& [k, v] : headers_) {
    if (k == key) {
      v = std::move(raw_json);
      return;
    }
  }
  headers_.emplace_back(std::string(key), std::move(raw_json));
}

void Envelope::SetStringHeader(absl::string_view key, absl::string_view value) {
  SetHeader(key, Quote(value));
}

void Envelope::RemoveHeader(absl::string_view key) {
  headers_.erase(
      std::remove_if(headers_.begin(), headers_.end(),
                     [&](const auto& member) { return member.first == key; }),
      headers_.end());
}

std::optional<std::string> Envelope::Header(absl::string_view key) const {
  return Find(headers_, key);
}

std::optional<std::string> Envelope::StringHeader(absl::string_view key) const {
  auto raw = Header(key);
  if (!raw) return std::nullopt;
  return internal::DecodeJsonString(*raw);
}

EnvelopeItem& Envelope::AddItem(std::string type, std::string payload,
                                JsonMembers headers) {
  items_.push_back(
      EnvelopeItem{std::move(type), std::move(payload), std::move(headers)});
  return items_.back();
}

std::string Envelope::event_id() const {
  return StringHeader("event_id").value_or("");
}

std::string Envelope::Serialize(std::optional<absl::Time> sent_at) const {
  std::string out;
  SerializeTo(&out, sent_at);
  return out;
}

size_t Envelope::SizeEstimate() const {
  size_t size = 64;
  for (const auto& item : items_) size += item.payload.size() + 64;
  return size;
}

void Envelope::SerializeTo(std::string* out,
                           std::optional<absl::Time> sent_at) const {
  out->clear();
  out->reserve(SizeEstimate());
  AppendHeader(out, sent_at);
  AppendItems(out);
}

void Envelope::AppendHeader(std::string* out_ptr,
                            std::optional<absl::Time> sent_at) const {
  std::string& out = *out_ptr;
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : headers_) {
    if (sent_at && key == "sent_at") continue;
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(key, &out);
    out.push_back(':');
    out.append(value);
  }
  if (sent_at) {
    if (!first) out.push_back(',');
    out.append("\"sent_at\":\"");
    AppendRfc3339(*sent_at, &out);
    out.push_back('"');
  }
  out.append("}\n");
}

void Envelope::AppendItems(std::string* out_ptr) const {
  std::string& out = *out_ptr;
  for (const auto& item : items_) {
    out.append("{\"type\":");
    AppendQuoted(item.type, &out);
    absl::StrAppend(&out, ",\"length\":", item.payload.size());
    bool item_first = false;
    AppendMembers(item.headers, &item_first, &out);
    out.append("}\n");
    out.append(item.payload);
    out.push_back('\n');
  }
}

absl::StatusOr<Envelope> Envelope::Parse(absl::string_view bytes) {
  Envelope envelope;
  size_t pos = 0;
  int line = 1;
  auto error = [&line](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid envelope (line ", line, "): ", what));
  };
  auto next_line = [&](absl::string_view* out) {
    const size_t nl = bytes.find('\n', pos);
    const size_t end = nl == absl::string_view::npos ? bytes.size() : nl;
    *out = bytes.substr(pos, end - pos);
    pos = nl == absl::string_view::npos ? bytes.size() : nl + 1;
  };

  absl::string_view header_line;
  next_line(&header_line);
  auto headers = internal::ParseJsonObject(header_line);
  if (!headers.ok()) return error(headers.status().message());
  envelope.headers_ = *std::move(headers);

  while (pos < bytes.size()) {
    ++line;
    absl::string_view item_line;
    next_line(&item_line);
    if (item_line.empty() && pos >= bytes.size()) break;  // trailing newline
    auto item_headers = internal::ParseJsonObject(item_line);
    if (!item_headers.ok()) return error(item_headers.status().message());
    EnvelopeItem item;
    std::optional<uint64_t> length;
    for (auto& [key, value] : *item_headers) {
      if (key == "type") {
        auto type = internal::DecodeJsonString(value);
        if (!type) return error("item \"type\" is not a string");
        item.type = *std::move(type);
      } else if (key == "length") {
        uint64_t n;
        if (!absl::SimpleAtoi(value, &n)) {
          return error("item \"length\" is not a non-negative integer");
        }
        length = n;
      } else {
        item.headers.emplace_back(std::move(key), std::move(value));
      }
    }
    if (item.type.empty()) return error("item without \"type\"");
    ++line;
    if (length) {
      if (*length > bytes.size() - pos) {
        return error("payload shorter than its \"length\"");
      }
      item.payload = std::string(bytes.substr(pos, *length));
      pos += *length;
      if (pos < bytes.size()) {
        if (bytes[pos] != '\n') return error("payload not followed by newline");
        ++pos;
      }
    } else {
      absl::string_view payload;
      next_line(&payload);
      item.payload = std::string(payload);
    }
    envelope.items_.push_back(std::move(item));
  }
  return envelope;
}

std::string FormatRfc3339(absl::Time t) {
  std::string out;
  AppendRfc3339(t, &out);
  return out;
}

void AppendRfc3339(absl::Time t, std::string* out) {
  // absl::FormatTime would do, at several times the cost: this runs for
  // every request, on the sending thread.
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::TimeZone::CivilInfo civil = utc.At(t);
  const absl::CivilSecond& s = civil.cs;
  if (s.year() < 0 || s.year() > 9999) {
    out->append(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, utc));
    return;
  }
  const int64_t micros = absl::ToInt64Microseconds(civil.subsecond);
  AppendDigits(s.year(), 4, out);
  out->push_back('-');
  AppendDigits(s.month(), 2, out);
  out->push_back('-');
  AppendDigits(s.day(), 2, out);
  out->push_back('T');
  AppendDigits(s.hour(), 2, out);
  out->push_back(':');
  AppendDigits(s.minute(), 2, out);
  out->push_back(':');
  AppendDigits(s.second(), 2, out);
  out->push_back('.');
  AppendDigits(micros, 6, out);
  out->push_back('Z');
}

}  // namespace sentry
