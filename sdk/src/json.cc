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
    size_t run = i;
    while (run < value.size() &&
           !kSpecial.table[static_cast<unsigned char>(value[run])]) {
      ++run;
    }
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

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const uint64_t bit = uint64_t{1} << (depth_ < 64 ? depth_ : 63);
  if (first_ & bit) {
    first_ &= ~bit;
  } else {
    out_->push_back(',');
  }
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
  BeforeValue();
  out_->push_back('"');
  AppendJsonEscaped(key, max_bytes, out_);
  out_->append("\":");
  after_key_ = true;
}

void JsonWriter::String(absl::string_view value, size_t max_bytes) {
  BeforeValue();
  out_->push_back('"');
  AppendJsonEscaped(value, max_bytes, out_);
  out_->push_back('"');
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_->append("null");
    return;
  }
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, result.ptr);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
}

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
