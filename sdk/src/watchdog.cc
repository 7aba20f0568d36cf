#include "sentry/watchdog.h"

#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "sdk/src/current_hubs.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/sdk_thread.h"
#include "sdk/src/stacktrace.h"
#include "sentry/hub.h"

namespace sentry {
namespace internal {

constexpr int kMaxNesting = 4;
constexpr size_t kWhatMax = 96;

// One guard's work, in its thread's slot. Written by the thread before it
// publishes the slot's depth; read by the watchdog while it holds the slot
// pinned (WatchedThread).
struct WatchedWork {
  int64_t start_ns = 0;  // CLOCK_MONOTONIC_COARSE
  int64_t deadline_ns = 0;
  Hub* hub = nullptr;  // The thread's current hub when the work started.
  char what[kWhatMax] = {};
  std::atomic<bool> reported{false};
};

// A thread's guards. The watchdog pins the slot while it reads it; a guard
// that ends waits for the pin to go (a few nanoseconds, only when the two
// meet), so that a report never reads work that has ended nor a hub that
// is gone.
struct WatchedThread {
  std::atomic<pid_t> tid{0};  // Set again when a new thread takes the slot.
  std::atomic<int> depth{0};
  std::atomic<bool> pinned{false};
  std::atomic<bool> in_use{true};
  WatchedWork work[kMaxNesting];
  WatchedThread* next = nullptr;  // The registry; slots are never freed.
};

namespace {

// How often the watchdog looks: the delay of a report past its deadline.
constexpr absl::Duration kPeriod = absl::Milliseconds(250);
// Stacks taken per report, frames per stack, and how long the watchdog
// waits for the threads to write them.
constexpr int kMaxThreads = 256;
constexpr int kMaxFrames = 64;
constexpr absl::Duration kStackTimeout = absl::Milliseconds(500);

std::atomic<WatchedThread*> g_threads{nullptr};
std::atomic<bool> g_watchdog_started{false};

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void WatchdogLoop();

// Gives the slot back when its thread exits.
struct SlotRelease {
  WatchedThread* slot = nullptr;
  ~SlotRelease() {
    if (slot != nullptr) slot->in_use.store(false, std::memory_order_release);
  }
};

thread_local WatchedThread* t_slot = nullptr;

// This thread's slot: a free one of an exited thread, else a new one.
WatchedThread* NewSlot() {
  WatchedThread* slot = nullptr;
  for (WatchedThread* t = g_threads.load(std::memory_order_acquire);
       t != nullptr; t = t->next) {
    bool free = false;
    if (t->in_use.compare_exchange_strong(free, true,
                                          std::memory_order_acq_rel)) {
      slot = t;
      break;
    }
  }
  if (slot == nullptr) {
    slot = new WatchedThread();
    WatchedThread* head = g_threads.load(std::memory_order_relaxed);
    do {
      slot->next = head;
    } while (!g_threads.compare_exchange_weak(
        head, slot, std::memory_order_release, std::memory_order_relaxed));
  }
  slot->tid.store(static_cast<pid_t>(::syscall(SYS_gettid)),
                  std::memory_order_relaxed);
  slot->depth.store(0, std::memory_order_relaxed);
  static thread_local SlotRelease release;
  release.slot = slot;
  if (!g_watchdog_started.exchange(true)) {
    std::thread(WatchdogLoop).detach();
  }
  return slot;
}

// --- Stacks of every thread, each taken by the thread itself in a signal
// handler (the watchdog cannot read another thread's registers in-process).

struct ThreadStack {
  std::atomic<bool> ready{false};
  pid_t tid = 0;
  int depth = 0;
  void* pcs[kMaxFrames];
};

struct StackCapture {
  std::atomic<int> claimed{0};
  std::atomic<int> done{0};
  ThreadStack threads[kMaxThreads];
};

std::atomic<StackCapture*> g_capture{nullptr};

int StackSignal() { return SIGRTMIN + 6; }

void OnStackSignal(int, siginfo_t*, void* context) {
  const int saved_errno = errno;
  StackCapture* capture = g_capture.load(std::memory_order_acquire);
  if (capture != nullptr) {
    const int i = capture->claimed.fetch_add(1, std::memory_order_acq_rel);
    if (i < kMaxThreads) {
      ThreadStack& stack = capture->threads[i];
      stack.tid = static_cast<pid_t>(::syscall(SYS_gettid));
      stack.depth = UnwindFromSignal(context, stack.pcs, kMaxFrames);
      stack.ready.store(true, std::memory_order_release);
    }
    capture->done.fetch_add(1, std::memory_order_release);
  }
  errno = saved_errno;
}

// Installs the handler once; false when the program handles the signal.
bool StackSignalInstalled() {
  static const bool installed = [] {
    struct sigaction old;
    if (::sigaction(StackSignal(), nullptr, &old) != 0) return false;
    if (old.sa_handler != SIG_DFL) {
      Log(LogLevel::kWarning, "watchdog: signal ", StackSignal(),
          " is the program's: stuck work is reported without stacks");
      return false;
    }
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_sigaction = &OnStackSignal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    return ::sigaction(StackSignal(), &action, nullptr) == 0;
  }();
  return installed;
}

std::vector<pid_t> ThreadIds() {
  std::vector<pid_t> tids;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return tids;
  while (dirent* entry = ::readdir(dir)) {
    int tid = 0;
    if (absl::SimpleAtoi(entry->d_name, &tid) && tid > 0) tids.push_back(tid);
  }
  ::closedir(dir);
  std::sort(tids.begin(), tids.end());
  return tids;
}

std::string ThreadName(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
  std::string name;
  if (FILE* f = std::fopen(path, "r")) {
    char buffer[64];
    if (std::fgets(buffer, sizeof(buffer), f) != nullptr) name = buffer;
    std::fclose(f);
  }
  return std::string(absl::StripTrailingAsciiWhitespace(name));
}

// Every thread's stack (but the watchdog's) into `event`'s threads, the
// stuck thread's also into its exception.
void AddThreads(pid_t stuck, protocol::Event* event) {
  if (!StackSignalInstalled()) return;
  auto* capture = new StackCapture();
  g_capture.store(capture, std::memory_order_release);
  const pid_t pid = ::getpid();
  const pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
  int sent = 0;
  for (pid_t tid : ThreadIds()) {
    if (tid == self || sent == kMaxThreads) continue;
    if (::syscall(SYS_tgkill, pid, tid, StackSignal()) == 0) ++sent;
  }
  const absl::Time deadline = absl::Now() + kStackTimeout;
  while (capture->done.load(std::memory_order_acquire) < sent &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  g_capture.store(nullptr, std::memory_order_release);
  const int claimed =
      std::min(capture->claimed.load(std::memory_order_acquire), kMaxThreads);
  auto* values = event->mutable_threads()->mutable_values();
  for (int i = 0; i < claimed; ++i) {
    const ThreadStack& stack = capture->threads[i];
    if (!stack.ready.load(std::memory_order_acquire)) continue;
    protocol::Thread* thread = values->Add();
    thread->set_id(static_cast<uint64_t>(stack.tid));
    const std::string name = ThreadName(stack.tid);
    if (!name.empty()) thread->set_name(name);
    thread->set_crashed(stack.tid == stuck);
    thread->set_current(false);
    thread->set_main(stack.tid == pid);
    StacktraceFromPcs(stack.pcs, stack.depth, thread->mutable_stacktrace());
    if (stack.tid == stuck) {
      *event->mutable_exception()->mutable_values(0)->mutable_stacktrace() =
          thread->stacktrace();
    }
  }
  std::sort(values->begin(), values->end(),
            [](const protocol::Thread& a, const protocol::Thread& b) {
              return a.id() < b.id();
            });
  if (capture->done.load(std::memory_order_acquire) >= sent) {
    delete capture;
  } else {
    // A thread may still write into it: kept (and reachable).
    static auto* const late = new std::vector<std::unique_ptr<StackCapture>>();
    late->emplace_back(capture);
    Log(LogLevel::kWarning, "watchdog: ", sent - capture->done.load(),
        " threads did not give their stacks in time");
  }
}

// --- Reports.

struct Overdue {
  pid_t tid = 0;
  std::string what;
  double running_seconds = 0;
  double deadline_seconds = 0;
  std::shared_ptr<Hub> hub;
};

std::string Seconds(double seconds) { return absl::StrFormat("%.1f", seconds); }

void Report(const Overdue& overdue) {
  const std::shared_ptr<Client> client = overdue.hub->client();
  if (client == nullptr || !client->IsEnabled()) return;
  protocol::Event event;
  event.set_level("error");
  protocol::Exception* exception = event.mutable_exception()->add_values();
  exception->set_type("StuckWork");
  exception->set_value(absl::StrCat(
      "\"", overdue.what, "\" still running after ",
      Seconds(overdue.running_seconds),
      " s (its deadline: ", Seconds(overdue.deadline_seconds), " s)"));
  exception->set_thread_id(static_cast<uint64_t>(overdue.tid));
  protocol::Mechanism* mechanism = exception->mutable_mechanism();
  mechanism->set_type("watchdog");
  mechanism->set_handled(false);
  mechanism->set_synthetic(true);
  AddThreads(overdue.tid, &event);
  const std::string id = overdue.hub->CaptureEvent(std::move(event));
  Log(LogLevel::kInfo, "watchdog: \"", overdue.what, "\" on thread ",
      overdue.tid, " is stuck: reported as ", id);
}

// The overdue work not reported yet, marked reported.
std::vector<Overdue> Scan() {
  std::vector<Overdue> overdue;
  for (WatchedThread* t = g_threads.load(std::memory_order_acquire);
       t != nullptr; t = t->next) {
    if (!t->in_use.load(std::memory_order_acquire)) continue;
    t->pinned.store(true, std::memory_order_seq_cst);
    const int depth = t->depth.load(std::memory_order_seq_cst);
    const int64_t now = MonotonicNanos();
    for (int i = 0; i < depth; ++i) {
      WatchedWork& work = t->work[i];
      if (work.reported.load(std::memory_order_relaxed) ||
          now < work.deadline_ns) {
        continue;
      }
      work.reported.store(true, std::memory_order_release);
      Overdue o;
      o.tid = t->tid.load(std::memory_order_relaxed);
      o.what = work.what;
      o.running_seconds = static_cast<double>(now - work.start_ns) / 1e9;
      o.deadline_seconds =
          static_cast<double>(work.deadline_ns - work.start_ns) / 1e9;
      // A thread that never used the SDK would use the main hub's scope.
      o.hub =
          work.hub != nullptr ? work.hub->weak_from_this().lock() : Hub::Main();
      if (o.hub != nullptr) overdue.push_back(std::move(o));
    }
    t->pinned.store(false, std::memory_order_seq_cst);
  }
  return overdue;
}

void WatchdogLoop() {
  BecomeSdkThread("sentry-watchdog");
  for (;;) {
    absl::SleepFor(kPeriod);
    for (const Overdue& overdue : Scan()) Report(overdue);
  }
}

// A reported piece of work ended: later events on this thread say so.
void FinishedLate(const WatchedWork& work) {
  const double took =
      static_cast<double>(MonotonicNanos() - work.start_ns) / 1e9;
  const std::shared_ptr<Hub> hub = Hub::Current();
  protocol::Breadcrumb crumb;
  crumb.set_category("watchdog");
  crumb.set_level("warning");
  crumb.set_message(absl::StrCat("\"", work.what, "\" finished after ",
                                 Seconds(took),
                                 " s, after it was reported as stuck"));
  hub->AddBreadcrumb(std::move(crumb));
  hub->ConfigureScope([&](Scope& scope) {
    scope.SetTag("stuck_work",
                 absl::StrCat(work.what, ": ", Seconds(took), " s"));
  });
}

}  // namespace
}  // namespace internal

WorkDeadline::WorkDeadline(absl::string_view what, absl::Duration deadline)
    : work_(nullptr) {
  using internal::t_slot;
  if (internal::InForkedChild()) return;
  if (t_slot == nullptr) t_slot = internal::NewSlot();
  internal::WatchedThread& thread = *t_slot;
  const int depth = thread.depth.load(std::memory_order_relaxed);
  if (depth >= internal::kMaxNesting) return;
  internal::WatchedWork& work = thread.work[depth];
  const int64_t now = internal::MonotonicNanos();
  work.start_ns = now;
  const int64_t nanos =
      deadline < absl::ZeroDuration() ? 0 : absl::ToInt64Nanoseconds(deadline);
  work.deadline_ns =
      nanos > INT64_MAX - now ? INT64_MAX : now + nanos;  // saturated
  work.hub = internal::PeekCurrentHub();
  const size_t n = std::min(what.size(), internal::kWhatMax - 1);
  std::memcpy(work.what, what.data(), n);
  work.what[n] = '\0';
  work.reported.store(false, std::memory_order_relaxed);
  thread.depth.store(depth + 1, std::memory_order_release);
  work_ = &work;
}

WorkDeadline::~WorkDeadline() {
  if (work_ == nullptr) return;
  internal::WatchedThread& thread = *internal::t_slot;
  thread.depth.store(thread.depth.load(std::memory_order_relaxed) - 1,
                     std::memory_order_seq_cst);
  while (thread.pinned.load(std::memory_order_seq_cst)) {
    std::this_thread::yield();
  }
  if (work_->reported.load(std::memory_order_acquire)) {
    internal::FinishedLate(*work_);
  }
}

}  // namespace sentry
