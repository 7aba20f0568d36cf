// ThreadSanitizer's default suppressions for programs that link the SDK, so
// that a user's --config=tsan build needs no suppression file of ours.
//
// The one entry is a false positive in Abseil 20220623 (the version the SDK
// pins), which any contended absl::Mutex shows: a waiting thread's futex word
// (synchronization_internal::Waiter) lives in memory that LowLevelAlloc
// mmaps for its ThreadIdentity, and the waker's atomic increment is ordered
// after that allocation by the mutex's internal atomics, which Abseil hides
// from TSan inside its own lock annotations. A two-thread Mutex::Await
// program with no other code in it shows the same report
// (//tools/tsan_repro:absl_waiter_race_test).
//
// Only compiled under ThreadSanitizer. The definition is weak: a program
// that defines __tsan_default_suppressions itself keeps its own.
#if defined(__SANITIZE_THREAD__)
#define SENTRY_CPP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SENTRY_CPP_TSAN 1
#endif
#endif

#ifdef SENTRY_CPP_TSAN
extern "C" __attribute__((weak, visibility("default"))) const char*
__tsan_default_suppressions() {
  return "race:absl::*synchronization_internal::Waiter::Post\n"
         "race:absl::*synchronization_internal::Waiter::Wait\n";
}
#endif
