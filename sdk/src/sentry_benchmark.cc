// Caller-side costs of the SDK (see BENCHMARKS.md):
//   ./bazelw run -c opt //sdk:sentry_benchmark
//
// Capture benchmarks measure the calling thread only (building the event,
// snapshotting the scopes, queueing). The worker's share (scopes applied,
// JSON, transport) is drained with Flush outside the timed region.
#include <time.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/util/json_util.h"
#include "sdk/src/event_json.h"
#include "sdk/src/message_json.h"
#include "sdk/src/random.h"
#include "sentry/sentry.h"

namespace sentry {
namespace {

// Accepts envelopes and drops them.
class NullTransport : public Transport {
 public:
  void SendEnvelope(Envelope) noexcept override {}
};

constexpr int kDrainEvery = 256;

// 5 tags, 3 extras, a user and `breadcrumbs` breadcrumbs.
void ConfigureRealisticScope(int breadcrumbs) {
  ConfigureScope([](Scope& scope) {
    for (int i = 0; i < 5; ++i) {
      scope.SetTag(absl::StrCat("tag", i), absl::StrCat("value-", i));
    }
    scope.SetExtra("request_id", "5f2c8a9e-1b7d-4c3e");
    scope.SetExtra("attempt", 3);
    scope.SetExtra("cached", true);
    protocol::User user;
    user.set_id("12345");
    user.set_email("user@example.com");
    scope.SetUser(user);
  });
  for (int i = 0; i < breadcrumbs; ++i) {
    AddBreadcrumb(absl::StrCat("step ", i), "app");
  }
}

InitGuard InitForBenchmark(bool dedupe = true) {
  Options options;
  options.dedupe = dedupe;
  options.transport = std::make_shared<NullTransport>();
  options.max_queue_size = kDrainEvery * 4;
  return Init(std::move(options));
}

// Every kDrainEvery-th call (`n` counts them), flushes untimed: the queue
// never fills.
void DrainEvery(benchmark::State& state, int& n) {
  if (++n % kDrainEvery == 0) {
    state.PauseTiming();
    Flush(absl::Seconds(10));
    state.ResumeTiming();
  }
}

void CaptureLoop(benchmark::State& state) {
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CaptureMessage("Something went wrong"));
    DrainEvery(state, n);
  }
  Flush(absl::Seconds(10));
}

void BM_CaptureMessage(benchmark::State& state) {
  static InitGuard* guard = nullptr;
  if (state.thread_index() == 0) {
    guard = new InitGuard(InitForBenchmark());
  }
  // Every thread configures its own hub (forked from the main hub).
  ConfigureRealisticScope(static_cast<int>(state.range(0)));
  CaptureLoop(state);
  if (state.thread_index() == 0) {
    delete guard;
  }
}
BENCHMARK(BM_CaptureMessage)->Arg(10)->Arg(100)->UseRealTime();
BENCHMARK(BM_CaptureMessage)->Arg(10)->Threads(2)->UseRealTime();

// CaptureException on the calling thread: the exception chain, the stack's
// return addresses (symbolized later, on the worker) and the queue push.
void BM_CaptureException(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  ConfigureRealisticScope(10);
  const std::runtime_error error("Something went wrong");
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CaptureException(error));
    DrainEvery(state, n);
  }
  Flush(absl::Seconds(10));
}
BENCHMARK(BM_CaptureException)->UseRealTime();

// An exception thrown and caught, without the SDK: what the next benchmark
// adds to.
void BM_ThrowCatch(benchmark::State& state) {
  for (auto _ : state) {
    try {
      throw std::runtime_error("Something went wrong");
    } catch (const std::exception& error) {
      benchmark::DoNotOptimize(error.what());
    }
  }
}
BENCHMARK(BM_ThrowCatch)->UseRealTime();

// CaptureException inside the catch block, with Options::dedupe on (1) and
// off (0): dedupe finds out whether `error` is the exception being handled
// by rethrowing the current one (Hub's BeingHandled), a second throw.
void BM_CaptureExceptionInCatch(benchmark::State& state) {
  InitGuard guard = InitForBenchmark(/*dedupe=*/state.range(0) != 0);
  ConfigureRealisticScope(10);
  int n = 0;
  for (auto _ : state) {
    try {
      throw std::runtime_error("Something went wrong");
    } catch (const std::exception& error) {
      benchmark::DoNotOptimize(CaptureException(error));
    }
    DrainEvery(state, n);
  }
  Flush(absl::Seconds(10));
}
BENCHMARK(BM_CaptureExceptionInCatch)->Arg(0)->Arg(1)->UseRealTime();

// The whole per-event cost, both threads: capture on this thread, then the
// worker's share (scopes applied, breadcrumbs merged, JSON, envelope) until
// the transport has it. Timed until the last event has been processed, so
// this is the worker's throughput, the bound on end-to-end delivery.
void BM_Pipeline(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  ConfigureRealisticScope(static_cast<int>(state.range(0)));
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CaptureMessage("Something went wrong"));
    if (++n % kDrainEvery == 0) Flush(absl::Seconds(10));
  }
  Flush(absl::Seconds(10));
}
BENCHMARK(BM_Pipeline)->Arg(0)->Arg(20)->UseRealTime();

// What scrubbing (Options::scrub_data) adds to the worker's share of an
// event: BM_Pipeline's scope, with 20 breadcrumbs that carry data (an HTTP
// request each: url, method, status code) and a request context; range(0):
// 1 scrubbing on (the default), 0 off.
void BM_PipelineScrubbing(benchmark::State& state) {
  Options options;
  options.transport = std::make_shared<NullTransport>();
  options.max_queue_size = kDrainEvery * 4;
  options.scrub_data = state.range(0) != 0;
  InitGuard guard = Init(std::move(options));
  ConfigureRealisticScope(0);
  for (int i = 0; i < 20; ++i) {
    protocol::Breadcrumb crumb;
    crumb.set_type("http");
    crumb.set_category("http.client");
    auto& data = *crumb.mutable_data()->mutable_fields();
    data["url"].set_string_value(absl::StrCat("https://api.example/v1/o/", i));
    data["method"].set_string_value("GET");
    data["status_code"].set_number_value(200);
    AddBreadcrumb(std::move(crumb));
  }
  ConfigureScope([](Scope& scope) {
    google::protobuf::Struct request;
    auto& fields = *request.mutable_fields();
    fields["method"].set_string_value("POST");
    fields["url"].set_string_value("https://shop.example/checkout");
    fields["authorization"].set_string_value("Bearer abc");
    scope.SetContext("request", request);
  });
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CaptureMessage("Something went wrong"));
    if (++n % kDrainEvery == 0) Flush(absl::Seconds(10));
  }
  Flush(absl::Seconds(10));
  ConfigureScope([](Scope& scope) { scope.Clear(); });
}
BENCHMARK(BM_PipelineScrubbing)->Arg(0)->Arg(1)->UseRealTime();

// A structured log on the calling thread: a template with 2 arguments and
// 2 attributes, copied into the log buffer. range(0): 0 no attributes,
// 1 a LogAttributes built at the call, 2 the attributes in braces at the
// call (borrowed: the form logs.h shows). The batching thread formats and
// encodes them; its share is drained outside the timed region every 800 logs
// per thread (within the 1000 that may wait: a run with a drop fails, it would
// time the drop).
void BM_LoggerInfo(benchmark::State& state) {
  static InitGuard* guard = nullptr;
  if (state.thread_index() == 0) {
    guard = new InitGuard(InitForBenchmark());
  }
  int n = 0;
  int64_t job = 0;
  const int drain_every = 800 / state.threads();
  for (auto _ : state) {
    if (state.range(0) == 2) {
      logger::Info({{"queue", "billing"}, {"shard", 7}}, "job $0 took $1 ms",
                   ++job, 12.5);
    } else if (state.range(0) == 1) {
      logger::Info(LogAttributes{{"queue", "billing"}, {"shard", 7}},
                   "job $0 took $1 ms", ++job, 12.5);
    } else {
      logger::Info("job $0 took $1 ms", ++job, 12.5);
    }
    if (++n % drain_every == 0) {
      state.PauseTiming();
      Flush(absl::Seconds(10));
      state.ResumeTiming();
    }
  }
  Flush(absl::Seconds(10));
  if (state.thread_index() == 0) {
    const uint64_t dropped = Hub::Current()->client()->client_reports().Count(
        DiscardReason::kQueueOverflow, DataCategory::kLogItem);
    if (dropped > 0) {
      state.SkipWithError(absl::StrCat(dropped, " logs dropped").c_str());
    }
    delete guard;
  }
}
BENCHMARK(BM_LoggerInfo)
    ->ArgName("attributes")
    ->Arg(2)
    ->Arg(1)
    ->Arg(0)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime();

// The whole per-log cost, both threads: BM_LoggerInfo's call, then the
// batching thread's share (attributes merged, body formatted, JSON, the
// envelope) until the transport has it.
void BM_LogPipeline(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  int n = 0;
  int64_t job = 0;
  for (auto _ : state) {
    logger::Info(LogAttributes{{"queue", "billing"}, {"shard", 7}},
                 "job $0 took $1 ms", ++job, 12.5);
    if (++n % 800 == 0) Flush(absl::Seconds(10));
  }
  Flush(absl::Seconds(10));
}
BENCHMARK(BM_LogPipeline)->UseRealTime();

// The user's share of the call above: building its 2 attributes.
void BM_BuildLogAttributes(benchmark::State& state) {
  for (auto _ : state) {
    LogAttributes attributes{{"queue", "billing"}, {"shard", 7}};
    benchmark::DoNotOptimize(attributes);
  }
}
BENCHMARK(BM_BuildLogAttributes);

// A distribution with one attribute, on the calling thread.
void BM_MetricsDistribution(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  int n = 0;
  for (auto _ : state) {
    metrics::Distribution("payment.latency", 87.5, "millisecond",
                          {{"provider", "acme"}});
    if (++n % 200 == 0) {
      state.PauseTiming();
      Flush(absl::Seconds(10));
      state.ResumeTiming();
    }
  }
  Flush(absl::Seconds(10));
}
BENCHMARK(BM_MetricsDistribution);

void BM_SetTag(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  ConfigureRealisticScope(10);
  auto hub = Hub::Current();
  int i = 0;
  for (auto _ : state) {
    hub->ConfigureScope([&](Scope& scope) {
      scope.SetTag("iteration", (++i & 1) ? "odd" : "even");
    });
  }
}
BENCHMARK(BM_SetTag);

void BM_ScopeSetTag(benchmark::State& state) {
  Scope scope;
  for (int i = 0; i < 5; ++i) scope.SetTag(absl::StrCat("tag", i), "v");
  int i = 0;
  for (auto _ : state) scope.SetTag("iteration", (++i & 1) ? "odd" : "even");
}
BENCHMARK(BM_ScopeSetTag);

// A WorkDeadline entered and left around no work (sentry/watchdog.h): what
// watching a task or a request costs when it finishes in time.
void BM_WorkDeadline(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  for (auto _ : state) {
    WorkDeadline deadline("task", absl::Seconds(30));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_WorkDeadline);
BENCHMARK(BM_WorkDeadline)->Threads(2);

void BM_Clone(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  ConfigureRealisticScope(10);
  auto hub = Hub::Current();
  for (auto _ : state) benchmark::DoNotOptimize(hub->Clone());
}
BENCHMARK(BM_Clone);

void BM_AddBreadcrumb(benchmark::State& state) {
  InitGuard guard = InitForBenchmark();
  ConfigureRealisticScope(100);
  for (auto _ : state) AddBreadcrumb("clicked", "ui");
}
BENCHMARK(BM_AddBreadcrumb);

// Tracing on the calling thread. range(0): 1 sampled, 0 unsampled. The
// transaction is replaced (untimed) every 500 children, below the limit of
// 1000 beyond which children cost less (they are not recorded).
InitGuard InitForTracing(double rate) {
  Options options;
  options.transport = std::make_shared<NullTransport>();
  options.traces_sample_rate = rate;
  options.max_queue_size = 1 << 16;
  return Init(std::move(options));
}

void BM_StartChildFinish(benchmark::State& state) {
  InitGuard guard = InitForTracing(state.range(0) == 1 ? 1.0 : 0.0);
  Span transaction = StartTransaction({"bench", "task"});
  int n = 0;
  for (auto _ : state) {
    Span child = transaction.StartChild("db.query", "SELECT 1");
    child.Finish();
    if (++n % 500 == 0) {
      state.PauseTiming();
      transaction.Finish();
      transaction = StartTransaction({"bench", "task"});
      state.ResumeTiming();
    }
  }
  transaction.Finish();
  Flush(absl::Seconds(10));
}
BENCHMARK(BM_StartChildFinish)->Arg(1)->Arg(0);

// The headers of an outgoing request: inside a sampled transaction (its
// frozen DSC) and outside one (the scope's, computed).
void BM_GetTraceHeaders(benchmark::State& state) {
  InitGuard guard = InitForTracing(1.0);
  ConfigureRealisticScope(10);
  Span transaction = StartTransaction({"bench", "task"});
  std::optional<SpanGuard> active;
  if (state.range(0) == 1) active.emplace(transaction);
  for (auto _ : state) benchmark::DoNotOptimize(GetTraceHeaders("vendor=1"));
  active.reset();
  transaction.Finish();
}
BENCHMARK(BM_GetTraceHeaders)->Arg(1)->Arg(0);

// CPU time of this thread, and of the whole process, in ns.
double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}
double ProcessCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// Transactions with 100 children each, from Finish until the transport has
// their envelopes, 20 at a time (as a busy server finishes them; one at a
// time, waking the worker and waiting for it cost more than its work). The
// time is the real time per transaction (the caller's share, the hand-over
// and the worker's share); two counters split its CPU: `caller_cpu_ns` is
// `Finish` on the calling thread, `worker_cpu_ns` every other thread of the
// process meanwhile, which is the worker (scopes, JSON of 100 spans,
// envelope; the null transport does nothing).
void BM_Transaction100Spans(benchmark::State& state) {
  InitGuard guard = InitForTracing(1.0);
  ConfigureRealisticScope(10);
  constexpr int kBatch = 20;
  double caller_ns = 0;
  double worker_ns = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Span> transactions;
    for (int t = 0; t < kBatch; ++t) {
      Span transaction = StartTransaction({"GET /items/<id>", "http.server"});
      for (int i = 0; i < 100; ++i) {
        Span child = transaction.StartChild("db.query", "SELECT * FROM items");
        child.SetData("db.rows", i);
        child.Finish();
      }
      transactions.push_back(std::move(transaction));
    }
    state.ResumeTiming();
    const double thread_start = ThreadCpuNs();
    const double process_start = ProcessCpuNs();
    for (const Span& transaction : transactions) transaction.Finish();
    const double finished = ThreadCpuNs();
    Flush(absl::Seconds(10));
    const double process_end = ProcessCpuNs();
    const double thread_end = ThreadCpuNs();
    caller_ns += finished - thread_start;
    worker_ns += (process_end - process_start) - (thread_end - thread_start);
    state.PauseTiming();
    transactions.clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["caller_cpu_ns"] = benchmark::Counter(
      caller_ns / kBatch, benchmark::Counter::kAvgIterations);
  state.counters["worker_cpu_ns"] = benchmark::Counter(
      worker_ns / kBatch, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_Transaction100Spans)->UseRealTime();

void BM_NewEventId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(internal::NewEventId());
}
BENCHMARK(BM_NewEventId);

// The JSON encoders considered for the worker thread, on an event with the
// realistic scope applied: the SDK's own reflection-based writer and
// Protobuf's JSON printer.
protocol::Event RealisticEvent() {
  protocol::Event event;
  event.set_event_id(internal::NewEventId());
  event.set_timestamp(1700000000.123456);
  event.set_platform("native");
  event.set_level("error");
  event.set_release("app@1.2.3");
  event.set_environment("production");
  event.set_server_name("web-1");
  for (int i = 0; i < 5; ++i) {
    (*event.mutable_tags())[absl::StrCat("tag", i)] = absl::StrCat("value-", i);
  }
  (*event.mutable_extra())["attempt"].set_number_value(3);
  (*event.mutable_extra())["request_id"].set_string_value("5f2c8a9e-1b7d-4c3e");
  (*event.mutable_extra())["cached"].set_bool_value(true);
  event.mutable_user()->set_id("12345");
  event.mutable_user()->set_email("user@example.com");
  for (int i = 0; i < 10; ++i) {
    auto* crumb = event.mutable_breadcrumbs()->add_values();
    crumb->set_timestamp(1700000000.0 + i);
    crumb->set_category("app");
    crumb->set_message(absl::StrCat("step ", i));
  }
  auto* exception = event.mutable_exception()->add_values();
  exception->set_type("std::runtime_error");
  exception->set_value("Something went wrong");
  exception->mutable_mechanism()->set_type("generic");
  exception->mutable_mechanism()->set_handled(true);
  for (int i = 0; i < 20; ++i) {
    auto* frame = exception->mutable_stacktrace()->add_frames();
    frame->set_function(absl::StrCat("app::Function", i));
    frame->set_instruction_addr(
        absl::StrCat("0x", absl::Hex(0x400000 + i * 64)));
  }
  event.mutable_sdk()->set_name(kSdkName);
  event.mutable_sdk()->set_version(kSdkVersion);
  return event;
}

void BM_EncodeJson_Sdk(benchmark::State& state) {
  const protocol::Event event = RealisticEvent();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = internal::MessageToJson(event);
    bytes += json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodeJson_Sdk);

// The event encoder the worker uses (hand-written for the event's own
// fields, maps and breadcrumbs; the same bytes as BM_EncodeJson_Sdk's).
void BM_EncodeJson_Event(benchmark::State& state) {
  const protocol::Event event = RealisticEvent();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = internal::EventToJson(event);
    bytes += json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodeJson_Event);

void BM_EncodeJson_Protobuf(benchmark::State& state) {
  const protocol::Event event = RealisticEvent();
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(event, &json, options);
    bytes += json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodeJson_Protobuf);

}  // namespace
}  // namespace sentry

BENCHMARK_MAIN();
