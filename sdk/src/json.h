// Minimal JSON for the wire format: a streaming writer that always produces
// valid UTF-8 JSON, and a reader for flat objects (envelope and item headers).
//
//   std::string out;
//   internal::JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("type");
//   w.String("event");
//   w.EndObject();              // {"type":"event"}
//
//   auto fields = internal::ParseJsonObject(R"({"type":"event","length":3})");
//   // fields->at(1) == {"length", "3"}: raw JSON text per top-level key.
//
// Not thread-safe per instance; no global state.
#ifndef SENTRY_SDK_SRC_JSON_H_
#define SENTRY_SDK_SRC_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sentry::internal {

class JsonWriter {
 public:
  // Strings longer than this (in bytes) are cut at a character boundary and
  // end in "...", within the limit, unless a call passes its own limit.
  static constexpr size_t kDefaultMaxString = 8192;

  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(absl::string_view key, size_t max_bytes = kDefaultMaxString);
  // Invalid UTF-8 is replaced by U+FFFD; control characters are escaped.
  void String(absl::string_view value, size_t max_bytes = kDefaultMaxString);
  // NaN and infinities are written as null (JSON has no such numbers).
  void Double(double value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Bool(bool value);
  void Null();
  // Inserts already-encoded JSON as one value.
  void Raw(absl::string_view json);

  // Nesting depth of open objects and arrays.
  int depth() const { return depth_; }

 private:
  // Whether the next value needs a ',' before it (and notes that it has
  // come).
  bool NeedsComma();
  void BeforeValue();
  template <typename Integer>
  void Integral(Integer value);

  std::string* out_;
  int depth_ = 0;
  // Whether the innermost container still awaits its first element; bit i
  // is depth i (containers deeper than 64 share the last bit: they are never
  // produced, the encoders cap nesting well below).
  uint64_t first_ = 0;
  bool after_key_ = false;
};

// Whether `text` can go between quotes as it is: no control character, '"',
// '\\' or non-ASCII byte (which would need checking as UTF-8).
bool IsPlainJson(absl::string_view text);

// Writes finite `value` as a JSON number that reads back as the same double
// at `out`, which has room for kMaxJsonDouble bytes; returns the end. A
// timestamp in whole microseconds (the SDK's clock) takes a fast path.
inline constexpr size_t kMaxJsonDouble = 32;
char* FormatJsonDouble(double value, char* out);

// Appends `value` as a JSON string body (no quotes), sanitized as above.
void AppendJsonEscaped(absl::string_view value, size_t max_bytes,
                       std::string* out);

// `value` as a quoted JSON string.
std::string JsonQuote(absl::string_view value,
                      size_t max_bytes = JsonWriter::kDefaultMaxString);

// Parses a JSON object and returns its top-level members in order, each as
// (decoded key, raw JSON text of the value). Validates the whole text.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ParseJsonObject(absl::string_view json);

// Decodes a raw JSON string value ("...") into UTF-8; nullopt if not a string.
std::optional<std::string> DecodeJsonString(absl::string_view raw);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_JSON_H_
