#include "sentry/integrations/http_client.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sentry/client.h"
#include "sentry/tracing.h"

namespace sentry::http_client {

OutgoingRequest::OutgoingRequest(absl::string_view method,
                                 absl::string_view url)
    : hub_(Hub::Current()) {
  Span parent;
  hub_->ConfigureScope([&](Scope& scope) { parent = scope.GetSpan(); });
  if (!parent.trace_id().empty()) {
    span_ = parent.StartChild("http.client", absl::StrCat(method, " ", url));
    span_.SetData("http.request.method", method);
    span_.SetData("url", url);
  }
  std::shared_ptr<Client> client = hub_->client();
  propagates_ = client != nullptr && client->IsEnabled() &&
                client->ShouldPropagateTrace(url);
}

OutgoingRequest::~OutgoingRequest() {
  if (!finished_) span_.Finish();
}

std::vector<std::pair<std::string, std::string>> OutgoingRequest::Headers(
    absl::string_view callers_baggage) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!propagates_) return headers;
  TraceHeaders trace;
  {
    // The child span is the next service's caller.
    std::optional<SpanGuard> active;
    if (!span_.trace_id().empty()) active.emplace(span_);
    trace = hub_->GetTraceHeaders(callers_baggage);
  }
  headers.emplace_back("sentry-trace", std::move(trace.sentry_trace));
  if (!trace.baggage.empty()) {
    headers.emplace_back("baggage", std::move(trace.baggage));
  }
  if (!trace.traceparent.empty()) {
    headers.emplace_back("traceparent", std::move(trace.traceparent));
  }
  return headers;
}

void OutgoingRequest::Finish(int http_status) {
  if (finished_) return;
  finished_ = true;
  span_.SetData("http.response.status_code", static_cast<int64_t>(http_status));
  span_.SetStatus(SpanStatusFromHttpCode(http_status));
  span_.Finish();
}

void OutgoingRequest::Fail(absl::string_view error, bool timed_out) {
  if (finished_) return;
  finished_ = true;
  span_.SetData("error", error);
  span_.SetStatus(timed_out ? SpanStatus::kDeadlineExceeded
                            : SpanStatus::kInternalError);
  span_.Finish();
}

bool IsTraceHeader(absl::string_view name) {
  return absl::EqualsIgnoreCase(name, "sentry-trace") ||
         absl::EqualsIgnoreCase(name, "traceparent") ||
         absl::EqualsIgnoreCase(name, "baggage");
}

}  // namespace sentry::http_client
