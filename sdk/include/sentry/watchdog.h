// Stuck work: a piece of work says how long it may take, and if it is still
// running after that, the SDK reports it once, as an error event: what was
// stuck and for how long, the stuck thread's stack (and every other
// thread's), with the scope of the hub that was current on the stuck thread.
// A deadlock, an endless loop or a blocking call without a timeout in one
// worker of a pool then shows up in Sentry although nothing crashed.
//
//   void HandleJob(const Job& job) {
//     sentry::WorkDeadline deadline("import job", absl::Seconds(30));
//     Import(job);   // still running 30 s later: reported (once)
//   }                // done later: a breadcrumb and a tag say after how long
//
// Entering and leaving cost a few tens of nanoseconds and take no lock: the
// guard writes into a slot of its thread. One SDK thread for the process
// (started by the first guard) looks at the slots four times a second; it
// depends neither on the stuck threads nor on their locks, so a report is
// sent when every worker is deadlocked too. To take the stacks it sends each
// thread of the process one signal (SIGRTMIN + 6 unless the program handles
// that signal itself, in which case only the report goes out, without
// stacks); a poll, epoll_wait or nanosleep interrupted by it may return
// EINTR once.
//
// Guards nest (up to 4 per thread; deeper ones are not watched). With no
// enabled SDK on the thread's hub, a report is not sent.
#ifndef SENTRY_WATCHDOG_H_
#define SENTRY_WATCHDOG_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sentry {
namespace internal {
struct WatchedWork;
}  // namespace internal

class [[nodiscard]] WorkDeadline {
 public:
  // `what` names the work in the report (its first 95 bytes are kept).
  WorkDeadline(absl::string_view what, absl::Duration deadline);
  WorkDeadline(const WorkDeadline&) = delete;
  WorkDeadline& operator=(const WorkDeadline&) = delete;
  ~WorkDeadline();

 private:
  internal::WatchedWork* work_;  // Null: not watched.
};

}  // namespace sentry

#endif  // SENTRY_WATCHDOG_H_
