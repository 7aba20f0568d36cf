// Load generator: captures events from several threads, each with a
// realistic scope (tags, user, breadcrumbs, extra), sends them to SENTRY_DSN
// over the HTTP transport, and prints one JSON line:
//
//   {"events":..,"threads":..,"captured":..,"delivered":..,"spooled":..,
//    "from_spool":..,
//    "dropped":{"queue_overflow":..,...},"elapsed_s":..,"events_per_s":..,
//    "capture_p50_ns":..,"capture_p99_ns":..,"deliver_p50_us":..,
//    "deliver_p99_us":..,"context_switches":..,"cpu_migrations":..,
//    "caller_page_faults":..,"idle_wakes_per_s":..,"peak_rss_mb":..,
//    "cpu_us_per_event":..}
//
// "delivered" is what the SDK knows: captured minus every counted drop (of
// the calls' category: error events, transactions, logs or metrics) minus
// what went to the spool ("from_spool": earlier runs' files sent now) (the
// drops include the client's own queue overflowing, which CaptureMessage
// reports by returning ""). "cpu_us_per_event" is the process's CPU time
// (user and system, all threads) per captured event. Usage:
//
//   SENTRY_DSN=http://key@127.0.0.1:PORT/1 loadgen --events 100000
//       --threads 2 [--rate EVENTS_PER_S] [--cache-dir DIR]
//       [--message-bytes N] [--shutdown-timeout-s S] [--max-queue N]
//       [--breadcrumbs N] [--compress 0|1]
//       [--api capture|transaction|log|metric|deadline|last_id|floor|
//              handoff|touch|chase|scatter|locked|capture_spun|
//              capture_warmed]
//       [--idle-s S]
//       [--warmup N] [--pace sleep|spin]
//
// --rate paces each thread (sleeping until the next event is due), as a
// server that captures now and then does; with --pace spin the thread
// instead busy-waits, never leaving its CPU between calls (what a paced
// call costs when nothing else ran on its CPU meanwhile, or its CPU
// idled); "capture_p50_ns" / "_p99_ns" are
// the calling thread's wall time per call. --api chooses the call that is
// timed: CaptureMessage (the default; its text is formatted before the
// clock starts, as the SDK's cost is timed), Span::Finish of a transaction with
// 10 children (started and finished untimed just before), logger::Info or
// metrics::Count with two attributes, a sentry::WorkDeadline entered and
// left around no work ("deadline"), sentry::LastEventId ("last_id": the
// part of a capture before its client: the SDK's entry, the thread's hub
// under its lock, a returned id), or no SDK call: "floor", the least a
// capture that queues does (a copy of the text pushed into a ring under a
// std::mutex: what a cold call costs on the machine at the rate, whatever
// the SDK), "handoff", the same with a thread of its own taking the texts
// every 4 ms as the SDK's worker does (what handing work to another CPU
// adds), "touch", one byte written to a cache line of the program's
// own (the least any call costs after the pause), "chase" and
// "scatter", ten loads from ten lines on ten pages, each address read from
// the line before or all known up front (what dependent misses cost),
// and "locked", scatter's lines each incremented with a locked
// instruction. "capture_spun" and "capture_warmed" split a capture's cost
// after a pause: before each timed capture, untimed, the first busy-waits
// 20 us (the CPU awake again), the second reads the 32 KiB of code around
// sentry::CaptureMessage as data (which holds the capture's own functions)
// and then busy-waits the same 20 us: the difference between the two is
// what finding that code out of the caches costs the capture.
// "deliver_p50_us" / "_p99_us" (the captures and transaction, one thread) is
// the time from the call to its envelope reaching the transport. --warmup makes
// N calls per thread first, as fast as it can, untimed, and waits until they
// are sent: the SDK's pools (queue chunks, log records) then have the size of a
// process that has run for a while, and the timed calls meet no first touch of
// fresh memory (a page fault costs some 40 us on this VM). --idle-s waits that
// long after the last call, before shutdown, and "idle_wakes_per_s" counts how
// often the SDK's own threads (named sentry-*) woke meanwhile (their context
// switches). "context_switches" / "cpu_migrations" count the whole process's
// (every thread's) during the timed calls (one thread), "caller_page_faults"
// the calling thread's (its own untimed work between calls makes none once
// warm: what it counts are the calls' first touches of fresh memory, each
// a slow call).
//
// --max-queue sets both the client's and the transport's queue bound (in
// envelopes; 4 KiB each for the byte bound): a burst larger than the queues
// is partly dropped by design (queue_overflow).
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "examples/loadgen/reference_calls.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"
#include "sentry/sentry.h"
#include "sentry/tracing.h"
#include "sentry/transports/http_transport.h"
#include "sentry/watchdog.h"

namespace {

// Every --api: its name, the call it times (`text` is MessageOf's for the
// call, `i` its number), whether that call takes a text (formatted
// untimed), what runs untimed just before it, if anything, what each call
// makes (the category its drops are counted in) and whether each is an
// envelope of its own (whose delivery is timed). A transaction's
// Span::Finish is timed in the loop itself, which starts the transaction
// untimed.
struct Api {
  const char* name;
  void (*call)(int64_t i, const std::string& text);
  bool takes_text = false;
  void (*before)() = nullptr;
  sentry::DataCategory category = sentry::DataCategory::kError;
  bool own_envelope = false;
};

void CaptureText(int64_t, const std::string& text) {
  sentry::CaptureMessage(text, sentry::Level::kError);
}

void Spin() { loadgen::SpinFor(std::chrono::microseconds(20)); }

void ReadCaptureCodeThenSpin() {
  using Capture = sentry::EventId (*)(absl::string_view, sentry::Level);
  loadgen::ReadCodeAround(reinterpret_cast<const void*>(
      static_cast<Capture>(&sentry::CaptureMessage)));
  Spin();
}

constexpr Api kApis[] = {
    {"capture", CaptureText, /*takes_text=*/true, nullptr,
     sentry::DataCategory::kError, /*own_envelope=*/true},
    {"transaction", nullptr, false, nullptr, sentry::DataCategory::kTransaction,
     /*own_envelope=*/true},
    {"log",
     [](int64_t i, const std::string&) {
       sentry::logger::Info({{"queue", "billing"}, {"shard", 7}},
                            "job $0 took $1 ms", i, 12.5);
     },
     false, nullptr, sentry::DataCategory::kLogItem},
    {"metric",
     [](int64_t, const std::string&) {
       sentry::metrics::Count("jobs.done", 1,
                              {{"queue", "billing"}, {"shard", "7"}});
     },
     false, nullptr, sentry::DataCategory::kTraceMetric},
    {"deadline",
     [](int64_t, const std::string&) {
       sentry::WorkDeadline deadline("loadgen task", absl::Seconds(30));
     }},
    {"last_id", [](int64_t, const std::string&) { sentry::LastEventId(); }},
    // No SDK in these.
    {"floor", [](int64_t, const std::string& text) { loadgen::Floor(text); },
     /*takes_text=*/true},
    {"handoff",
     [](int64_t, const std::string& text) { loadgen::Handoff(text); },
     /*takes_text=*/true},
    {"touch", [](int64_t, const std::string&) { loadgen::Touch(); }},
    {"chase", [](int64_t, const std::string&) { loadgen::Chase(); }},
    {"scatter", [](int64_t, const std::string&) { loadgen::Scatter(); }},
    {"locked", [](int64_t, const std::string&) { loadgen::Locked(); }},
    // A capture after a 20 us spin, without and with its code read first.
    {"capture_spun", CaptureText, /*takes_text=*/true, Spin,
     sentry::DataCategory::kError, /*own_envelope=*/true},
    {"capture_warmed", CaptureText, /*takes_text=*/true,
     ReadCaptureCodeThenSpin, sentry::DataCategory::kError,
     /*own_envelope=*/true},
};

const Api* FindApi(const std::string& name) {
  for (const Api& api : kApis) {
    if (name == api.name) return &api;
  }
  return nullptr;
}

struct Flags {
  int64_t events = 10000;
  int threads = 1;
  double rate =
      0;  // Events per second over all threads; 0: as fast as possible.
  std::string cache_dir;
  int message_bytes = 64;
  double shutdown_timeout_s = 2;
  int64_t max_queue = 0;  // 0: the SDK's defaults.
  int breadcrumbs = 20;
  bool compress = true;
  std::string api = "capture";
  const Api* timed = &kApis[0];  // --api's entry.
  double idle_s = 0;
  int64_t warmup = 0;
  bool spin = false;  // --pace spin: busy-wait between paced calls.
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (i + 1 >= argc) return false;
    const char* value = argv[++i];
    bool ok = true;
    if (name == "--events") {
      ok = absl::SimpleAtoi(value, &flags->events) && flags->events >= 0;
    } else if (name == "--threads") {
      ok = absl::SimpleAtoi(value, &flags->threads) && flags->threads > 0;
    } else if (name == "--rate") {
      ok = absl::SimpleAtod(value, &flags->rate) && flags->rate >= 0;
    } else if (name == "--cache-dir") {
      flags->cache_dir = value;
    } else if (name == "--message-bytes") {
      ok = absl::SimpleAtoi(value, &flags->message_bytes) &&
           flags->message_bytes >= 0;
    } else if (name == "--breadcrumbs") {
      ok = absl::SimpleAtoi(value, &flags->breadcrumbs) &&
           flags->breadcrumbs >= 0;
    } else if (name == "--compress") {
      int compress = 0;
      ok = absl::SimpleAtoi(value, &compress) &&
           (compress == 0 || compress == 1);
      flags->compress = compress == 1;
    } else if (name == "--max-queue") {
      ok = absl::SimpleAtoi(value, &flags->max_queue) && flags->max_queue > 0;
    } else if (name == "--api") {
      flags->api = value;
      flags->timed = FindApi(flags->api);
      ok = flags->timed != nullptr;
    } else if (name == "--pace") {
      ok = std::strcmp(value, "sleep") == 0 || std::strcmp(value, "spin") == 0;
      flags->spin = std::strcmp(value, "spin") == 0;
    } else if (name == "--warmup") {
      ok = absl::SimpleAtoi(value, &flags->warmup) && flags->warmup >= 0;
    } else if (name == "--idle-s") {
      ok = absl::SimpleAtod(value, &flags->idle_s) && flags->idle_s >= 0;
    } else if (name == "--shutdown-timeout-s") {
      ok = absl::SimpleAtod(value, &flags->shutdown_timeout_s) &&
           flags->shutdown_timeout_s >= 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "bad flag %s %s\n", name.c_str(), value);
      return false;
    }
  }
  return true;
}

size_t CountEnvelopes(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const size_t len = std::strlen(e->d_name);
      if (len > 9 && std::strcmp(e->d_name + len - 9, ".envelope") == 0) ++n;
    }
    ::closedir(d);
  }
  return n;
}

// A request handler's worth of scope: set on the thread's own hub.
void SetUpScope(int thread, int breadcrumbs) {
  sentry::ConfigureScope([thread](sentry::Scope& scope) {
    scope.SetTag("thread", absl::StrCat(thread));
    scope.SetTag("service", "checkout");
    scope.SetTag("region", "eu-west-1");
    scope.SetTag("build", "2026.11.28");
    scope.SetTag("feature.new_cart", "on");
    sentry::protocol::User user;
    user.set_id(absl::StrCat(1000 + thread));
    user.set_username("loadgen");
    scope.SetUser(user);
    scope.SetExtra("order_items", 3);
  });
  for (int i = 0; i < breadcrumbs; ++i) {
    sentry::AddBreadcrumb(absl::StrCat("step ", i, " of the request"), "app");
  }
}

// Passes envelopes on to the HTTP transport, noting when each event or
// transaction envelope arrives (in order: one capturing thread, a FIFO
// worker).
// transport.Backlogged(), or false with an SDK from before it.
template <typename T>
auto BackloggedOf(const T& transport, int) -> decltype(transport.Backlogged()) {
  return transport.Backlogged();
}
template <typename T>
bool BackloggedOf(const T&, long) {
  return false;
}

class TimingTransport : public sentry::Transport {
 public:
  explicit TimingTransport(std::shared_ptr<sentry::Transport> next)
      : next_(std::move(next)) {
    arrivals_.reserve(1 << 16);
  }
  void Start(std::shared_ptr<sentry::ClientReports> reports) noexcept override {
    next_->Start(std::move(reports));
  }
  void SendEnvelope(sentry::Envelope envelope) noexcept override {
    const auto now = std::chrono::steady_clock::now();
    for (const auto& item : envelope.items()) {
      if (item.type == "event" || item.type == "transaction") {
        std::lock_guard<std::mutex> lock(mu_);
        arrivals_.push_back(now);
        break;
      }
    }
    next_->SendEnvelope(std::move(envelope));
  }
  // Not marked override: paced.sh and bench.sh build this file against SDKs
  // from before Transport::Backlogged too (there it is this class's own).
  virtual bool Backlogged() const noexcept { return BackloggedOf(*next_, 0); }
  bool Flush(absl::Duration timeout) noexcept override {
    return next_->Flush(timeout);
  }
  bool Shutdown(absl::Duration timeout) noexcept override {
    return next_->Shutdown(timeout);
  }
  std::vector<std::chrono::steady_clock::time_point> arrivals() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }

 private:
  const std::shared_ptr<sentry::Transport> next_;
  std::mutex mu_;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;
};

// Context switches and CPU migrations of this process's threads so far
// (/proc/self/task/*/sched), of those named sentry-* only when `sdk_only`.
struct SchedCounts {
  int64_t switches = 0;
  int64_t migrations = 0;
};
// The calling thread's page faults so far (minor and major).
int64_t ThreadPageFaults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt + usage.ru_majflt;
}

SchedCounts CountSched(bool sdk_only) {
  SchedCounts counts;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return counts;
  while (dirent* e = ::readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = absl::StrCat("/proc/self/task/", e->d_name);
    std::string comm;
    std::getline(std::ifstream(dir + "/comm"), comm);
    if (sdk_only && !absl::StartsWith(comm, "sentry-")) continue;
    std::ifstream sched(dir + "/sched");
    for (std::string line; std::getline(sched, line);) {
      for (auto [key, total] : {std::pair{"nr_switches", &counts.switches},
                                {"se.nr_migrations", &counts.migrations}}) {
        const size_t colon = line.find(':');
        int64_t n = 0;
        if (colon != std::string::npos &&
            absl::StripAsciiWhitespace(line.substr(0, colon)) == key &&
            absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(colon + 1)),
                             &n)) {
          *total += n;
        }
      }
    }
  }
  ::closedir(tasks);
  return counts;
}

// Drops of `category` for `reason`; with an SDK from before per-category
// counts (paced.sh builds earlier commits with this file), drops of every
// category.
template <typename Reports>
auto DropsOf(const Reports& reports, sentry::DiscardReason reason,
             sentry::DataCategory category, int)
    -> decltype(reports.Count(reason, category)) {
  return reports.Count(reason, category);
}
template <typename Reports>
uint64_t DropsOf(const Reports& reports, sentry::DiscardReason reason,
                 sentry::DataCategory, long) {
  return reports.Count(reason);
}

// The text CaptureMessage sends as call `i` of thread `t`, formatted before
// the timed call: the time of the call is the SDK's alone.
std::string MessageOf(int t, int64_t i, const std::string& message) {
  return absl::StrCat("loadgen ", t, ":", i, " ", message);
}

// The call --api times; `text` is MessageOf's for the call, `i` its number.
void Call(const Flags& flags, int64_t i, const std::string& text) {
  if (flags.timed->call != nullptr) flags.timed->call(i, text);
}

int64_t Percentile(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  const size_t k = std::min(values.size() - 1,
                            static_cast<size_t>(p * (values.size() - 1) + 0.5));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;
  if (std::getenv("SENTRY_DSN") == nullptr) {
    std::fprintf(stderr, "loadgen: set SENTRY_DSN\n");
    return 2;
  }
  const size_t spooled_before =
      flags.cache_dir.empty() ? 0 : CountEnvelopes(flags.cache_dir);

  sentry::Options options;
  options.release = "loadgen@0.1.0";
  options.cache_dir = flags.cache_dir;
  options.compress_envelopes = flags.compress;
  // Events only: session updates would blur the counts.
  options.auto_session_tracking = false;
  options.shutdown_timeout = absl::Seconds(flags.shutdown_timeout_s);
  if (flags.api == "transaction") options.traces_sample_rate = 1.0;
  std::shared_ptr<TimingTransport> timing;
  options.transport_factory = [&timing](const sentry::Options& o)
      -> absl::StatusOr<std::shared_ptr<sentry::Transport>> {
    auto http = sentry::NewHttpTransportForOptions(o);
    if (!http.ok()) return http.status();
    timing = std::make_shared<TimingTransport>(*std::move(http));
    return timing;
  };
  if (flags.max_queue > 0) {
    options.max_queue_size = static_cast<size_t>(flags.max_queue);
    options.max_transport_queue = static_cast<size_t>(flags.max_queue);
    options.max_transport_queue_bytes = static_cast<size_t>(flags.max_queue)
                                        << 12;
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::fprintf(stderr, "loadgen: %s\n", guard.status().ToString().c_str());
    return 1;
  }
  const std::string message(static_cast<size_t>(flags.message_bytes), 'm');

  std::vector<std::vector<int64_t>> latencies(flags.threads);
  // When each call started (--threads 1): the delivery latency's start.
  std::vector<std::chrono::steady_clock::time_point> called;
  // Sized (touched) before the timed calls: their page faults are the
  // SDK's (caller_page_faults).
  if (flags.threads == 1) called.resize(static_cast<size_t>(flags.events));
  std::atomic<int64_t> captured{0};
  // Event and transaction envelopes of the warm-up, not timed.
  std::atomic<size_t> warmup_arrivals{0};
  // The process's counts when the timed calls start (--threads 1).
  SchedCounts sched_before;
  SchedCounts sched_after;         // Taken by the thread before it ends.
  int64_t caller_page_faults = 0;  // During the timed calls (--threads 1).
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) {
    const int64_t share =
        flags.events / flags.threads + (t < flags.events % flags.threads);
    threads.emplace_back([&, t, share] {
      SetUpScope(t, flags.breadcrumbs);
      for (int64_t w = 0; w < flags.warmup; ++w) {
        if (flags.api == "transaction") {
          sentry::Span warm = sentry::StartTransaction({"loadgen", "task"});
          for (int c = 0; c < 10; ++c) {
            warm.StartChild("db.query", "SELECT 1").Finish();
          }
          warm.Finish();
        } else {
          Call(flags, w, MessageOf(t, w, message));
        }
        captured.fetch_add(1, std::memory_order_relaxed);
      }
      if (flags.warmup > 0) {
        sentry::Flush(absl::Seconds(flags.shutdown_timeout_s));
        if (flags.threads == 1 && timing != nullptr) {
          warmup_arrivals = timing->arrivals().size();
        }
      }
      // Paced from the end of the warm-up.
      if (flags.threads == 1) sched_before = CountSched(/*sdk_only=*/false);
      const auto paced_start = std::chrono::steady_clock::now();
      auto& mine = latencies[t];
      mine.resize(static_cast<size_t>(share));
      const int64_t faults_before = ThreadPageFaults();
      const double per_thread_rate = flags.rate / flags.threads;
      for (int64_t i = 0; i < share; ++i) {
        if (per_thread_rate > 0) {
          const auto due =
              paced_start +
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(i / per_thread_rate));
          if (flags.spin) {
            while (std::chrono::steady_clock::now() < due) {
            }
          } else {
            std::this_thread::sleep_until(due);
          }
        }
        sentry::Span transaction;
        if (flags.api == "transaction") {
          transaction = sentry::StartTransaction({"loadgen", "task"});
          for (int c = 0; c < 10; ++c) {
            transaction.StartChild("db.query", "SELECT 1").Finish();
          }
        }
        const std::string text =
            flags.timed->takes_text ? MessageOf(t, i, message) : "";
        if (flags.timed->before != nullptr) flags.timed->before();
        const auto before = std::chrono::steady_clock::now();
        if (flags.api == "transaction") {
          transaction.Finish();
        } else {
          Call(flags, i, text);
        }
        const auto after = std::chrono::steady_clock::now();
        if (flags.threads == 1) called[i] = before;
        mine[i] =
            std::chrono::duration_cast<std::chrono::nanoseconds>(after - before)
                .count();
        captured.fetch_add(1, std::memory_order_relaxed);
      }
      if (flags.threads == 1) {
        caller_page_faults = ThreadPageFaults() - faults_before;
        sched_after = CountSched(/*sdk_only=*/false);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  SchedCounts sched;  // Of the timed calls (--threads 1).
  if (flags.threads == 1) {
    sched.switches = sched_after.switches - sched_before.switches;
    sched.migrations = sched_after.migrations - sched_before.migrations;
  }
  double idle_wakes_per_s = 0;
  if (flags.idle_s > 0) {
    // Delivered first: what is measured is the SDK with nothing to do.
    sentry::Flush(absl::Seconds(flags.shutdown_timeout_s));
    const int64_t before = CountSched(/*sdk_only=*/true).switches;
    absl::SleepFor(absl::Seconds(flags.idle_s));
    idle_wakes_per_s =
        static_cast<double>(CountSched(/*sdk_only=*/true).switches - before) /
        flags.idle_s;
  }
  const auto client = guard.client();
  guard.Close();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  std::vector<int64_t> all;
  for (auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  // Each event or transaction envelope, in order, against its call.
  std::vector<int64_t> deliveries;
  if (timing != nullptr && flags.timed->own_envelope) {
    const auto arrivals = timing->arrivals();
    const size_t skip = std::min(arrivals.size(), warmup_arrivals.load());
    for (size_t k = 0; k < std::min(arrivals.size() - skip, called.size());
         ++k) {
      deliveries.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(
              arrivals[skip + k] - called[k])
              .count());
    }
  }
  std::vector<std::string> dropped;
  uint64_t dropped_total = 0;
  // What each call makes: an error event, a transaction, a log, a metric.
  const sentry::DataCategory category = flags.timed->category;
  for (int r = 0; r < static_cast<int>(sentry::DiscardReason::kCount); ++r) {
    const auto reason = static_cast<sentry::DiscardReason>(r);
    const uint64_t n = DropsOf(client->client_reports(), reason, category, 0);
    dropped_total += n;
    if (n != 0) {
      dropped.push_back(
          absl::StrCat("\"", sentry::DiscardReasonName(reason), "\":", n));
    }
  }
  const size_t spooled_after =
      flags.cache_dir.empty() ? 0 : CountEnvelopes(flags.cache_dir);
  const size_t spooled =
      spooled_after - std::min(spooled_after, spooled_before);
  const size_t from_spool =
      spooled_before - std::min(spooled_after, spooled_before);
  const int64_t delivered = captured.load() -
                            static_cast<int64_t>(dropped_total) -
                            static_cast<int64_t>(spooled);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"events\":%lld,\"threads\":%d,\"captured\":%lld,\"delivered\":%lld,"
      "\"spooled\":%zu,\"from_spool\":%zu,\"dropped\":{%s},\"elapsed_s\":%.3f,"
      "\"events_per_s\":%.0f,\"capture_p50_ns\":%lld,\"capture_p99_ns\":%lld,"
      "\"deliver_p50_us\":%lld,\"deliver_p99_us\":%lld,"
      "\"context_switches\":%lld,\"cpu_migrations\":%lld,"
      "\"caller_page_faults\":%lld,"
      "\"idle_wakes_per_s\":%.1f,\"peak_rss_mb\":%.1f,"
      "\"cpu_us_per_event\":%.1f}\n",
      static_cast<long long>(flags.events), flags.threads,
      static_cast<long long>(captured.load()),
      static_cast<long long>(delivered), spooled, from_spool,
      absl::StrJoin(dropped, ",").c_str(), elapsed,
      elapsed > 0 ? delivered / elapsed : 0.0,
      static_cast<long long>(Percentile(all, 0.5)),
      static_cast<long long>(Percentile(all, 0.99)),
      static_cast<long long>(Percentile(deliveries, 0.5)),
      static_cast<long long>(Percentile(deliveries, 0.99)),
      static_cast<long long>(sched.switches),
      static_cast<long long>(sched.migrations),
      static_cast<long long>(caller_page_faults), idle_wakes_per_s,
      usage.ru_maxrss / 1024.0,
      captured.load() > 0 ? (absl::ToDoubleMicroseconds(
                                 absl::DurationFromTimeval(usage.ru_utime)) +
                             absl::ToDoubleMicroseconds(
                                 absl::DurationFromTimeval(usage.ru_stime))) /
                                static_cast<double>(captured.load())
                          : 0.0);
  return 0;
}
