// The calls without any SDK that the load generator and the footprint
// program measure beside the SDK's (loadgen --api floor|touch): what the
// machine charges any call at a given rate, whatever the SDK.
//
//   loadgen::Floor(text);  // the least a capture that queues does
//   loadgen::Touch();      // the least any call does
//
// Floor is thread-safe (its own lock); Touch writes one shared byte.
#ifndef SENTRY_EXAMPLES_LOADGEN_REFERENCE_CALLS_H_
#define SENTRY_EXAMPLES_LOADGEN_REFERENCE_CALLS_H_

#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

// The least that any capture that queues its event does: under a lock, a
// copy of the text (a fresh heap string) goes into a ring of slots, freeing
// the one it replaces (as a consumer would).
inline void Floor(const std::string& text) {
  static std::mutex mu;
  static auto* ring = new std::vector<std::string>(1024);
  static size_t next = 0;
  std::string copy(text);
  std::lock_guard<std::mutex> lock(mu);
  (*ring)[next++ % ring->size()] = std::move(copy);
}

// One byte written to a cache line of the program's own.
inline void Touch() {
  alignas(64) static volatile char line[64];
  line[0] = static_cast<char>(line[0] + 1);
}

}  // namespace loadgen

#endif  // SENTRY_EXAMPLES_LOADGEN_REFERENCE_CALLS_H_
