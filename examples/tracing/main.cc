// Distributed tracing across two services: "checkout" (an HTTP server)
// handles a request by calling "inventory" (a second HTTP server) through
// libcurl; inventory fails to reserve the item and captures an error. Both
// services' transactions and the error share one trace: checkout's
// http.client span is the parent of inventory's transaction, whose request
// carried the sentry-trace and baggage headers.
//
//   tracing            # prints the envelopes (or sends them to SENTRY_DSN)
//
// The two services run in this one process, on ports of 127.0.0.1, so that
// the example is self-contained; across machines it works the same.
#include <curl/curl.h>

#include <iostream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "sentry/integrations/curl.h"
#include "sentry/integrations/httplib.h"
#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"

namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// A GET through libcurl, traced: returns the status (0 on failure).
long Get(const std::string& url) {
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, Discard);
  long status = 0;
  if (sentry::curl::Perform(easy, "GET", url) == CURLE_OK) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_easy_cleanup(easy);
  return status;
}

// Serves `server` on a free port of 127.0.0.1 in a thread; returns the port.
int Serve(httplib::Server& server, std::thread& thread) {
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port > 0) thread = std::thread([&server] { server.listen_after_bind(); });
  while (port > 0 && !server.is_running()) std::this_thread::yield();
  return port;
}

}  // namespace

int main() {
  sentry::Options options;
  options.release = "tracing-example@0.1.0";
  options.traces_sample_rate = 1.0;
  // Trace headers go to our own services only.
  options.trace_propagation_targets = {"127.0.0.1"};
  options.auto_session_tracking = false;
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }
  curl_global_init(CURL_GLOBAL_ALL);

  using sentry::httplib_adapter::Wrap;
  httplib::Server inventory;
  inventory.Get(R"(/items/(\w+)/reserve)",
                Wrap("/items/<id>/reserve",
                     [](const httplib::Request& req, httplib::Response& res) {
                       sentry::ConfigureScope([&](sentry::Scope& scope) {
                         scope.SetTag("service", "inventory");
                         scope.SetTag("incoming.sentry-trace",
                                      req.get_header_value("sentry-trace"));
                       });
                       sentry::CaptureMessage(
                           absl::StrCat("item ", std::string(req.matches[1]),
                                        " is out of stock"),
                           sentry::Level::kError);
                       res.status = 409;
                     }));
  std::thread inventory_thread;
  const int inventory_port = Serve(inventory, inventory_thread);

  httplib::Server checkout;
  checkout.Get("/checkout", Wrap("/checkout", [&](const httplib::Request&,
                                                  httplib::Response& res) {
                 sentry::ConfigureScope([](sentry::Scope& scope) {
                   scope.SetTag("service", "checkout");
                 });
                 const long status = Get(absl::StrCat(
                     "http://127.0.0.1:", inventory_port, "/items/42/reserve"));
                 res.status = status == 200 ? 200 : 502;
               }));
  std::thread checkout_thread;
  const int checkout_port = Serve(checkout, checkout_thread);
  if (inventory_port <= 0 || checkout_port <= 0) {
    std::cerr << "cannot listen on 127.0.0.1\n";
    return 1;
  }

  // A customer's request, from outside (no trace: checkout starts one).
  CURL* customer = curl_easy_init();
  const std::string url =
      absl::StrCat("http://127.0.0.1:", checkout_port, "/checkout");
  curl_easy_setopt(customer, CURLOPT_URL, url.c_str());
  curl_easy_setopt(customer, CURLOPT_WRITEFUNCTION, Discard);
  long status = 0;
  if (curl_easy_perform(customer) == CURLE_OK) {
    curl_easy_getinfo(customer, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_easy_cleanup(customer);
  std::cerr << "checkout answered " << status << "\n";

  checkout.stop();
  inventory.stop();
  checkout_thread.join();
  inventory_thread.join();
  guard.Close();
  curl_global_cleanup();
  return status == 502 ? 0 : 1;
}
