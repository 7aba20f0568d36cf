// A transport that writes each envelope to a stream, for local development
// and examples.
//
//   options.transport = sentry::NewStdoutTransport(std::cout);
//
// Writes happen on the SDK's worker thread, one whole envelope at a time,
// with "sent_at" set at write time. The stream must outlive the transport.
#ifndef SENTRY_TRANSPORTS_STDOUT_TRANSPORT_H_
#define SENTRY_TRANSPORTS_STDOUT_TRANSPORT_H_

#include <memory>
#include <ostream>

#include "sentry/transport.h"

namespace sentry {

std::shared_ptr<Transport> NewStdoutTransport(std::ostream& out);

}  // namespace sentry

#endif  // SENTRY_TRANSPORTS_STDOUT_TRANSPORT_H_
