// Spool: the offline cache of envelopes that could not be delivered yet
// (network down, shutdown timeout), kept in a directory as standard
// `.envelope` files that `sentry-cli send-envelope` can read.
//
//   auto spool = Spool::Open("/var/cache/my-app/sentry", limits, reports);
//   (*spool)->Store(envelope_bytes);           // never sent twice, never lost
//   while (auto file = (*spool)->ClaimNext()) {  // oldest first
//     if (Send(file->bytes())) (*spool)->Done(*std::move(file));
//   }
//
// File names carry the write time and the SHA-256 of the contents:
// `<unix micros>-<random>-<sha256>.envelope`. A file whose contents do not
// match its name (truncated, corrupt) is renamed `*.corrupt` and never sent.
// A claimed file is locked (flock) until it is done or released, so two
// processes sharing a directory never send the same file twice; a process
// that dies releases its locks, and its files are sent by the next one.
//
// Not thread-safe: one owner (the HTTP transport's worker thread).
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_SPOOL_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_SPOOL_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/client_reports.h"

namespace sentry::internal {

struct SpoolLimits {
  size_t max_files = 100;
  size_t max_bytes = 64 << 20;
  absl::Duration max_age = absl::Hours(24 * 7);
};

// One file claimed for sending; holds its lock until destroyed.
class SpooledFile {
 public:
  SpooledFile(int fd, std::string path, std::string bytes);
  SpooledFile(SpooledFile&& other) noexcept;
  SpooledFile& operator=(SpooledFile&& other) noexcept;
  ~SpooledFile();  // Releases the lock; the file stays for a later retry.

  const std::string& path() const { return path_; }
  const std::string& bytes() const { return bytes_; }

 private:
  int fd_;
  std::string path_;
  std::string bytes_;
};

class Spool {
 public:
  // Creates `directory` if needed; fails with a clear message when it cannot
  // be created or written. Evictions are counted in `reports` (may be null).
  static absl::StatusOr<std::unique_ptr<Spool>> Open(
      std::string directory, SpoolLimits limits,
      std::shared_ptr<ClientReports> reports);

  // Writes one envelope (atomically: temporary file, then rename), then
  // evicts the oldest files beyond the limits (counted as cache_overflow).
  // `created` orders the files (when the envelope was first queued).
  absl::Status Store(absl::string_view envelope_bytes,
                     absl::Time created = absl::Now());

  // The oldest intact file no one else has claimed, or nullopt.
  std::optional<SpooledFile> ClaimNext();
  // The file was delivered (or definitively dropped): deletes it.
  void Done(SpooledFile file);

  // Names of the files currently spooled, oldest first (for tests).
  std::vector<std::string> List() const;
  const std::string& directory() const { return directory_; }
  // Where evictions are counted (may be null).
  void set_reports(std::shared_ptr<ClientReports> reports) {
    reports_ = std::move(reports);
  }

 private:
  Spool(std::string directory, SpoolLimits limits,
        std::shared_ptr<ClientReports> reports);
  void Enforce();
  void Evict(const std::string& name, absl::string_view why);
  void SetAside(const std::string& name, absl::string_view why);

  const std::string directory_;
  const SpoolLimits limits_;
  std::shared_ptr<ClientReports> reports_;
};

// The name a spooled envelope gets; exposed for tests and for writers that
// cannot use Spool (a crash handler).
std::string SpoolFileName(absl::Time written, absl::string_view bytes);

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_SPOOL_H_
