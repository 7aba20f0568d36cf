// A program that crashes the way a server does, for the crash handler's
// tests: three threads parked in known functions, and a worker thread with
// its own scope (a tag, a transaction, breadcrumbs) that writes through a
// null pointer in CrashInGamma. Before it crashes it prints what the crash
// report must name, as one JSON line:
//
//   {"pid":..,"worker_tid":..,"trace_id":"..","span_id":".."}
//
//   crashing_program --cache-dir DIR [--how HOW] [--minidump 1]
//
// HOW: segv (the default), abort, assert (a failed assert(), whose message
// the report carries), overflow (endless recursion), heap (the heap is
// corrupted, then the segv), pool (the crash is in a task bound with
// sentry::BindHub, which sets its own tag), lock (another thread holds the
// global scope's lock meanwhile), oom (allocates until the kernel's OOM
// killer ends it: run it in a memory cgroup), none (no crash: a next run),
// sdk (the SDK's own worker thread crashes, in before_send).
// With SENTRY_DSN set, the handler process sends the crash at once.
#undef NDEBUG  // assert() is one of the crashes.
#include <assert.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "sdk/src/scope_data.h"
#include "sentry/integrations/crash.h"
#include "sentry/integrations/thread_pool.h"
#include "sentry/sentry.h"

namespace {

int g_never[2];  // A pipe no one writes: parked threads read it forever.

// Blocks for good, in a frame of its own (no tail call).
__attribute__((noinline)) void BlockForever() {
  char byte;
  while (::read(g_never[0], &byte, 1) != 0) {
  }
  std::abort();  // Only if the pipe were closed.
}

__attribute__((noinline)) void ParkInAlpha(absl::BlockingCounter* parked) {
  parked->DecrementCount();
  BlockForever();
  asm volatile("");
}
__attribute__((noinline)) void ParkInBeta(absl::BlockingCounter* parked) {
  parked->DecrementCount();
  BlockForever();
  asm volatile("");
}
__attribute__((noinline)) void ParkInDelta(absl::BlockingCounter* parked) {
  parked->DecrementCount();
  BlockForever();
  asm volatile("");
}

// A volatile store through an opaque null pointer: no optimizer may drop
// it. Not instrumented by ThreadSanitizer, whose check of the address would
// fault inside its own runtime first.
__attribute__((noinline, no_sanitize_thread)) void CrashInGamma(
    volatile int* volatile pointer) {
  *pointer = 42;
  asm volatile("");
}

// Recurses until the stack runs out (long before the opaque limit).
volatile int g_depth_limit = 1 << 30;
__attribute__((noinline)) int Overflow(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (depth >= g_depth_limit) return frame[0];
  return Overflow(depth + 1) + frame[0];
}

// Scribbles over freed blocks (the allocator's free-list pointers among
// them), so that the next allocation of their size would crash. Not seen
// by the sanitizers, which would stop the program here instead.
__attribute__((noinline, no_sanitize("address", "thread"))) void
CorruptTheHeap() {
  for (size_t size : {16, 32, 64, 128, 256, 512, 1024}) {
    char* volatile block = static_cast<char*>(std::malloc(size));
    std::free(block);
    for (size_t i = 0; i < size; ++i) block[i] = static_cast<char>(0xa5);
  }
}

__attribute__((noinline)) void Work(const std::string& how) {
  if (how == "sdk") {
    sentry::CaptureMessage("processed on the SDK's thread");
    BlockForever();  // Until the SDK's worker crashes in before_send.
  }
  if (how == "abort") std::abort();
  if (how == "overflow") Overflow(0);
  if (how == "assert") {
    const int orders = 3;
    assert(orders == 4 && "orders must balance");
  }
  if (how == "heap") CorruptTheHeap();
  if (how == "lock") {
    // Another thread parks holding the global scope's lock (which every
    // capture takes): the crash report must not wait for it.
    absl::BlockingCounter locked(1);
    std::thread([&] {
      pthread_setname_np(pthread_self(), "holds-lock");
      sentry::internal::ScopeAccess::WhileLocked(
          sentry::GlobalScope(),
          [](void* arg) {
            static_cast<absl::BlockingCounter*>(arg)->DecrementCount();
            BlockForever();
          },
          &locked);
    }).detach();
    locked.Wait();
  }
  if (how == "pool") {
    // A task bound to a fork of this thread's hub runs on another thread.
    std::thread pool_thread(sentry::BindHub([] {
      sentry::ConfigureScope(
          [](sentry::Scope& scope) { scope.SetTag("task", "order-3"); });
      CrashInGamma(nullptr);
    }));
    pool_thread.join();
  }
  CrashInGamma(nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  std::string cache_dir = "/tmp/sentry-crashing-program";
  std::string how = "segv";
  sentry::CrashOptions crash;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--cache-dir") == 0) cache_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--how") == 0) how = argv[i + 1];
    if (std::strcmp(argv[i], "--minidump") == 0) {
      crash.attach_minidump = std::strcmp(argv[i + 1], "1") == 0;
    }
  }
  if (::pipe(g_never) != 0) return 1;
  sentry::Options options;
  options.release = "crashing-program@1.0.0";
  options.cache_dir = cache_dir;
  options.traces_sample_rate = 1.0;
  options.debug = std::getenv("SENTRY_DEBUG") != nullptr;
  options.integrations.push_back(sentry::NewCrashIntegration(crash));
  if (how == "sdk") {
    options.before_send = [](sentry::protocol::Event&) {
      CrashInGamma(nullptr);
      return true;
    };
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok() || !sentry::CrashHandlerRunning()) {
    std::fprintf(stderr, "no crash handler process: %s\n",
                 guard.status().ToString().c_str());
    return 3;
  }
  if (how == "none") return 0;
  if (how == "oom") {
    // Touches every page it takes, so that they count.
    std::vector<char*> blocks;
    for (;;) {
      char* block = static_cast<char*>(std::malloc(1 << 20));
      if (block == nullptr) return 4;
      std::memset(block, 1, 1 << 20);
      blocks.push_back(block);
    }
  }
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("thread", "main"); });
  sentry::AddBreadcrumb("main started", "app");

  absl::BlockingCounter parked(3);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    pthread_setname_np(pthread_self(), "parked-alpha");
    ParkInAlpha(&parked);
  });
  threads.emplace_back([&] {
    pthread_setname_np(pthread_self(), "parked-beta");
    ParkInBeta(&parked);
  });
  threads.emplace_back([&] {
    pthread_setname_np(pthread_self(), "parked-delta");
    ParkInDelta(&parked);
  });
  parked.Wait();

  std::thread worker([&] {
    pthread_setname_np(pthread_self(), "worker");
    // This thread's own hub (forked from main's on first use).
    // A log file of the worker's: attached by its path.
    const std::string log_path = cache_dir + "-worker.log";
    std::FILE* log = std::fopen(log_path.c_str(), "w");
    if (log != nullptr) {
      std::fputs("worker started\n", log);
      std::fclose(log);
    }
    sentry::ConfigureScope([&](sentry::Scope& scope) {
      scope.SetTag("thread", "worker");
      // Attachments the crash report carries: bytes, and a file.
      scope.AddAttachment(sentry::Attachment::FromBytes(
          "orders.json", "{\"orders\":[1,2,3]}", "application/json"));
      scope.AddAttachment(sentry::Attachment::FromPath(log_path, "text/plain"));
      // Secrets and personal data the crash report must not carry.
      scope.SetTag("X-Api-Key", "key-k4711");
      sentry::protocol::User user;
      user.set_id("4711");
      user.set_email("ann@example.com");
      scope.SetUser(user);
    });
    sentry::Span transaction =
        sentry::StartTransaction({"nightly-job", "task"});
    sentry::ConfigureScope(
        [&](sentry::Scope& scope) { scope.SetSpan(transaction); });
    sentry::AddBreadcrumb("loaded 3 orders", "app");
    std::printf(
        "{\"pid\":%d,\"worker_tid\":%ld,\"trace_id\":\"%s\",\"span_id\":"
        "\"%s\"}\n",
        static_cast<int>(::getpid()), static_cast<long>(::syscall(SYS_gettid)),
        transaction.trace_id().c_str(), transaction.span_id().c_str());
    std::fflush(stdout);
    sentry::AddBreadcrumb("writing order 3", "app");  // The last one.
    Work(how);
  });
  worker.join();
  return 0;
}
