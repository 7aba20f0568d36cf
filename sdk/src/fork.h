// Processes that fork: the SDK's threads do not exist in a child, and a
// lock another thread held at the fork stays held there. So in a child that
// keeps running after fork() (a pre-fork server's worker, or the moments
// before exec) the SDK is disabled: captures are dropped without taking a
// lock, Flush and Close return at once without touching the parent's
// threads, and nothing the parent had queued is sent twice.
//
//   internal::WatchForForks();            // once, from Client::Create
//   if (internal::InForkedChild()) return "";
//
// Thread-safe; InForkedChild is one relaxed atomic load, inline: a capture
// calls it, and a call into another page of code costs a cold capture more
// than the load (BENCHMARKS.md, paced runs).
#ifndef SENTRY_SDK_SRC_FORK_H_
#define SENTRY_SDK_SRC_FORK_H_

#include <atomic>
#include <cstdint>

namespace sentry::internal {

// Incremented in a forked child; read through ForkCount.
extern std::atomic<uint64_t> g_forks;

// Registers the pthread_atfork child handler (the first call only).
void WatchForForks();

// True in a process forked (after WatchForForks) from one where the SDK
// was initialized.
inline bool InForkedChild() {
  return g_forks.load(std::memory_order_relaxed) != 0;
}

// How many forks this process descends from since WatchForForks: state
// copied by a fork (a random generator's, say) is stale when this changed.
inline uint64_t ForkCount() { return g_forks.load(std::memory_order_relaxed); }

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_FORK_H_
