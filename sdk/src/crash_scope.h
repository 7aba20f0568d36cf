// CrashScope: the scope data a crash on the calling thread happens under,
// written as JSON without allocating and without taking a lock. For the
// crash integration's signal handler: on the crashing thread, after the
// crash handler process has stopped every other thread.
//
//   static char scope[256 * 1024];
//   size_t n = internal::CrashScope::Write(scope, sizeof(scope),
//                                          /*max_breadcrumbs=*/100);
//   // {"level":"error","tags":{...},"contexts":{"trace":{...}},...}
//
// The document is a Sentry event's scope fields, as ApplyScopes would put
// them into an event captured now on this thread: the current hub's top
// scope over the global scope (tags, extra, contexts, user, level,
// transaction, fingerprint; contexts.trace of the active span, else of the
// propagation context), and the newest `max_breadcrumbs` breadcrumbs of
// both. Event processors are left out. The attachments of both are in an
// "attachments" member (not an event field: the crash handler takes it out
// and reads each), [{"filename", "content_type", "path"} or {"filename",
// "content_type", "address", "length"}]: a file by its path, bytes by where
// they are in this process's memory.
//
// The scopes are read without their locks. A scope changes only under its
// lock and its data is replaced, not changed, while shared (copy-on-write),
// so what this thread set last is what is read; a scope that a stopped
// thread was changing at the crash may be read half-changed, so every loop
// is bounded and a fault inside these functions is the caller's to catch
// (the crash integration then sends the main hub's scope as rendered
// ahead of time).
//
// Async-signal-safe in the sense above: no allocation, no lock, no stdio.
#ifndef SENTRY_SDK_SRC_CRASH_SCOPE_H_
#define SENTRY_SDK_SRC_CRASH_SCOPE_H_

#include <cstddef>

namespace sentry::internal {

class CrashScope {
 public:
  // The scope document; its length, or 0 when it did not fit `capacity`.
  static size_t Write(char* out, size_t capacity, size_t max_breadcrumbs);
  // The envelope's "trace" header of the same trace, when it is frozen (an
  // active transaction's, or one continued from a caller): its length, or
  // 0 (none, or did not fit).
  static size_t WriteDsc(char* out, size_t capacity);

 private:
  class Reader;  // Reads the current hub's layers (a friend of Hub).
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_CRASH_SCOPE_H_
