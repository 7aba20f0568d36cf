#include "sdk/src/fatal.h"

#include <atomic>

namespace sentry::internal {
namespace {
std::atomic<bool> fatal_reported{false};
static_assert(std::atomic<bool>::is_always_lock_free);
}  // namespace

void MarkFatalReported() { fatal_reported.store(true); }
bool FatalAlreadyReported() { return fatal_reported.load(); }

}  // namespace sentry::internal
