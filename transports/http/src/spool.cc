#include "transports/http/src/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "sdk/src/cache_layout.h"
#include "sdk/src/file_util.h"
#include "sdk/src/log.h"
#include "sdk/src/random.h"
#include "sentry/envelope.h"

#ifndef OPENSSL_IS_BORINGSSL
#error "sentry-cpp must be compiled against BoringSSL's headers"
#endif

namespace sentry::internal {
namespace {

std::string Sha256Hex(absl::string_view bytes) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::optional<cache_layout::SpoolName> ParseName(absl::string_view name) {
  return cache_layout::ParseSpoolFileName(name);
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat("spool: ", what, " ", path, ": ", std::strerror(errno)));
}

bool ReadAll(int fd, std::string* out) {
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buffer, static_cast<size_t>(n));
  }
}

off_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

}  // namespace

std::string SpoolFileName(absl::Time written, absl::string_view bytes) {
  return cache_layout::SpoolFileName(written, RandomHex(4), Sha256Hex(bytes));
}

SpooledFile::SpooledFile(int fd, std::string path, std::string bytes)
    : fd_(fd), path_(std::move(path)), bytes_(std::move(bytes)) {}

SpooledFile::SpooledFile(SpooledFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      bytes_(std::move(other.bytes_)) {}

SpooledFile& SpooledFile::operator=(SpooledFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    bytes_ = std::move(other.bytes_);
  }
  return *this;
}

SpooledFile::~SpooledFile() {
  if (fd_ >= 0) ::close(fd_);  // Closing drops the flock.
}

Spool::Spool(std::string directory, SpoolLimits limits,
             std::shared_ptr<ClientReports> reports)
    : directory_(std::move(directory)),
      limits_(limits),
      reports_(std::move(reports)) {}

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(
    std::string directory, SpoolLimits limits,
    std::shared_ptr<ClientReports> reports) {
  if (directory.empty()) return absl::InvalidArgumentError("spool: empty path");
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  // Create missing parents too, like `mkdir -p`.
  for (size_t slash = directory.find('/', 1);;
       slash = directory.find('/', slash + 1)) {
    const std::string prefix = directory.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create directory", prefix);
    }
    if (slash == std::string::npos) break;
  }
  struct stat st;
  if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spool: not a directory: ", directory));
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return ErrnoStatus("directory not writable:", directory);
  }
  return std::unique_ptr<Spool>(
      new Spool(std::move(directory), limits, std::move(reports)));
}

absl::Status Spool::Store(absl::string_view bytes, absl::Time created) {
  if (bytes.size() > limits_.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("spool: envelope of ", bytes.size(),
                     " bytes exceeds the spool's ", limits_.max_bytes));
  }
  const std::string name = SpoolFileName(created, bytes);
  absl::Status status = WriteFileAtomically(directory_, name, bytes,
                                            /*sync=*/true, /*mode=*/0600);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("spool: ", status.message()));
  }
  Enforce();
  return absl::OkStatus();
}

std::vector<std::string> Spool::List() const {
  std::vector<std::string> names;
  DIR* dir = ::opendir(directory_.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (ParseName(name)) names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());  // Zero-padded times: oldest first.
  return names;
}

void Spool::Evict(const std::string& name, absl::string_view why) {
  const std::string path = absl::StrCat(directory_, "/", name);
  std::string bytes;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  // A file someone is sending right now is theirs to finish.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !ReadAll(fd, &bytes) ||
      ::unlink(path.c_str()) != 0) {
    ::close(fd);
    return;
  }
  ::close(fd);
  Log(LogLevel::kWarning, "spool: evicted ", name, " (", why, ")");
  if (reports_ == nullptr) return;
  auto envelope = Envelope::Parse(bytes);
  if (envelope.ok()) {
    reports_->RecordEnvelope(DiscardReason::kCacheOverflow, *envelope);
  }
}

void Spool::SetAside(const std::string& name, absl::string_view why) {
  const std::string path = absl::StrCat(directory_, "/", name);
  const std::string aside = absl::StrCat(path, cache_layout::kCorruptSuffix);
  Log(LogLevel::kError, "spool: ", name, " is ", why, "; set aside as ", aside,
      ", not sent");
  if (::rename(path.c_str(), aside.c_str()) != 0) ::unlink(path.c_str());
}

void Spool::Enforce() {
  std::vector<std::string> names = List();
  const absl::Time oldest_allowed = absl::Now() - limits_.max_age;
  size_t total = 0;
  std::vector<std::pair<std::string, off_t>> kept;
  for (auto& name : names) {
    if (ParseName(name)->written < oldest_allowed) {
      Evict(name, "too old");
      continue;
    }
    const off_t size = FileSize(absl::StrCat(directory_, "/", name));
    total += static_cast<size_t>(size);
    kept.emplace_back(std::move(name), size);
  }
  for (size_t i = 0; i < kept.size(); ++i) {
    const size_t files = kept.size() - i;
    if (files <= limits_.max_files && total <= limits_.max_bytes) break;
    Evict(kept[i].first, "spool full");
    total -= static_cast<size_t>(kept[i].second);
  }
}

std::optional<SpooledFile> Spool::ClaimNext() {
  const absl::Time oldest_allowed = absl::Now() - limits_.max_age;
  for (const std::string& name : List()) {
    const auto parsed = ParseName(name);
    if (parsed->written < oldest_allowed) {
      Evict(name, "too old");
      continue;
    }
    const std::string path = absl::StrCat(directory_, "/", name);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // Taken and finished by another process.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);  // Being sent by another process (or by us).
      continue;
    }
    // The other process may have finished and deleted the file between our
    // open and our lock: then this inode is no longer the spooled file.
    struct stat by_fd, by_path;
    if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0 ||
        by_fd.st_ino != by_path.st_ino || by_fd.st_dev != by_path.st_dev) {
      ::close(fd);
      continue;
    }
    std::string bytes;
    if (!ReadAll(fd, &bytes)) {
      ::close(fd);
      continue;
    }
    if (Sha256Hex(bytes) != parsed->sha256_hex) {
      ::close(fd);
      SetAside(name, "corrupt or truncated (SHA-256 mismatch)");
      continue;
    }
    if (auto envelope = Envelope::Parse(bytes); !envelope.ok()) {
      ::close(fd);
      SetAside(name, absl::StrCat("not an envelope (",
                                  envelope.status().message(), ")"));
      continue;
    }
    return SpooledFile(fd, path, std::move(bytes));
  }
  return std::nullopt;
}

void Spool::Done(SpooledFile file) {
  // Unlinked while still locked, so no one can claim it in between.
  ::unlink(file.path().c_str());
}

}  // namespace sentry::internal
