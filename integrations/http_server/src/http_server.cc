#include "sentry/integrations/http_server.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "sdk/src/request_sessions.h"
#include "sentry/client.h"

namespace sentry::http_server {
namespace {

constexpr absl::string_view kFiltered = "[Filtered]";

// Headers whose values identify the client's address: personal data.
bool IsAddressHeader(absl::string_view lower) {
  return lower == "x-forwarded-for" || lower == "x-real-ip" ||
         lower == "forwarded" || lower == "true-client-ip" ||
         lower == "cf-connecting-ip";
}

// The path part of a URL ("http://host/a/b" -> "/a/b").
absl::string_view PathOf(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return url;
  const size_t slash = url.find('/', scheme + 3);
  return slash == absl::string_view::npos ? "/" : url.substr(slash);
}

bool SendPii() {
  auto client = Hub::Current()->client();
  return client != nullptr && client->options().send_default_pii;
}

// The client address from trusted forwarding headers: the first entry of
// X-Forwarded-For, else X-Real-IP.
std::string ForwardedAddress(const Request& request) {
  std::string real_ip;
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "x-forwarded-for")) {
      const absl::string_view first = absl::StripAsciiWhitespace(
          absl::string_view(value).substr(0, value.find(',')));
      if (!first.empty()) return std::string(first);
    }
    if (absl::EqualsIgnoreCase(name, "x-real-ip")) real_ip = value;
  }
  return std::string(absl::StripAsciiWhitespace(real_ip));
}

}  // namespace

protocol::Mechanism HttpServerMechanism() {
  protocol::Mechanism mechanism;
  mechanism.set_type("http_server");
  mechanism.set_handled(false);
  return mechanism;
}

bool IsSensitiveHeader(absl::string_view name,
                       const MiddlewareOptions& options) {
  const std::string lower = absl::AsciiStrToLower(name);
  static constexpr absl::string_view kExact[] = {
      "authorization", "proxy-authorization", "cookie",
      "set-cookie",    "x-api-key",           "api-key",
      "apikey",        "x-sentry-auth",       "x-csrf-token",
      "x-xsrf-token",  "x-amz-security-token"};
  for (absl::string_view exact : kExact) {
    if (lower == exact) return true;
  }
  static constexpr absl::string_view kParts[] = {
      "token",  "secret",  "password", "passwd", "api-key",
      "apikey", "api_key", "session",  "auth"};
  for (absl::string_view part : kParts) {
    if (absl::StrContains(lower, part)) return true;
  }
  for (const std::string& extra : options.sensitive_headers) {
    if (absl::EqualsIgnoreCase(name, extra)) return true;
  }
  return false;
}

RequestScope::RequestScope(const Request& request,
                           const MiddlewareOptions& options)
    : hub_(Hub::Current()->Clone()),
      binding_(hub_),
      options_(options),
      method_(request.method),
      target_(request.route.empty() ? std::string(PathOf(request.url))
                                    : request.route),
      started_(absl::Now()) {
  const bool pii = SendPii();
  protocol::Request data;
  data.set_method(request.method);
  data.set_url(request.url);
  data.set_query_string(request.query_string);
  // Repeated headers are joined, as HTTP allows.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (lower == "cookie") {
      if (pii) data.set_cookies(value);
      continue;  // In `cookies` (with PII) or nowhere.
    }
    std::string shown;
    if (IsSensitiveHeader(name, options)) {
      shown = std::string(kFiltered);
    } else if (!pii && IsAddressHeader(lower)) {
      shown = std::string(kFiltered);
    } else {
      shown = value;
    }
    auto [it, inserted] = headers.try_emplace(name, shown);
    if (!inserted) absl::StrAppend(&it->second, ", ", shown);
  }
  data.mutable_headers()->insert(headers.begin(), headers.end());
  std::string ip;
  if (pii) {
    if (!request.body.empty()) {
      size_t cut = std::min(request.body.size(), options.max_body_bytes);
      // Not inside a UTF-8 sequence (continuation bytes are 10xxxxxx).
      while (cut > 0 && cut < request.body.size() &&
             (static_cast<unsigned char>(request.body[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      data.mutable_data()->set_string_value(request.body.substr(0, cut));
    }
    if (options.trust_forwarded_headers) ip = ForwardedAddress(request);
    if (ip.empty()) ip = request.remote_addr;
  }
  hub_->ConfigureScope([&](Scope& scope) {
    scope.SetTransactionName(target_);
    scope.AddEventProcessor(
        [data = std::move(data), ip = std::move(ip)](protocol::Event& event) {
          if (!event.has_request()) *event.mutable_request() = data;
          if (!ip.empty() && event.user().ip_address().empty()) {
            event.mutable_user()->set_ip_address(ip);
          }
          return true;
        });
  });
  protocol::Breadcrumb crumb;
  crumb.set_type("http");
  crumb.set_category("http.server");
  crumb.set_message(absl::StrCat(method_, " ", PathOf(request.url)));
  hub_->AddBreadcrumb(std::move(crumb));

  // The request continues its caller's trace (or starts one) and runs in a
  // transaction, active on the request's scope.
  auto header = [&request](absl::string_view name) -> absl::string_view {
    for (const auto& [key, value] : request.headers) {
      if (absl::EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  };
  hub_->ContinueTrace(header("sentry-trace"), header("baggage"),
                      header("traceparent"));
  transaction_ = hub_->StartTransaction({target_, "http.server",
                                         request.route.empty()
                                             ? TransactionSource::kUrl
                                             : TransactionSource::kRoute});
  transaction_.SetData("http.request.method", method_);
  hub_->ConfigureScope([&](Scope& scope) { scope.SetSpan(transaction_); });
  if (options.request_deadline) {
    deadline_.emplace(absl::StrCat(method_, " ", target_),
                      *options.request_deadline);
  }
}

RequestScope::~RequestScope() {
  // A request that ended without Finish (an exception in the adapter).
  transaction_.Finish();
}

void RequestScope::Finish(int status) {
  // Ended: a request reported as stuck says so on what Finish captures.
  deadline_.reset();
  transaction_.SetData("http.response.status_code", status);
  transaction_.SetStatus(exception_captured_ ? SpanStatus::kInternalError
                                             : SpanStatusFromHttpCode(status));
  if (auto client = hub_->client()) {
    internal::RecordRequestSession(*client, started_, status >= 500,
                                   exception_captured_);
  }
  if (options_.capture_server_errors && status >= 500 && !exception_captured_) {
    hub_->WithScope([&](Scope& scope) {
      scope.SetTag("http.status_code", absl::StrCat(status));
      scope.SetLevel(Level::kError);
      hub_->CaptureMessage(
          absl::StrCat("HTTP ", status, ": ", method_, " ", target_),
          Level::kError);
    });
  }
  transaction_.Finish();
}

std::string RequestScope::CaptureException(std::exception_ptr exception) {
  exception_captured_ = true;
  return hub_->CaptureException(exception, HttpServerMechanism());
}

}  // namespace sentry::http_server
