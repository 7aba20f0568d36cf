// Outgoing HTTP, traced, for any client library: an http.client child span
// of the current hub's active span around the request, and the headers
// that carry the trace to the next service (sentry-trace, baggage, and
// traceparent when asked for) for URLs that match
// Options::trace_propagation_targets. The adapters (//integrations/curl,
// //integrations/http_client:httplib) are built on it; use it directly to
// trace another client.
//
//   sentry::http_client::OutgoingRequest traced("GET", url);
//   if (traced.propagates()) {
//     for (const auto& [name, value] : traced.Headers(callers_baggage)) {
//       request.SetHeader(name, value);  // replacing the caller's own
//     }
//   }
//   int status = Send(request);
//   traced.Finish(status);  // or traced.Fail("connection refused", false)
//
// A request whose URL is not a target gets no header: send it exactly as
// the caller set it up. Without an active span there is no child span and
// the scope's trace is propagated. Not thread-safe: one per request.
#ifndef SENTRY_INTEGRATIONS_HTTP_CLIENT_H_
#define SENTRY_INTEGRATIONS_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "sentry/hub.h"
#include "sentry/span.h"

namespace sentry::http_client {

class OutgoingRequest {
 public:
  // Starts the span (description "{method} {url}").
  OutgoingRequest(absl::string_view method, absl::string_view url);
  // Finishes the span if Finish or Fail did not.
  ~OutgoingRequest();
  OutgoingRequest(const OutgoingRequest&) = delete;
  OutgoingRequest& operator=(const OutgoingRequest&) = delete;

  // Whether the URL is a propagation target (and the SDK is enabled).
  bool propagates() const { return propagates_; }

  // (name, value) of the trace headers to set, in place of any header of
  // the caller's with the same name (compare names case-insensitively).
  // `callers_baggage` is the caller's own baggage value: other vendors'
  // members are kept in the merged one.
  std::vector<std::pair<std::string, std::string>> Headers(
      absl::string_view callers_baggage = "") const;

  // The response's HTTP status: the span's status and data.
  void Finish(int http_status);
  // No response: `error` becomes the span's data, and its status
  // deadline_exceeded when `timed_out`, else internal_error.
  void Fail(absl::string_view error, bool timed_out);

  // The child span (a no-op span without an active one).
  const Span& span() const { return span_; }

 private:
  std::shared_ptr<Hub> hub_;
  Span span_;
  bool propagates_ = false;
  bool finished_ = false;
};

// Whether a header of the caller's named `name` gives way to Headers():
// sentry-trace, traceparent and baggage (merged), in any case.
bool IsTraceHeader(absl::string_view name);

}  // namespace sentry::http_client

#endif  // SENTRY_INTEGRATIONS_HTTP_CLIENT_H_
