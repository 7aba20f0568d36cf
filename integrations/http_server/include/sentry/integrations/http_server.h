// HTTP-server middleware, framework-neutral: for each request, a fork of
// the current hub is made current for the handler, with the request on its
// scope (method, URL, query, filtered headers, transaction name from the
// route) and a breadcrumb. The request continues its caller's trace
// (sentry-trace and baggage, or W3C traceparent) and runs in a transaction
// (op http.server, named after the route, with the method, the response
// status and a span status from it) that is the scope's active span, so
// errors captured in the handler carry its trace. An exception escaping the
// handler is captured (mechanism "http_server", handled false) and answered
// with 500; 5xx responses may be captured too. Adapters for real servers
// build a sentry::http_server::Request and call Handle (see httplib.h and
// microhttpd.h next to this header).
//
//   sentry::http_server::Request request;   // from your server's request
//   request.method = "GET";
//   request.url = "http://example.com/user/42";
//   request.route = "/user/<id>";
//   int status = sentry::http_server::Handle(request, options, [&] {
//     sentry::CaptureMessage("inside the handler: tagged with this request");
//     return 200;
//   });  // 500 if the handler threw
//
// Privacy (PROTOCOL.md, Sentry's data-handling rules): without
// Options::send_default_pii there are no cookies, no client IP and no
// request body; with it, the client IP (from the socket, or from
// X-Forwarded-For / X-Real-IP when `trust_forwarded_headers`) and the body
// (up to `max_body_bytes`). Values of credential headers (Authorization,
// Proxy-Authorization, Cookie without PII, API keys, tokens, ...) are always
// replaced by "[Filtered]".
//
// Thread-safety: Handle may run concurrently on any number of threads.
#ifndef SENTRY_INTEGRATIONS_HTTP_SERVER_H_
#define SENTRY_INTEGRATIONS_HTTP_SERVER_H_

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sentry/hub.h"
#include "sentry/watchdog.h"

namespace sentry::http_server {

struct Request {
  std::string method;
  // Without the query: scheme://host[:port]/path (or just /path).
  std::string url;
  std::string query_string;  // Raw, without "?".
  std::vector<std::pair<std::string, std::string>> headers;
  // The route pattern that matched ("/user/<id>"); the transaction name.
  // Empty: the URL's path.
  std::string route;
  std::string remote_addr;  // The socket's peer address.
  std::string body;
};

struct MiddlewareOptions {
  // Capture responses with status >= 500 (as error messages).
  bool capture_server_errors = false;
  // With send_default_pii: take the client IP from X-Forwarded-For /
  // X-Real-IP (only behind a proxy that sets them).
  bool trust_forwarded_headers = false;
  // The body is sent (with send_default_pii) up to this many bytes, cut at
  // a character boundary. Relay keeps at most 8 KiB of request data, so
  // more would be sent for nothing.
  size_t max_body_bytes = 8 * 1024;
  // More header names (case-insensitive) whose values are always filtered.
  std::vector<std::string> sensitive_headers;
  // Report a request still being handled after this long as stuck work
  // (sentry/watchdog.h), named "METHOD route", with the request's scope.
  std::optional<absl::Duration> request_deadline;
};

// The mechanism of exceptions captured by the middleware.
protocol::Mechanism HttpServerMechanism();

// Whether a header's value is never sent (credentials, tokens, keys).
bool IsSensitiveHeader(absl::string_view name,
                       const MiddlewareOptions& options = {});

// One request's hub, bound to the calling thread until destroyed.
class RequestScope {
 public:
  RequestScope(const Request& request, const MiddlewareOptions& options);
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;
  ~RequestScope();

  const std::shared_ptr<Hub>& hub() const { return hub_; }
  // Records the response: captures a 5xx if enabled and no exception was
  // captured for this request already; in request session mode, counts the
  // request (crashed: an exception escaped; errored: a 5xx; else exited);
  // finishes the request's transaction.
  void Finish(int status);
  // The request's transaction (sampled by the client's options).
  const Span& transaction() const { return transaction_; }
  // Captures an exception that escaped the handler.
  std::string CaptureException(std::exception_ptr exception);

 private:
  std::shared_ptr<Hub> hub_;
  HubBinding binding_;
  const MiddlewareOptions& options_;
  std::string method_;
  std::string target_;
  absl::Time started_;
  bool exception_captured_ = false;
  Span transaction_;
  std::optional<WorkDeadline> deadline_;
};

// Runs `handler` (returning the HTTP status) within a RequestScope. An
// exception is captured and becomes 500; it never reaches the server.
template <typename Handler>
int Handle(const Request& request, const MiddlewareOptions& options,
           Handler&& handler) noexcept {
  try {
    RequestScope scope(request, options);
    int status = 500;
    try {
      status = handler();
    } catch (...) {
      scope.CaptureException(std::current_exception());
      status = 500;
    }
    scope.Finish(status);
    return status;
  } catch (...) {  // std::bad_alloc while building the scope.
    return 500;
  }
}

}  // namespace sentry::http_server

#endif  // SENTRY_INTEGRATIONS_HTTP_SERVER_H_
