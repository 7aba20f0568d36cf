#include "sdk/src/cache_layout.h"

#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sentry::internal::cache_layout {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Appends to a fixed buffer without allocating; `ok` turns false when it
// does not fit.
struct Writer {
  char* out;
  size_t capacity;
  size_t length = 0;
  bool ok = true;
  void Add(const char* s, size_t n) {
    if (!ok || length + n + 1 > capacity) {
      ok = false;
      return;
    }
    std::memcpy(out + length, s, n);
    length += n;
  }
  void Add(absl::string_view s) { Add(s.data(), s.size()); }
  void Decimal(uint64_t value, int width) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n < width) digits[n++] = '0';
    while (n > 0) Add(&digits[--n], 1);
  }
  size_t Finish() {
    if (!ok) return 0;
    out[length] = '\0';
    return length;
  }
};

}  // namespace

std::string SpoolFileName(absl::Time written, absl::string_view random8,
                          absl::string_view sha256_hex) {
  return absl::StrFormat("%020d-%s-%s%s", absl::ToUnixMicros(written), random8,
                         sha256_hex, kSpoolSuffix);
}

std::optional<SpoolName> ParseSpoolFileName(absl::string_view name) {
  if (!absl::ConsumeSuffix(&name, kSpoolSuffix)) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(name, '-');
  int64_t micros;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &micros) ||
      parts[2].size() != 64) {
    return std::nullopt;
  }
  return SpoolName{absl::FromUnixMicros(micros), std::string(parts[2])};
}

std::string TemporaryName(absl::string_view spool_name) {
  return absl::StrCat(".", spool_name, ".tmp");
}

std::string SessionFileName(int pid, absl::string_view sid) {
  return absl::StrCat(kSessionPrefix, pid, "-", sid);
}

std::string CrashMarkerName(int pid) {
  return absl::StrCat(kCrashMarkerPrefix, pid);
}

std::optional<int> ParseCrashMarker(absl::string_view name) {
  int pid = 0;
  if (!absl::ConsumePrefix(&name, kCrashMarkerPrefix) ||
      !absl::SimpleAtoi(name, &pid) || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

std::string OomRecordName(int pid) {
  return absl::StrCat(kOomRecordPrefix, pid);
}

std::optional<int> ParseOomRecord(absl::string_view name) {
  int pid = 0;
  if (!absl::ConsumePrefix(&name, kOomRecordPrefix) ||
      !absl::SimpleAtoi(name, &pid) || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

size_t SpoolFileNameSignalSafe(uint64_t written_micros, const char random8[8],
                               const uint8_t sha256[32], char* out,
                               size_t capacity) {
  Writer w{out, capacity};
  w.Decimal(written_micros, 20);
  w.Add("-", 1);
  w.Add(random8, 8);
  w.Add("-", 1);
  for (int i = 0; i < 32; ++i) {
    w.Add(&kHex[sha256[i] >> 4], 1);
    w.Add(&kHex[sha256[i] & 15], 1);
  }
  w.Add(kSpoolSuffix);
  return w.Finish();
}

size_t CrashMarkerNameSignalSafe(int pid, char* out, size_t capacity) {
  Writer w{out, capacity};
  w.Add(kCrashMarkerPrefix);
  w.Decimal(static_cast<uint64_t>(pid), 0);
  return w.Finish();
}

}  // namespace sentry::internal::cache_layout
