// What the crash integration costs the threads that set scope data (see
// BENCHMARKS.md), side by side:
//   ./bazelw run -c opt //integrations/crash:crash_benchmark
//
// range(0): 0 without the integration, 1 with it (its handler process
// running), 2 with its in-process backend (which re-renders the main hub's
// scope every 250 ms on a thread of its own).
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "sentry/integrations/crash.h"
#include "sentry/sentry.h"

namespace sentry {
namespace {

class NullTransport : public Transport {
 public:
  void SendEnvelope(Envelope) noexcept override {}
};

InitGuard InitWith(int mode) {
  Options options;
  options.transport = std::make_shared<NullTransport>();
  options.cache_dir = "/tmp/sentry-crash-benchmark";
  if (mode != 0) {
    CrashOptions crash;
    crash.out_of_process = mode == 1;
    options.integrations.push_back(NewCrashIntegration(crash));
  }
  return Init(std::move(options));
}

// 5 tags, a user and 100 breadcrumbs: what a request handler's scope holds.
void ConfigureRealisticScope() {
  ConfigureScope([](Scope& scope) {
    for (int i = 0; i < 5; ++i) {
      scope.SetTag(absl::StrCat("tag", i), absl::StrCat("value-", i));
    }
    protocol::User user;
    user.set_id("12345");
    scope.SetUser(user);
  });
  for (int i = 0; i < 100; ++i) AddBreadcrumb(absl::StrCat("step ", i), "app");
}

void BM_SetTag(benchmark::State& state) {
  InitGuard guard = InitWith(static_cast<int>(state.range(0)));
  if (state.range(0) == 1 && !CrashHandlerRunning()) {
    state.SkipWithError("no crash handler process");
    return;
  }
  ConfigureRealisticScope();
  auto hub = Hub::Current();
  int i = 0;
  for (auto _ : state) {
    hub->ConfigureScope([&](Scope& scope) {
      scope.SetTag("iteration", (++i & 1) ? "odd" : "even");
    });
  }
}
BENCHMARK(BM_SetTag)->Arg(0)->Arg(1)->Arg(2);

void BM_AddBreadcrumb(benchmark::State& state) {
  InitGuard guard = InitWith(static_cast<int>(state.range(0)));
  if (state.range(0) == 1 && !CrashHandlerRunning()) {
    state.SkipWithError("no crash handler process");
    return;
  }
  ConfigureRealisticScope();
  for (auto _ : state) AddBreadcrumb("clicked", "ui");
}
BENCHMARK(BM_AddBreadcrumb)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace sentry

BENCHMARK_MAIN();
