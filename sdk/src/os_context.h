// What the SDK reports about the machine it runs on: the "os" context
// (uname and /etc/os-release) and the host name (the default server_name).
//
//   (*event.mutable_contexts())["os"] = internal::ReadOsContext();
//   event.set_server_name(internal::HostName());
//
// Thread-safe; each call reads the system afresh (callers keep the result).
#ifndef SENTRY_SDK_SRC_OS_CONTEXT_H_
#define SENTRY_SDK_SRC_OS_CONTEXT_H_

#include <string>

#include "google/protobuf/struct.pb.h"

namespace sentry::internal {

// {"name": "Linux", "version": <release>, "kernel_version": <version>,
//  "distribution": {"name", "version", "pretty_name"}}.
google::protobuf::Struct ReadOsContext();

// gethostname(), or "" when it fails.
std::string HostName();

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_OS_CONTEXT_H_
