#include "sentry/integrations/curl.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sentry/integrations/http_client.h"

namespace sentry::curl {

CURLcode Perform(CURL* easy, absl::string_view method, absl::string_view url,
                 curl_slist* headers) {
  http_client::OutgoingRequest traced(method, url);
  curl_slist* with_trace = nullptr;
  if (traced.propagates()) {
    // The caller's headers, but their baggage is merged into ours and their
    // own trace headers (if any) give way to this trace's.
    std::string baggage;
    for (curl_slist* h = headers; h != nullptr; h = h->next) {
      const absl::string_view line(h->data);
      const absl::string_view name = line.substr(0, line.find(':'));
      if (name.size() < line.size() && http_client::IsTraceHeader(name)) {
        if (absl::EqualsIgnoreCase(name, "baggage")) {
          baggage = std::string(
              absl::StripAsciiWhitespace(line.substr(name.size() + 1)));
        }
        continue;
      }
      with_trace = curl_slist_append(with_trace, h->data);
    }
    for (const auto& [name, value] : traced.Headers(baggage)) {
      with_trace = curl_slist_append(with_trace,
                                     absl::StrCat(name, ": ", value).c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, with_trace);
  }

  const CURLcode result = curl_easy_perform(easy);

  if (with_trace != nullptr) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_slist_free_all(with_trace);
  }
  if (result == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    traced.Finish(static_cast<int>(status));
  } else {
    traced.Fail(curl_easy_strerror(result), result == CURLE_OPERATION_TIMEDOUT);
  }
  return result;
}

}  // namespace sentry::curl
