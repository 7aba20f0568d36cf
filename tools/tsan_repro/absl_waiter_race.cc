// A minimal program for the ThreadSanitizer report that the SDK suppresses
// (sdk/src/tsan_suppressions.cc, tools/tsan.supp): two threads hand a turn
// back and forth with absl::Mutex::Await and nothing else. Abseil 20220623
// (the version the SDK pins) makes TSan report a race in
// synchronization_internal::Waiter::Post / Wait; there is no data shared but
// the mutex's own. Exits 0 when every turn was taken in order.
#include <cstdio>
#include <thread>

#include "absl/synchronization/mutex.h"

int main() {
  constexpr int kTurns = 2000;
  absl::Mutex mu;
  int turn = 0;  // Guarded by mu: even for the main thread, odd for the other.
  int taken[2] = {0, 0};
  auto play = [&](int me) {
    for (int i = 0; i < kTurns; ++i) {
      absl::MutexLock lock(&mu);
      const auto mine = [&] { return turn % 2 == me; };
      mu.Await(absl::Condition(&mine));
      ++taken[me];
      ++turn;
    }
  };
  std::thread other(play, 1);
  play(0);
  other.join();
  std::printf("turns %d %d\n", taken[0], taken[1]);
#if defined(__SANITIZE_THREAD__)
  std::printf("built with ThreadSanitizer\n");
#endif
  return taken[0] == kTurns && taken[1] == kTurns ? 0 : 1;
}
