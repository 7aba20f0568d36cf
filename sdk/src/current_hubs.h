// The threads' current hubs, as sentry::Init resets them and the SDK reads
// them (implemented in hub.cc, which owns them).
//
//   internal::ResetCurrentHubs();  // after Hub::Main() got its new client
#ifndef SENTRY_SDK_SRC_CURRENT_HUBS_H_
#define SENTRY_SDK_SRC_CURRENT_HUBS_H_

namespace sentry {
class Hub;
namespace internal {

// Starts a new generation (every thread's implicit hub is forked again from
// the main hub) and makes the main hub current on the calling thread.
void ResetCurrentHubs();

// Hub::Current() without copying the shared pointer (whose count the
// calling thread would write): valid until this thread's hub is replaced;
// null only while a null hub is bound.
Hub* CurrentHub();

// The hub this thread's events would go to now, without creating one,
// allocating or taking a lock: this thread's own hub while it is bound or
// current, else the main hub (of which this thread's first call would fork
// its own). For a crash handler on the crashing thread.
Hub* PeekCurrentHub();

// Runs `hook` on every thread the first time it uses a hub (current or
// bound), on that thread; null removes it. The crash integration
// gives each such thread a signal stack here.
void SetThreadFirstUseHook(void (*hook)());

}  // namespace internal
}  // namespace sentry

#endif  // SENTRY_SDK_SRC_CURRENT_HUBS_H_
