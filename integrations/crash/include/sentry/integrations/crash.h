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
// Before a step that may crash, a program can make sure the crash event
// holds the scope as it is now (rather than as of the last refresh):
//
//   sentry::ConfigureScope([](sentry::Scope& s) { s.SetTag("step", "3"); });
//   sentry::WaitForCrashEventPrepared(absl::Seconds(1));
//
// Target //integrations/crash. One crash handler per process: a second
// client's integration replaces the first's state.
#ifndef SENTRY_INTEGRATIONS_CRASH_H_
#define SENTRY_INTEGRATIONS_CRASH_H_

#include <memory>

#include "absl/time/time.h"
#include "sentry/integration.h"

namespace sentry {

std::shared_ptr<Integration> NewCrashIntegration();

// Renders the main hub's scope into the crash event now and waits until it
// is in place. False when no crash integration is set up (no cache_dir, or
// no Init) or after `timeout`.
bool WaitForCrashEventPrepared(absl::Duration timeout);

}  // namespace sentry

#endif  // SENTRY_INTEGRATIONS_CRASH_H_
