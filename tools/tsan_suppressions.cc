// ThreadSanitizer suppressions compiled into every test binary (linked
// through @system//:gtest_main). Each entry is a known false positive in a
// dependency, never in this project's code.
//
// Abseil 20220623 (Debian's version): a waiting thread's futex word
// (synchronization_internal::Waiter) lives in memory that LowLevelAlloc
// mmaps for its ThreadIdentity. The waker's atomic increment is ordered after
// that allocation by the mutex's internal atomics, which Abseil hides from
// TSan inside its own lock annotations, so TSan reports the first touch as a
// race with mmap. Reproduced with a two-thread Mutex::Await program that
// contains no other code.
extern "C" const char* __tsan_default_suppressions() {
  return "race:absl::*synchronization_internal::Waiter::Post\n"
         "race:absl::*synchronization_internal::Waiter::Wait\n";
}
