// Load generator: captures events from several threads, each with a
// realistic scope (tags, user, breadcrumbs, extra), sends them to SENTRY_DSN
// over the HTTP transport, and prints one JSON line:
//
//   {"events":..,"threads":..,"captured":..,"delivered":..,"spooled":..,
//    "from_spool":..,
//    "dropped":{"queue_overflow":..,...},"elapsed_s":..,"events_per_s":..,
//    "capture_p50_ns":..,"capture_p99_ns":..,"peak_rss_mb":..,
//    "cpu_us_per_event":..}
//
// "delivered" is what the SDK knows: captured minus every counted drop minus
// what went to the spool ("from_spool": earlier runs' files sent now) (the
// drops include the client's own queue overflowing, which CaptureMessage
// reports by returning ""). "cpu_us_per_event" is the process's CPU time
// (user and system, all threads) per captured event. Usage:
//
//   SENTRY_DSN=http://key@127.0.0.1:PORT/1 loadgen --events 100000
//       --threads 2 [--rate EVENTS_PER_S] [--cache-dir DIR]
//       [--message-bytes N] [--shutdown-timeout-s S] [--max-queue N]
//       [--breadcrumbs N] [--compress 0|1]
//
// --max-queue sets both the client's and the transport's queue bound (in
// envelopes; 4 KiB each for the byte bound): a burst larger than the queues
// is partly dropped by design (queue_overflow).
#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "sentry/sentry.h"

namespace {

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
  std::atomic<int64_t> captured{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) {
    const int64_t share =
        flags.events / flags.threads + (t < flags.events % flags.threads);
    threads.emplace_back([&, t, share] {
      SetUpScope(t, flags.breadcrumbs);
      auto& mine = latencies[t];
      mine.reserve(static_cast<size_t>(share));
      const double per_thread_rate = flags.rate / flags.threads;
      for (int64_t i = 0; i < share; ++i) {
        if (per_thread_rate > 0) {
          std::this_thread::sleep_until(
              start + std::chrono::duration<double>(i / per_thread_rate));
        }
        const auto before = std::chrono::steady_clock::now();
        sentry::CaptureMessage(
            absl::StrCat("loadgen ", t, ":", i, " ", message),
            sentry::Level::kError);
        const auto after = std::chrono::steady_clock::now();
        mine.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(after - before)
                .count());
        captured.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto client = guard.client();
  guard.Close();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  std::vector<int64_t> all;
  for (auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  std::vector<std::string> dropped;
  uint64_t dropped_total = 0;
  for (int r = 0; r < static_cast<int>(sentry::DiscardReason::kCount); ++r) {
    const auto reason = static_cast<sentry::DiscardReason>(r);
    const uint64_t n = client->client_reports().Count(reason);
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
      "\"peak_rss_mb\":%.1f,\"cpu_us_per_event\":%.1f}\n",
      static_cast<long long>(flags.events), flags.threads,
      static_cast<long long>(captured.load()),
      static_cast<long long>(delivered), spooled, from_spool,
      absl::StrJoin(dropped, ",").c_str(), elapsed,
      elapsed > 0 ? delivered / elapsed : 0.0,
      static_cast<long long>(Percentile(all, 0.5)),
      static_cast<long long>(Percentile(all, 0.99)), usage.ru_maxrss / 1024.0,
      captured.load() > 0 ? (absl::ToDoubleMicroseconds(
                                 absl::DurationFromTimeval(usage.ru_utime)) +
                             absl::ToDoubleMicroseconds(
                                 absl::DurationFromTimeval(usage.ru_stime))) /
                                static_cast<double>(captured.load())
                          : 0.0);
  return 0;
}
