// Throw-site stack traces: link //integrations/throw_site into a program
// and every exception it captures carries the stack where it was thrown,
// not only where it was caught and captured.
//
//   // BUILD: deps = ["//sdk:sentry", "//integrations/throw_site"]
//   try {
//     Parse(config);                      // throws deep inside
//   } catch (const std::exception& e) {
//     sentry::CaptureException(e);        // stack: Parse's throw statement
//   }
//
// How: the target defines __cxa_throw, the C++ runtime's entry point for
// every throw expression; it records the thrower's stack (Abseil's
// unwinder, about a microsecond) in a small per-thread ring keyed by the
// exception object, then calls the runtime's own __cxa_throw. The capture
// looks the object up on the capturing thread: an exception captured on
// another thread (through std::exception_ptr) gets the capture-site stack.
// Nothing to call: linking the target is the switch.
#ifndef SENTRY_INTEGRATIONS_THROW_SITE_H_
#define SENTRY_INTEGRATIONS_THROW_SITE_H_

namespace sentry {

// Whether throw sites are being recorded (false if the runtime's
// __cxa_throw could not be found; exceptions then still work as usual).
bool ThrowSitesRecorded();

}  // namespace sentry

#endif  // SENTRY_INTEGRATIONS_THROW_SITE_H_
