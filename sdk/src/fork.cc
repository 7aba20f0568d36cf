#include "sdk/src/fork.h"

#include <pthread.h>

#include <atomic>

namespace sentry::internal {
namespace {

std::atomic<bool> g_forked_child{false};

void OnForkInChild() { g_forked_child.store(true, std::memory_order_relaxed); }

}  // namespace

void WatchForForks() {
  static const bool registered =
      pthread_atfork(nullptr, nullptr, &OnForkInChild) == 0;
  (void)registered;
}

bool InForkedChild() { return g_forked_child.load(std::memory_order_relaxed); }

}  // namespace sentry::internal
