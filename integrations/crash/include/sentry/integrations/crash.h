// Crash capture: fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
// become a crash event (level fatal) and close the session as crashed.
//
//   sentry::Options options;
//   options.cache_dir = "/var/cache/my-app/sentry";   // required
//   options.integrations.push_back(sentry::NewCrashIntegration());
//   auto guard = sentry::Init(std::move(options));
//
// Two backends; Init picks the first that works and the debug log says
// which.
//
// Out of process (the default): Init starts the handler executable,
// sentry-crash-handler (target //integrations/crash:sentry-crash-handler),
// found at CrashOptions::handler_path, else beside the program, else in the
// program's Bazel runfiles (a cc_binary that depends on //integrations/crash
// has it there). On a crash the crashing thread hands its signal context to
// the handler and waits (at most CrashOptions::handler_timeout per step);
// the handler stops every other thread with ptrace and unwinds each with
// the modules' call frame information, and the crashing thread writes its
// own scope meanwhile (its current hub's: tags, user, contexts, extras,
// breadcrumbs up to the last one, and contexts.trace of its active span).
// The handler writes the event, with a `threads` entry for every thread
// (named, the crashed one first and flagged) and the crashed session, into
// the spool, lets the process die (the previous signal handler runs, core
// dumps happen), and sends it at once through the HTTP transport when the
// client has a DSN (else the next run sends it).
//
// In process (when the handler cannot be started, after a fork, or with
// CrashOptions::out_of_process false): the event is rendered ahead of time
// by a background thread (every 250 ms) from the main hub's scope into a
// static buffer; the signal handler adds the signal and the crashing
// thread's stack, writes it into the spool with open/write/rename, and the
// next sentry::Init sends it. Before a step that may crash, a program can
// make sure that event holds the scope as it is now:
//
//   sentry::ConfigureScope([](sentry::Scope& s) { s.SetTag("step", "3"); });
//   sentry::WaitForCrashEventPrepared(absl::Seconds(1));
//
// Target //integrations/crash. One crash handler per process: a second
// client's integration replaces the first's state. x86-64 Linux for the
// handler process; elsewhere the in-process backend runs.
#ifndef SENTRY_INTEGRATIONS_CRASH_H_
#define SENTRY_INTEGRATIONS_CRASH_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "sentry/integration.h"

namespace sentry {

struct CrashOptions {
  // Capture crashes from a handler process (see above).
  bool out_of_process = true;
  // The handler executable; empty: beside the program, else in its runfiles.
  std::string handler_path;
  // How long a crashing thread waits for each answer of the handler before
  // it writes the crash itself.
  absl::Duration handler_timeout = absl::Seconds(5);
  // Attach a Linux minidump of the crashed process (every thread's
  // registers and stack memory, the modules with their build ids, the
  // exception) to the crash event as `event.minidump` (out of process only).
  bool attach_minidump = false;
};

std::shared_ptr<Integration> NewCrashIntegration(CrashOptions options = {});

// Whether the handler process was started (the out-of-process backend runs).
bool CrashHandlerRunning();

// Renders the main hub's scope into the in-process backend's crash event
// now and waits until it is in place. False when no crash integration is
// set up (no cache_dir, or no Init) or after `timeout`.
bool WaitForCrashEventPrepared(absl::Duration timeout);

}  // namespace sentry

#endif  // SENTRY_INTEGRATIONS_CRASH_H_
