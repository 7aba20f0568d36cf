// Outgoing HTTP with libcurl, traced: an http.client child span of the
// current hub's active span around the request, and the trace's propagation
// headers (sentry-trace, baggage, and traceparent when asked for) added to
// requests whose URL matches Options::trace_propagation_targets. A request
// to any other URL is sent exactly as the caller set it up.
//
//   CURL* easy = curl_easy_init();
//   curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
//   curl_easy_setopt(easy, CURLOPT_HTTPHEADER, my_headers);  // optional
//   CURLcode result = sentry::curl::Perform(easy, "GET", url, my_headers);
//
// Perform sets CURLOPT_HTTPHEADER to the caller's headers plus Sentry's for
// the duration of the request, then back to `headers`. A `baggage` header of
// the caller's is merged with Sentry's members (other vendors' kept).
// Thread-safe as libcurl is: one easy handle per thread at a time.
#ifndef SENTRY_INTEGRATIONS_CURL_H_
#define SENTRY_INTEGRATIONS_CURL_H_

#include <curl/curl.h>

#include "absl/strings/string_view.h"

namespace sentry::curl {

// curl_easy_perform(easy), traced as above. `url` is the URL set on `easy`
// (libcurl does not tell it before the request); `headers` the list set as
// CURLOPT_HTTPHEADER, or null.
CURLcode Perform(CURL* easy, absl::string_view method, absl::string_view url,
                 curl_slist* headers = nullptr);

}  // namespace sentry::curl

#endif  // SENTRY_INTEGRATIONS_CURL_H_
