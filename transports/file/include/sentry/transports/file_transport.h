// A transport that writes each envelope to its own file in a directory,
// atomically (a temporary file renamed into place), as
// <event id or random id>.envelope. The files are what `sentry-cli
// send-envelope` reads.
//
//   auto transport = sentry::NewFileTransport("/var/spool/my-app/sentry");
//   if (!transport.ok()) std::cerr << transport.status();  // unwritable dir
//   options.transport = *transport;
//
// A write that fails later (disk full, directory removed) is logged and
// counted as a dropped envelope in the client reports; it never throws.
// Files are written without "sent_at": that is set when they are sent.
#ifndef SENTRY_TRANSPORTS_FILE_TRANSPORT_H_
#define SENTRY_TRANSPORTS_FILE_TRANSPORT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sentry/transport.h"

namespace sentry {

// Creates the directory if needed and checks that it is writable.
absl::StatusOr<std::shared_ptr<Transport>> NewFileTransport(
    std::string directory);

}  // namespace sentry

#endif  // SENTRY_TRANSPORTS_FILE_TRANSPORT_H_
