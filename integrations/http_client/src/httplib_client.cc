#include "sentry/integrations/httplib_client.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sentry/integrations/http_client.h"

namespace sentry::httplib_client {

Client::Client(std::string scheme_host_port)
    : base_url_(std::move(scheme_host_port)), client_(base_url_) {}

httplib::Result Client::Send(httplib::Request request) {
  http_client::OutgoingRequest traced(request.method,
                                      absl::StrCat(base_url_, request.path));
  if (traced.propagates()) {
    std::string baggage;
    for (auto it = request.headers.begin(); it != request.headers.end();) {
      if (!http_client::IsTraceHeader(it->first)) {
        ++it;
        continue;
      }
      if (absl::EqualsIgnoreCase(it->first, "baggage")) baggage = it->second;
      it = request.headers.erase(it);
    }
    for (auto& [name, value] : traced.Headers(baggage)) {
      request.headers.emplace(std::move(name), std::move(value));
    }
  }
  httplib::Result result = client_.send(request);
  if (result) {
    traced.Finish(result->status);
  } else {
    traced.Fail(httplib::to_string(result.error()),
                result.error() == httplib::Error::ConnectionTimeout);
  }
  return result;
}

httplib::Result Client::Get(const std::string& path,
                            const httplib::Headers& headers) {
  httplib::Request request;
  request.method = "GET";
  request.path = path;
  request.headers = headers;
  return Send(std::move(request));
}

httplib::Result Client::Post(const std::string& path,
                             const httplib::Headers& headers,
                             const std::string& body,
                             const std::string& content_type) {
  httplib::Request request;
  request.method = "POST";
  request.path = path;
  request.headers = headers;
  request.body = body;
  if (!content_type.empty()) {
    request.headers.emplace("Content-Type", content_type);
  }
  return Send(std::move(request));
}

}  // namespace sentry::httplib_client
