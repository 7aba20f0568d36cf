// Footprint: the memory one SDK call touches, counted exactly. At the rates
// servers capture at, a call finds its code and data out of the caches and
// the TLB (BENCHMARKS.md, "Where a sleeping caller's time goes"), so what it
// costs follows how many cache lines and pages it touches. Timing it on a
// shared VM resolves only large changes; the count does not drift with the
// VM's speed.
//
// Meant to run under Valgrind's Lackey, which prints every instruction
// fetch and data access; footprint.sh does, and counts the accesses between
// the two marks of each call:
//
//   examples/loadgen/footprint.sh
//
// The program sets the load generator's scope, makes 100 calls of each
// kind to grow the SDK's pools, then, for each kind in the order it prints
// ("order: touch floor ..."), 20 times (kRounds): waits until the SDK's worker
// has sent everything (a paced call finds the queue empty), writes the
// begin mark, makes the call, writes the end mark. Logs and metrics are not
// flushed between rounds: at a paced rate a call finds earlier records
// waiting for their batch (sent when 100 wait or after 5 s), the batching
// thread looking by itself, not asleep, and every record it can be given
// written before (the buffer reuses them, by way of its spare and kept-back
// records, whose number grows at first). Three flushed passes of
// kBatchedWarmup unmarked calls, then one more, make it so. The kinds are
// loadgen --api's: "touch" (one byte written, no SDK), "floor" (a copy of
// the text pushed into a ring under a std::mutex, no SDK), "last_id"
// (sentry::LastEventId), "capture" (CaptureMessage), "log" (logger::Info,
// two attributes), "metric" (metrics::Count, two attributes) and
// "transaction" (Span::Finish of a transaction with 10 children, started
// before the begin mark). Envelopes are discarded.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/loadgen/reference_calls.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"
#include "sentry/sentry.h"
#include "sentry/tracing.h"
#include "sentry/transport.h"

// The marks: Lackey prints each store with its address, which the program
// prints first.
extern "C" {
volatile char footprint_begin_mark = 0;
volatile char footprint_end_mark = 0;
}

namespace {

constexpr int kRounds = 20;
constexpr int kWarmup = 100;
constexpr int kBatchedWarmup = 250;

class DiscardTransport : public sentry::Transport {
 public:
  void SendEnvelope(sentry::Envelope) noexcept override {}
};

std::string TextOf(int i) {
  return absl::StrCat("loadgen 0:", i, " ", std::string(64, 'm'));
}

// The calls, each given the call's number, its text and its transaction
// (started before the begin mark).
using CallFn = void (*)(int, const std::string&, sentry::Span&);
struct Kind {
  const char* name;
  CallFn call;
};
const Kind kKinds[] = {
    {"touch", [](int, const std::string&, sentry::Span&) { loadgen::Touch(); }},
    {"floor",
     [](int, const std::string& text, sentry::Span&) { loadgen::Floor(text); }},
    {"last_id",
     [](int, const std::string&, sentry::Span&) { sentry::LastEventId(); }},
    {"capture",
     [](int, const std::string& text, sentry::Span&) {
       sentry::CaptureMessage(text, sentry::Level::kError);
     }},
    {"log",
     [](int i, const std::string&, sentry::Span&) {
       sentry::logger::Info({{"queue", "billing"}, {"shard", 7}},
                            "job $0 took $1 ms", i, 12.5);
     }},
    {"metric",
     [](int, const std::string&, sentry::Span&) {
       sentry::metrics::Count("jobs.done", 1,
                              {{"queue", "billing"}, {"shard", "7"}});
     }},
    {"transaction", [](int, const std::string&,
                       sentry::Span& transaction) { transaction.Finish(); }},
};

// One call of `kind`, between the marks when `marked`.
void Call(const Kind& kind, int i, bool marked) {
  const std::string text = TextOf(i);
  sentry::Span transaction;
  if (std::strcmp(kind.name, "transaction") == 0) {
    transaction = sentry::StartTransaction({"loadgen", "task"});
    for (int c = 0; c < 10; ++c) {
      transaction.StartChild("db.query", "SELECT 1").Finish();
    }
  }
  if (marked) footprint_begin_mark = 1;
  kind.call(i, text, transaction);
  if (marked) footprint_end_mark = 1;
}

}  // namespace

int main() {
  sentry::Options options;
  options.release = "loadgen@0.1.0";
  options.auto_session_tracking = false;
  options.traces_sample_rate = 1.0;
  options.transport = std::make_shared<DiscardTransport>();
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::fprintf(stderr, "footprint: %s\n", guard.status().ToString().c_str());
    return 1;
  }
  sentry::ConfigureScope([](sentry::Scope& scope) {
    scope.SetTag("thread", "0");
    scope.SetTag("service", "checkout");
    scope.SetTag("region", "eu-west-1");
    scope.SetTag("build", "2026.11.28");
    scope.SetTag("feature.new_cart", "on");
    sentry::protocol::User user;
    user.set_id("1000");
    user.set_username("loadgen");
    scope.SetUser(user);
    scope.SetExtra("order_items", 3);
  });
  std::printf("marks: %lx %lx\nrounds: %d\norder:",
              reinterpret_cast<unsigned long>(&footprint_begin_mark),
              reinterpret_cast<unsigned long>(&footprint_end_mark), kRounds);
  for (const Kind& kind : kKinds) std::printf(" %s", kind.name);
  std::printf("\n");
  std::fflush(stdout);
  for (const Kind& kind : kKinds) {
    for (int i = 0; i < kWarmup; ++i) Call(kind, i, /*marked=*/false);
  }
  int calls = 0;
  for (const Kind& kind : kKinds) {
    const bool batched = std::strcmp(kind.name, "log") == 0 ||
                         std::strcmp(kind.name, "metric") == 0;
    if (batched) {
      for (int pass = 0; pass < 3; ++pass) {
        for (int i = 0; i < kBatchedWarmup; ++i) {
          Call(kind, i, /*marked=*/false);
        }
        sentry::Flush(absl::Seconds(10));
      }
      Call(kind, kRounds, /*marked=*/false);
    }
    for (int i = 0; i < kRounds; ++i) {
      if (!batched) sentry::Flush(absl::Seconds(10));
      Call(kind, i, /*marked=*/true);
      ++calls;
    }
  }
  std::printf("calls: %d\n", calls);
  return 0;
}
