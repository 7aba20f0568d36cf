// Hub propagation into a thread pool: each request handled on a
// boost::asio::thread_pool tags its own events, and a nested task and a
// sentry::Thread inherit what was set where they were started. Prints the
// envelopes (stdout transport), or sends them to SENTRY_DSN when it is set.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "sentry/integrations/asio.h"
#include "sentry/integrations/thread_pool.h"
#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"

int main() {
  sentry::Options options;
  options.release = "thread-pool-example@0.1.0";
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }
  sentry::ConfigureScope(
      [](sentry::Scope& scope) { scope.SetTag("service", "resizer"); });

  boost::asio::thread_pool pool(2);
  auto executor = sentry::asio::PropagateHubs(pool.get_executor());
  for (int request = 1; request <= 2; ++request) {
    boost::asio::post(executor, [request, executor] {
      // This task's hub: nothing set here reaches other requests.
      sentry::ConfigureScope([request](sentry::Scope& scope) {
        scope.SetTag("request", absl::StrCat(request));
      });
      sentry::AddBreadcrumb(absl::StrCat("resizing image ", request), "job");
      // A nested task sees this request's tag.
      boost::asio::post(executor, [] {
        sentry::CaptureMessage("thumbnail written", sentry::Level::kInfo);
      });
    });
  }

  // A task whose exception is reported on the way out (capture_exceptions)
  // and still reaches the code that waits for it.
  sentry::BindOptions bind;
  bind.capture_exceptions = true;
  auto job = sentry::BindHub(
      [] {
        sentry::ConfigureScope(
            [](sentry::Scope& scope) { scope.SetTag("request", "3"); });
        throw std::runtime_error("corrupt image");
      },
      bind);
  std::exception_ptr failure;
  absl::Notification done;
  boost::asio::post(pool, [&] {
    try {
      job();
    } catch (...) {
      failure = std::current_exception();
    }
    done.Notify();
  });
  done.WaitForNotification();
  try {
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::cerr << "request 3 failed: " << e.what() << "\n";
  }
  pool.join();

  sentry::Thread audit([] { sentry::CaptureMessage("audit done"); });
  audit.join();
  return sentry::Flush(absl::Seconds(5)) ? 0 : 1;
}
