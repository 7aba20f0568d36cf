// Whether this process has already reported the fatal error that is ending
// it (the terminate handler did, so the crash handler, seeing the abort()
// that follows, does not report it again).
//
//   internal::MarkFatalReported();            // in std::terminate's handler
//   if (!internal::FatalAlreadyReported()) {}  // in a signal handler
//
// Async-signal-safe: one lock-free atomic.
#ifndef SENTRY_SDK_SRC_FATAL_H_
#define SENTRY_SDK_SRC_FATAL_H_

namespace sentry::internal {

void MarkFatalReported();
bool FatalAlreadyReported();

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_FATAL_H_
