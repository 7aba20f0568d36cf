#include "sentry/integrations/curl.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sentry/hub.h"
#include "sentry/tracing.h"

namespace sentry::curl {
namespace {

bool IsHeader(absl::string_view line, absl::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' &&
         absl::EqualsIgnoreCase(line.substr(0, name.size()), name);
}

}  // namespace

CURLcode Perform(CURL* easy, absl::string_view method, absl::string_view url,
                 curl_slist* headers) {
  std::shared_ptr<Hub> hub = Hub::Current();
  Span parent;
  hub->ConfigureScope([&](Scope& scope) { parent = scope.GetSpan(); });
  Span span;
  if (!parent.trace_id().empty()) {
    span = parent.StartChild("http.client", absl::StrCat(method, " ", url));
    span.SetData("http.request.method", method);
    span.SetData("url", url);
  }

  curl_slist* traced = nullptr;
  std::shared_ptr<Client> client = hub->client();
  if (client != nullptr && client->IsEnabled() &&
      client->ShouldPropagateTrace(url)) {
    // The caller's headers, but their baggage is merged into ours and their
    // own trace headers (if any) give way to this trace's.
    std::string baggage;
    for (curl_slist* h = headers; h != nullptr; h = h->next) {
      const absl::string_view line(h->data);
      if (IsHeader(line, "baggage")) {
        baggage = std::string(absl::StripAsciiWhitespace(line.substr(8)));
        continue;
      }
      if (IsHeader(line, "sentry-trace") || IsHeader(line, "traceparent")) {
        continue;
      }
      traced = curl_slist_append(traced, h->data);
    }
    TraceHeaders trace;
    {
      // The child span is the next service's caller.
      std::optional<SpanGuard> active;
      if (!span.trace_id().empty()) active.emplace(span);
      trace = hub->GetTraceHeaders(baggage);
    }
    traced = curl_slist_append(
        traced, absl::StrCat("sentry-trace: ", trace.sentry_trace).c_str());
    if (!trace.baggage.empty()) {
      traced = curl_slist_append(
          traced, absl::StrCat("baggage: ", trace.baggage).c_str());
    }
    if (!trace.traceparent.empty()) {
      traced = curl_slist_append(
          traced, absl::StrCat("traceparent: ", trace.traceparent).c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, traced);
  }

  const CURLcode result = curl_easy_perform(easy);

  if (traced != nullptr) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_slist_free_all(traced);
  }
  if (result == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    span.SetData("http.response.status_code", static_cast<int64_t>(status));
    span.SetStatus(SpanStatusFromHttpCode(static_cast<int>(status)));
  } else {
    span.SetData("error", curl_easy_strerror(result));
    span.SetStatus(result == CURLE_OPERATION_TIMEDOUT
                       ? SpanStatus::kDeadlineExceeded
                       : SpanStatus::kInternalError);
  }
  span.Finish();
  return result;
}

}  // namespace sentry::curl
