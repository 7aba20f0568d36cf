// Hub propagation for Boost.Asio: an executor adapter for
// boost::asio::thread_pool, io_context and anything with Asio's executor
// interface. Every function posted, dispatched or deferred through it runs
// with a fork of the poster's current hub (see thread_pool.h for the rules).
//
//   boost::asio::thread_pool pool(4);
//   auto executor = sentry::asio::PropagateHubs(pool.get_executor());
//   boost::asio::post(executor, [] { sentry::CaptureMessage("in the pool"); });
//
// Target //integrations/thread_pool:asio (Boost headers from Debian's
// libboost-dev).
#ifndef SENTRY_INTEGRATIONS_ASIO_H_
#define SENTRY_INTEGRATIONS_ASIO_H_

#include <utility>

#include "sentry/integrations/thread_pool.h"

namespace sentry::asio {

template <typename Inner>
class HubExecutor {
 public:
  explicit HubExecutor(Inner inner, BindOptions options = {})
      : inner_(std::move(inner)), options_(options) {}

  decltype(auto) context() const noexcept { return inner_.context(); }
  void on_work_started() const noexcept { inner_.on_work_started(); }
  void on_work_finished() const noexcept { inner_.on_work_finished(); }

  template <typename F, typename Allocator>
  void dispatch(F&& f, const Allocator& allocator) const {
    inner_.dispatch(BindHub(std::forward<F>(f), options_), allocator);
  }
  template <typename F, typename Allocator>
  void post(F&& f, const Allocator& allocator) const {
    inner_.post(BindHub(std::forward<F>(f), options_), allocator);
  }
  template <typename F, typename Allocator>
  void defer(F&& f, const Allocator& allocator) const {
    inner_.defer(BindHub(std::forward<F>(f), options_), allocator);
  }

  const Inner& inner() const { return inner_; }

  friend bool operator==(const HubExecutor& a, const HubExecutor& b) noexcept {
    return a.inner_ == b.inner_;
  }
  friend bool operator!=(const HubExecutor& a, const HubExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  Inner inner_;
  BindOptions options_;
};

template <typename Inner>
HubExecutor<Inner> PropagateHubs(Inner inner, BindOptions options = {}) {
  return HubExecutor<Inner>(std::move(inner), options);
}

}  // namespace sentry::asio

#endif  // SENTRY_INTEGRATIONS_ASIO_H_
