// The cache directory's layout, in one place. Its files:
//   <micros, 20 digits>-<8 hex random>-<SHA-256 hex>.envelope
//                                  a spooled envelope (what sentry-cli reads)
//   .<spool name>.tmp              one being written (renamed when complete)
//   <spool name>.corrupt           one whose digest did not match (kept)
//   session-<pid>-<sid>            the open session of a running process
//   crashed-<pid>                  left by the crash handler of process pid
//   oom-<pid>                      process pid's memory cgroup's OOM kill
//                                  count at its start (integrations/crash)
// The spool (transports/http), the session tracker and the crash handler
// (integrations/crash) name and recognize files only through this header;
// the crash handler uses the signal-safe formatters, which allocate nothing.
//
//   std::string name = cache_layout::SpoolFileName(now, random8, digest_hex);
//   if (auto pid = cache_layout::ParseCrashMarker(entry->d_name)) ...
//
// Thread-safe (pure functions); the *SignalSafe ones are async-signal-safe.
#ifndef SENTRY_SDK_SRC_CACHE_LAYOUT_H_
#define SENTRY_SDK_SRC_CACHE_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sentry::internal::cache_layout {

inline constexpr absl::string_view kSpoolSuffix = ".envelope";
inline constexpr absl::string_view kCorruptSuffix = ".corrupt";
inline constexpr absl::string_view kSessionPrefix = "session-";
inline constexpr absl::string_view kCrashMarkerPrefix = "crashed-";
inline constexpr absl::string_view kOomRecordPrefix = "oom-";

// `random8`: 8 hex digits; `sha256_hex`: 64.
std::string SpoolFileName(absl::Time written, absl::string_view random8,
                          absl::string_view sha256_hex);

struct SpoolName {
  absl::Time written;
  std::string sha256_hex;
};
// A spooled envelope's name, parsed; nullopt for any other name.
std::optional<SpoolName> ParseSpoolFileName(absl::string_view name);

// The temporary name a spool file is written under before its rename.
std::string TemporaryName(absl::string_view spool_name);

std::string SessionFileName(int pid, absl::string_view sid);
std::string CrashMarkerName(int pid);
// The pid of a crash marker's name; nullopt for any other name.
std::optional<int> ParseCrashMarker(absl::string_view name);

std::string OomRecordName(int pid);
// The pid of an OOM record's name; nullopt for any other name.
std::optional<int> ParseOomRecord(absl::string_view name);

// Signal-safe forms: write the name into `out` (NUL-terminated) and return
// its length, or 0 when `capacity` is too small.
size_t SpoolFileNameSignalSafe(uint64_t written_micros, const char random8[8],
                               const uint8_t sha256[32], char* out,
                               size_t capacity);
size_t CrashMarkerNameSignalSafe(int pid, char* out, size_t capacity);

}  // namespace sentry::internal::cache_layout

#endif  // SENTRY_SDK_SRC_CACHE_LAYOUT_H_
