#include "sdk/src/fork.h"

#include <pthread.h>

#include <atomic>

namespace sentry::internal {

std::atomic<uint64_t> g_forks{0};

namespace {

void OnForkInChild() { g_forks.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

void WatchForForks() {
  static const bool registered =
      pthread_atfork(nullptr, nullptr, &OnForkInChild) == 0;
  (void)registered;
}

}  // namespace sentry::internal
