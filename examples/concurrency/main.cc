// The two patterns from Sentry's Go concurrency docs, in C++.
//
// 1. A hub cloned with Hub::Current()->Clone() and passed into each thread
//    (what Go calls the correct way).
// 2. Plain global calls from each thread (what Go warns leaks scope data
//    between goroutines). Here every thread's first Hub::Current() forks the
//    main hub, so it is just as safe.
//
// Prints one line per event received: its message and its secretTag.
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

int main() {
  auto transport = std::make_shared<sentry::testing::TestTransport>();
  sentry::Options options;
  options.transport = transport;
  sentry::InitGuard guard = sentry::Init(std::move(options));
  constexpr int kThreads = 4;

  // Pattern 1: clone the hub and hand the clone to the thread.
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, hub = sentry::Hub::Current()->Clone()] {
      hub->ConfigureScope([&](sentry::Scope& scope) {
        scope.SetTag("secretTag", absl::StrCat("cloned-", i));
      });
      hub->CaptureMessage(absl::StrCat("cloned hub, thread ", i));
    });
  }
  for (auto& t : threads) t.join();
  threads.clear();

  // Pattern 2: global calls from raw threads.
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i] {
      sentry::ConfigureScope([&](sentry::Scope& scope) {
        scope.SetTag("secretTag", absl::StrCat("global-", i));
      });
      sentry::CaptureMessage(absl::StrCat("global calls, thread ", i));
    });
  }
  for (auto& t : threads) t.join();

  if (!sentry::Flush(absl::Seconds(5))) return 1;
  for (const auto& event : transport->events()) {
    std::cout << event.logentry().message()
              << " -> secretTag=" << event.tags().at("secretTag") << "\n";
  }
  return 0;
}
