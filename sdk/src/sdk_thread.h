// What every thread the SDK starts does first: takes its name (as `top -H`,
// gdb and /proc show it) and a scheduling class that never preempts the
// application thread that woke it.
//
//   worker_ = std::thread([this] {
//     internal::BecomeSdkThread("sentry-client");
//     WorkerLoop();
//   });
//
// Linux wakes a thread by preempting the one running on its CPU when the
// woken thread has run less (wake-up preemption): a capture that hands work
// to the SDK would then wait for that work on a busy machine. SCHED_BATCH
// threads get the same share of the CPU as any other, but never preempt on
// wake-up; they run when a CPU is free or at the next scheduler tick. The
// SDK's threads only ever do deferred work, which can wait that long.
#ifndef SENTRY_SDK_SRC_SDK_THREAD_H_
#define SENTRY_SDK_SRC_SDK_THREAD_H_

namespace sentry::internal {

// Names the calling thread (at most 15 characters) and moves it to
// SCHED_BATCH; a failure (a sandbox that forbids it) is logged, not fatal.
void BecomeSdkThread(const char* name);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_SDK_THREAD_H_
