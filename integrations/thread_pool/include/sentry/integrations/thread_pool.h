// Hub propagation into thread pools and threads: work handed to another
// thread runs with its own hub, forked from the hub of the code that handed
// it over, so scope data never leaks between tasks (or into the worker).
//
//   // Any callable, any executor:
//   pool.Submit(sentry::BindHub([] { sentry::CaptureMessage("in a task"); }));
//
//   // Or wrap the executor once and submit as usual:
//   auto executor = sentry::PropagateHubs(pool);
//   executor.Submit([] { ... });   // also post(...), execute(...), submit(...)
//
//   // A std::thread that forks its creator's hub:
//   sentry::Thread worker([] { sentry::CaptureMessage("from the thread"); });
//   worker.join();
//
// BindHub forks Hub::Current() when it wraps (so the task sees the
// submitter's scope as it was at submission), and each run of the task makes
// a fresh fork of that current for its duration (so a task run twice, or
// the next task on the same worker, never sees what a run set). The worker's
// previous hub is restored afterwards, also when the task throws. With
// `capture_exceptions`, an exception leaving the task is captured (mechanism
// "thread_pool", handled false) and then rethrown unchanged. With
// `deadline`, a run still going after it is reported as stuck work with the
// run's scope (sentry/watchdog.h).
//
// Thread-safety: a bound task may run on any thread; copies share the
// submit-time fork, which is never modified.
#ifndef SENTRY_INTEGRATIONS_THREAD_POOL_H_
#define SENTRY_INTEGRATIONS_THREAD_POOL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "sentry/hub.h"
#include "sentry/watchdog.h"

namespace sentry {

struct BindOptions {
  // Capture exceptions that leave the task (then rethrow them).
  bool capture_exceptions = false;
  // Report a run still going after this long as stuck work
  // (sentry/watchdog.h), named `task_name`, with the task's scope.
  std::optional<absl::Duration> deadline;
  std::string task_name = "thread pool task";
};

namespace internal {
// The mechanism of exceptions captured by bound tasks.
protocol::Mechanism ThreadPoolMechanism();
}  // namespace internal

// A callable bound to a hub: see BindHub.
template <typename F>
class HubBoundTask {
 public:
  HubBoundTask(std::shared_ptr<Hub> hub, F task, BindOptions options)
      : hub_(std::move(hub)), task_(std::move(task)), options_(options) {}

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) {
    return Invoke(task_, std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const {
    return Invoke(task_, std::forward<Args>(args)...);
  }

  // The fork taken at submission (the parent of every run's hub).
  const std::shared_ptr<Hub>& hub() const { return hub_; }

 private:
  template <typename T, typename... Args>
  decltype(auto) Invoke(T& task, Args&&... args) const {
    HubBinding binding(hub_->Clone());
    std::optional<WorkDeadline> deadline;
    if (options_.deadline)
      deadline.emplace(options_.task_name, *options_.deadline);
    if (!options_.capture_exceptions) {
      return std::invoke(task, std::forward<Args>(args)...);
    }
    try {
      return std::invoke(task, std::forward<Args>(args)...);
    } catch (...) {
      Hub::Current()->CaptureException(std::current_exception(),
                                       internal::ThreadPoolMechanism());
      throw;
    }
  }

  std::shared_ptr<Hub> hub_;
  F task_;
  BindOptions options_;
};

// Wraps `task` so that it runs with a fork of the calling thread's current
// hub, wherever and whenever it runs.
template <typename F>
HubBoundTask<std::decay_t<F>> BindHub(F&& task, BindOptions options = {}) {
  return HubBoundTask<std::decay_t<F>>(Hub::Current()->Clone(),
                                       std::forward<F>(task), options);
}

// Wraps an executor (a thread pool, a task queue, ...): every callable
// handed to its post, execute, submit or Submit is bound with BindHub first.
// Holds a reference: the executor must outlive the wrapper.
template <typename Executor>
class HubPropagatingExecutor {
 public:
  explicit HubPropagatingExecutor(Executor& inner, BindOptions options = {})
      : inner_(&inner), options_(options) {}

  template <typename F, typename E = Executor>
  auto post(F&& task) -> decltype(std::declval<E&>().post(
      std::declval<HubBoundTask<std::decay_t<F>>>())) {
    return inner_->post(BindHub(std::forward<F>(task), options_));
  }
  template <typename F, typename E = Executor>
  auto execute(F&& task) -> decltype(std::declval<E&>().execute(
      std::declval<HubBoundTask<std::decay_t<F>>>())) {
    return inner_->execute(BindHub(std::forward<F>(task), options_));
  }
  template <typename F, typename E = Executor>
  auto submit(F&& task) -> decltype(std::declval<E&>().submit(
      std::declval<HubBoundTask<std::decay_t<F>>>())) {
    return inner_->submit(BindHub(std::forward<F>(task), options_));
  }
  template <typename F, typename E = Executor>
  auto Submit(F&& task) -> decltype(std::declval<E&>().Submit(
      std::declval<HubBoundTask<std::decay_t<F>>>())) {
    return inner_->Submit(BindHub(std::forward<F>(task), options_));
  }

  Executor& inner() const { return *inner_; }

 private:
  Executor* inner_;
  BindOptions options_;
};

template <typename Executor>
HubPropagatingExecutor<Executor> PropagateHubs(Executor& executor,
                                               BindOptions options = {}) {
  return HubPropagatingExecutor<Executor>(executor, options);
}

// A std::thread whose function runs with a fork of its creator's current
// hub (not of the main hub). Same interface and rules as std::thread.
class Thread {
 public:
  using id = std::thread::id;
  using native_handle_type = std::thread::native_handle_type;

  Thread() noexcept = default;
  template <
      typename F, typename... Args,
      typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Thread>>>
  explicit Thread(F&& f, Args&&... args)
      : thread_(BindHub(std::forward<F>(f)), std::forward<Args>(args)...) {}
  Thread(Thread&&) noexcept = default;
  Thread& operator=(Thread&&) noexcept = default;

  bool joinable() const noexcept { return thread_.joinable(); }
  id get_id() const noexcept { return thread_.get_id(); }
  native_handle_type native_handle() { return thread_.native_handle(); }
  void join() { thread_.join(); }
  void detach() { thread_.detach(); }
  void swap(Thread& other) noexcept { thread_.swap(other.thread_); }
  static unsigned int hardware_concurrency() noexcept {
    return std::thread::hardware_concurrency();
  }

 private:
  std::thread thread_;
};

}  // namespace sentry

#endif  // SENTRY_INTEGRATIONS_THREAD_POOL_H_
