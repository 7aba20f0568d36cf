#include "sdk/src/fork.h"

#include <pthread.h>

#include <atomic>

namespace sentry::internal {
namespace {

std::atomic<uint64_t> g_forks{0};

void OnForkInChild() { g_forks.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

void WatchForForks() {
  static const bool registered =
      pthread_atfork(nullptr, nullptr, &OnForkInChild) == 0;
  (void)registered;
}

bool InForkedChild() { return ForkCount() != 0; }

uint64_t ForkCount() { return g_forks.load(std::memory_order_relaxed); }

}  // namespace sentry::internal
