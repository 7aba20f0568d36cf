// Crash capture: fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
// are caught on an alternate stack and written as a crash event into the
// offline spool (Options::cache_dir); the next sentry::Init sends it.
//
//   sentry::Options options;
//   options.cache_dir = "/var/cache/my-app/sentry";   // required
//   options.integrations.push_back(sentry::NewCrashIntegration());
//   auto guard = sentry::Init(std::move(options));
//
// The handler does only async-signal-safe work: the event (release, tags,
// user, breadcrumbs, contexts of the main hub's scope, and the debug images
// of every loaded module) is rendered ahead of time by a background thread
// (every 250 ms) into a static buffer; the handler adds the signal, the
// crashing thread's stack (return addresses, from the signal's context),
// a SHA-256 file name, writes the file with open/write/rename, then
// restores the previous handler and re-raises the signal.
//
// Target //integrations/crash. One crash handler per process: a second
// client's integration replaces the first's state.
#ifndef SENTRY_INTEGRATIONS_CRASH_H_
#define SENTRY_INTEGRATIONS_CRASH_H_

#include <memory>

#include "sentry/integration.h"

namespace sentry {

std::shared_ptr<Integration> NewCrashIntegration();

}  // namespace sentry

#endif  // SENTRY_INTEGRATIONS_CRASH_H_
