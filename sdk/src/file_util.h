// Writing a file so that readers see either nothing or all of it: the bytes
// go to a hidden temporary file in the same directory, which is then
// renamed into place.
//
//   absl::Status status =
//       internal::WriteFileAtomically(dir, "x.envelope", bytes,
//                                     /*sync=*/true, /*mode=*/0600);
//
// Errors name the path and the system's reason. Thread-safe.
#ifndef SENTRY_SDK_SRC_FILE_UTIL_H_
#define SENTRY_SDK_SRC_FILE_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sentry::internal {

// `sync`: the data reaches the disk before the name does, so a crash of the
// machine leaves nothing rather than a truncated file.
absl::Status WriteFileAtomically(const std::string& directory,
                                 const std::string& name,
                                 absl::string_view bytes, bool sync, int mode);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_FILE_UTIL_H_
