#include "sentry/transports/file_transport.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "sdk/src/file_util.h"
#include "sdk/src/log.h"
#include "sdk/src/random.h"

namespace sentry {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::PermissionDeniedError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

class FileTransport final : public Transport {
 public:
  explicit FileTransport(std::string directory)
      : directory_(std::move(directory)) {}

  void Start(std::shared_ptr<ClientReports> reports) noexcept override {
    absl::MutexLock lock(&mu_);
    reports_ = std::move(reports);
  }

  void SendEnvelope(Envelope envelope) noexcept override {
    absl::Status status;
    try {
      std::string id = envelope.event_id();
      if (id.empty()) id = internal::NewEventId();
      status = internal::WriteFileAtomically(
          directory_, absl::StrCat(id, ".envelope"), envelope.Serialize(),
          /*sync=*/false, /*mode=*/0644);
    } catch (...) {  // std::bad_alloc
      status = absl::ResourceExhaustedError("out of memory");
    }
    if (status.ok()) return;
    internal::Log(internal::LogLevel::kError,
                  "file transport: ", status.ToString());
    absl::MutexLock lock(&mu_);
    if (reports_ != nullptr) {
      reports_->RecordEnvelope(DiscardReason::kInternalSdkError, envelope);
    }
  }

 private:
  const std::string directory_;
  absl::Mutex mu_;
  std::shared_ptr<ClientReports> reports_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::shared_ptr<Transport>> NewFileTransport(
    std::string directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("file transport: empty directory");
  }
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError("file transport: cannot create directory", directory);
  }
  struct stat st;
  if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("file transport: not a directory: ", directory));
  }
  // Prove that files can be created there, not only that the mode bits say so.
  const std::string probe =
      absl::StrCat(directory, "/.probe-", internal::NewEventId());
  const int fd =
      ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return ErrnoError("file transport: directory not writable:", directory);
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return std::make_shared<FileTransport>(std::move(directory));
}

}  // namespace sentry
