#include "sdk/src/json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sentry::internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";
constexpr int kMaxParseDepth = 64;

// The bytes that end a run of plain ASCII in a string: control characters,
// '"', '\\' and every byte of a multi-byte sequence.
struct SpecialBytes {
  bool table[256] = {};
  constexpr SpecialBytes() {
    for (int c = 0; c < 256; ++c) {
      table[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    }
  }
};
constexpr SpecialBytes kSpecial;

// The length of the longest prefix of `value` that needs no escaping: no
// control character, '"', '\\' or byte of a multi-byte sequence. Eight
// bytes at a time while none of them is special.
size_t PlainPrefix(absl::string_view value) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHigh = 0x8080808080808080;
  const char* data = value.data();
  const size_t size = value.size();
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t x;
    std::memcpy(&x, data + i, sizeof(x));
    // A high bit per byte that is < 0x20, == '"', == '\\' or >= 0x80
    // (bytes below 0x80 only: a byte >= 0x80 is found by its own bit).
    const uint64_t control = x - kOnes * 0x20;
    const uint64_t quote = (x ^ (kOnes * '"')) - kOnes;
    const uint64_t backslash = (x ^ (kOnes * '\\')) - kOnes;
    if (((control | quote | backslash) & ~x & kHigh) != 0 || (x & kHigh) != 0) {
      break;
    }
  }
  while (i < size && !kSpecial.table[static_cast<unsigned char>(data[i])]) ++i;
  return i;
}

// Writes `comma` (unless 0), a quote, the plain `text` and `close` into
// `out` in one append when they fit a stack buffer; false (nothing
// written) otherwise.
bool AppendFramed(char comma, absl::string_view text, absl::string_view close,
                  std::string* out) {
  char buffer[256];
  if (text.size() + close.size() + 2 > sizeof(buffer)) return false;
  size_t n = 0;
  if (comma != 0) buffer[n++] = comma;
  buffer[n++] = '"';
  std::memcpy(buffer + n, text.data(), text.size());
  n += text.size();
  std::memcpy(buffer + n, close.data(), close.size());
  n += close.size();
  out->append(buffer, n);
  return true;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

char* FormatJsonDouble(double value, char* out) {
  // Whole microseconds below 1e11 seconds: the decimal "s.ffffff" reads
  // back as `value` when micros / 1e6 computes `value` (both round the same
  // exact quotient to the nearest double), and integers print fast.
  if (value > 0 && value < 1e11) {
    const auto micros = static_cast<int64_t>(value * 1e6 + 0.5);
    if (static_cast<double>(micros) / 1e6 == value) {
      out = std::to_chars(out, out + 20, micros / 1000000).ptr;
      int64_t fraction = micros % 1000000;
      if (fraction == 0) return out;
      int digits = 6;
      while (fraction % 10 == 0) fraction /= 10, --digits;
      *out++ = '.';
      for (int i = digits - 1; i >= 0; --i, fraction /= 10) {
        out[i] = static_cast<char>('0' + fraction % 10);
      }
      return out + digits;
    }
  }
  return std::to_chars(out, out + kMaxJsonDouble, value).ptr;
}

bool IsPlainJson(absl::string_view text) {
  return PlainPrefix(text) == text.size();
}

void AppendJsonEscaped(absl::string_view value, size_t max_bytes,
                       std::string* out) {
  bool truncated = false;
  if (value.size() > max_bytes) {
    // The limit includes the "..." marker (when it fits at all).
    size_t cut = max_bytes >= 3 ? max_bytes - 3 : max_bytes;
    // Step back to a character boundary.
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    value = value.substr(0, cut);
    truncated = true;
  }
  size_t i = 0;
  while (i < value.size()) {
    // Copy runs of plain ASCII at once.
    const size_t run = i + PlainPrefix(value.substr(i));
    out->append(value.data() + i, run - i);
    i = run;
    if (i >= value.size()) break;
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(value, i);
      if (len == 0) {
        out->append(kReplacement.data(), kReplacement.size());
        ++i;
      } else {
        out->append(value.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, sizeof(esc));
      }
    }
    ++i;
  }
  if (truncated && max_bytes >= 3) out->append("...");
}

std::string JsonQuote(absl::string_view value, size_t max_bytes) {
  std::string out = "\"";
  AppendJsonEscaped(value, max_bytes, &out);
  out.push_back('"');
  return out;
}

bool JsonWriter::NeedsComma() {
  if (after_key_) {
    after_key_ = false;
    return false;
  }
  if (depth_ == 0) return false;
  const uint64_t bit = uint64_t{1} << (depth_ < 64 ? depth_ : 63);
  if (first_ & bit) {
    first_ &= ~bit;
    return false;
  }
  return true;
}

void JsonWriter::BeforeValue() {
  if (NeedsComma()) out_->push_back(',');
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  ++depth_;
  first_ |= uint64_t{1} << (depth_ < 64 ? depth_ : 63);
}

void JsonWriter::EndObject() {
  out_->push_back('}');
  --depth_;
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  ++depth_;
  first_ |= uint64_t{1} << (depth_ < 64 ? depth_ : 63);
}

void JsonWriter::EndArray() {
  out_->push_back(']');
  --depth_;
}

void JsonWriter::Key(absl::string_view key, size_t max_bytes) {
  const char comma = NeedsComma() ? ',' : 0;
  after_key_ = true;
  // The common case (a short key with nothing to escape) in one append.
  if (key.size() <= max_bytes && IsPlainJson(key) &&
      AppendFramed(comma, key, "\":", out_)) {
    return;
  }
  if (comma != 0) out_->push_back(comma);
  out_->push_back('"');
  AppendJsonEscaped(key, max_bytes, out_);
  out_->append("\":");
}

void JsonWriter::String(absl::string_view value, size_t max_bytes) {
  const char comma = NeedsComma() ? ',' : 0;
  if (value.size() <= max_bytes && IsPlainJson(value) &&
      AppendFramed(comma, value, "\"", out_)) {
    return;
  }
  if (comma != 0) out_->push_back(comma);
  out_->push_back('"');
  AppendJsonEscaped(value, max_bytes, out_);
  out_->push_back('"');
}

void JsonWriter::Double(double value) {
  char buffer[kMaxJsonDouble + 1];
  size_t n = 0;
  if (NeedsComma()) buffer[n++] = ',';
  if (!std::isfinite(value)) {
    std::memcpy(buffer + n, "null", 4);
    out_->append(buffer, n + 4);
    return;
  }
  out_->append(buffer, FormatJsonDouble(value, buffer + n));
}

template <typename Integer>
void JsonWriter::Integral(Integer value) {
  char buffer[24];
  size_t n = 0;
  if (NeedsComma()) buffer[n++] = ',';
  auto result = std::to_chars(buffer + n, buffer + sizeof(buffer), value);
  out_->append(buffer, result.ptr);
}

void JsonWriter::Int(int64_t value) { Integral(value); }

void JsonWriter::Uint(uint64_t value) { Integral(value); }

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(absl::string_view json) {
  BeforeValue();
  out_->append(json.data(), json.size());
}

namespace {

// A strict recursive-descent JSON validator over a string_view.
class Scanner {
 public:
  explicit Scanner(absl::string_view s) : s_(s) {}

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                                s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  size_t pos() const { return pos_; }

  // Scans a string starting at '"'; decodes it into *out when non-null.
  bool String(std::string* out) {
    SkipSpace();
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        if (out) out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          if (out) out->push_back(e);
          break;
        case 'b':
          if (out) out->push_back('\b');
          break;
        case 'f':
          if (out) out->push_back('\f');
          break;
        case 'n':
          if (out) out->push_back('\n');
          break;
        case 'r':
          if (out) out->push_back('\r');
          break;
        case 't':
          if (out) out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' ||
                s_[pos_ + 1] != 'u') {
              return false;
            }
            pos_ += 2;
            if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          if (out) AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool Value(int depth) {
    if (depth > kMaxParseDepth) return false;
    SkipSpace();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') return String(nullptr);
    if (c == '{') {
      ++pos_;
      if (Consume('}')) return true;
      do {
        if (!String(nullptr) || !Consume(':') || !Value(depth + 1)) {
          return false;
        }
      } while (Consume(','));
      return Consume('}');
    }
    if (c == '[') {
      ++pos_;
      if (Consume(']')) return true;
      do {
        if (!Value(depth + 1)) return false;
      } while (Consume(','));
      return Consume(']');
    }
    if (Literal("true") || Literal("false") || Literal("null")) return true;
    return Number();
  }

 private:
  bool Literal(absl::string_view word) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  bool Digits() {
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool Number() {
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!Digits()) return false;
    }
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ParseJsonObject(absl::string_view json) {
  std::vector<std::pair<std::string, std::string>> members;
  Scanner scanner(json);
  auto error = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid JSON object: ", what, " at offset ", scanner.pos()));
  };
  if (!scanner.Consume('{')) return error("expected '{'");
  if (!scanner.Consume('}')) {
    do {
      std::string key;
      if (!scanner.String(&key)) return error("expected a string key");
      if (!scanner.Consume(':')) return error("expected ':'");
      scanner.SkipSpace();
      const size_t start = scanner.pos();
      if (!scanner.Value(1)) return error("invalid value");
      members.emplace_back(std::move(key), std::string(json.substr(
                                               start, scanner.pos() - start)));
    } while (scanner.Consume(','));
    if (!scanner.Consume('}')) return error("expected '}'");
  }
  scanner.SkipSpace();
  if (!scanner.AtEnd()) return error("trailing characters");
  return members;
}

std::optional<std::string> DecodeJsonString(absl::string_view raw) {
  Scanner scanner(raw);
  std::string out;
  if (!scanner.String(&out)) return std::nullopt;
  scanner.SkipSpace();
  if (!scanner.AtEnd()) return std::nullopt;
  return out;
}

}  // namespace sentry::internal
