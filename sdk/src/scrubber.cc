#include "sdk/src/scrubber.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sentry::internal {
namespace {

// Deeper values are not sent (the JSON encoder stops far above this).
constexpr int kMaxDepth = 64;

// Lowercase, with '-' as '_'.
std::string Normalize(absl::string_view key) {
  std::string out(key);
  for (char& c : out) {
    c = c == '-' ? '_' : absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return out;
}

constexpr absl::string_view kSecretSuffixes[] = {
    "password", "passwd", "secret", "token", "api_key", "apikey", "private_key",
};

}  // namespace

const std::vector<absl::string_view>& Scrubber::DefaultKeys() {
  static const auto* const keys = new std::vector<absl::string_view>{
      "password",
      "passwd",
      "pwd",
      "mysql_pwd",
      "secret",
      "client_secret",
      "api_key",
      "apikey",
      "auth",
      "authorization",
      "proxy_authorization",
      "credentials",
      "token",
      "access_token",
      "refresh_token",
      "id_token",
      "private_key",
      "privatekey",
      "session",
      "sessionid",
      "session_id",
      "jsessionid",
      "phpsessid",
      "connect.sid",
      "csrf",
      "csrftoken",
      "csrf_token",
      "xsrf_token",
      "x_csrftoken",
      "x_csrf_token",
      "x_xsrf_token",
      "cookie",
      "set_cookie",
      "x_api_key",
      "x_auth_token",
  };
  return *keys;
}

const std::vector<absl::string_view>& Scrubber::PiiKeys() {
  static const auto* const keys = new std::vector<absl::string_view>{
      "ip_address", "remote_addr", "x_real_ip", "x_forwarded_for", "email"};
  return *keys;
}

Scrubber::Scrubber(Config config)
    : enabled_(config.enabled),
      value_patterns_(std::move(config.value_patterns)),
      send_default_pii_(config.send_default_pii) {
  for (absl::string_view key : DefaultKeys()) keys_.insert(std::string(key));
  if (!send_default_pii_) {
    for (absl::string_view key : PiiKeys()) keys_.insert(std::string(key));
  }
  for (const std::string& key : config.keys) keys_.insert(Normalize(key));
}

bool Scrubber::IsSensitiveKey(absl::string_view key) const {
  const std::string normalized = Normalize(key);
  if (keys_.contains(normalized)) return true;
  for (absl::string_view suffix : kSecretSuffixes) {
    if (normalized.size() > suffix.size() &&
        absl::EndsWith(normalized, suffix) &&
        normalized[normalized.size() - suffix.size() - 1] == '_') {
      return true;
    }
  }
  return false;
}

bool Scrubber::IsSensitiveValue(absl::string_view value) const {
  return !value_patterns_.empty() && value_patterns_.Matches(value);
}

void Scrubber::Scrub(google::protobuf::Value& value, int depth) const {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      if (IsSensitiveValue(value.string_value())) {
        value.set_string_value(std::string(kFiltered));
      }
      break;
    case google::protobuf::Value::kStructValue:
      Scrub(*value.mutable_struct_value(), depth + 1);
      break;
    case google::protobuf::Value::kListValue:
      if (depth >= kMaxDepth) break;
      for (auto& item : *value.mutable_list_value()->mutable_values()) {
        Scrub(item, depth + 1);
      }
      break;
    default:
      break;
  }
}

void Scrubber::Scrub(google::protobuf::Struct& object, int depth) const {
  if (depth >= kMaxDepth) return;
  for (auto& [key, value] : *object.mutable_fields()) {
    if (IsSensitiveKey(key)) {
      value.set_string_value(std::string(kFiltered));
    } else {
      Scrub(value, depth);
    }
  }
}

void Scrubber::ScrubMap(
    google::protobuf::Map<std::string, std::string>& map) const {
  for (auto& [key, value] : map) {
    if (IsSensitiveKey(key) || IsSensitiveValue(value)) {
      value = std::string(kFiltered);
    }
  }
}

std::string Scrubber::ScrubPairs(absl::string_view text, char separator) const {
  std::vector<std::string> pairs;
  for (absl::string_view pair : absl::StrSplit(text, separator)) {
    const size_t eq = pair.find('=');
    const absl::string_view key =
        absl::StripAsciiWhitespace(pair.substr(0, eq));
    const absl::string_view value = eq == absl::string_view::npos
                                        ? absl::string_view()
                                        : pair.substr(eq + 1);
    if (eq != absl::string_view::npos &&
        (IsSensitiveKey(key) || IsSensitiveValue(value))) {
      pairs.push_back(absl::StrCat(pair.substr(0, eq + 1), kFiltered));
    } else {
      pairs.emplace_back(pair);
    }
  }
  return absl::StrJoin(pairs, std::string(1, separator));
}

std::string Scrubber::ScrubQuery(absl::string_view query) const {
  return ScrubPairs(query, '&');
}

std::string Scrubber::ScrubCookies(absl::string_view cookies) const {
  return ScrubPairs(cookies, ';');
}

void Scrubber::Scrub(protocol::Breadcrumb& breadcrumb) const {
  if (breadcrumb.has_data()) Scrub(*breadcrumb.mutable_data(), 0);
}

void Scrubber::Scrub(SpanAttributes& attributes) const {
  for (auto& [key, value] : attributes.tags) {
    if (IsSensitiveKey(key) || IsSensitiveValue(value)) {
      value = std::string(kFiltered);
    }
  }
  for (auto& [key, value] : attributes.data) {
    if (IsSensitiveKey(key)) {
      value = std::string(kFiltered);
    } else if (auto* text = std::get_if<std::string>(&value)) {
      if (IsSensitiveValue(*text)) *text = std::string(kFiltered);
    } else if (auto* proto = std::get_if<google::protobuf::Value>(&value)) {
      Scrub(*proto, 0);
    }
  }
}

void Scrubber::Scrub(protocol::Event& event) const {
  if (!enabled_) return;
  ScrubMap(*event.mutable_tags());
  for (auto& [key, value] : *event.mutable_extra()) {
    if (IsSensitiveKey(key)) {
      value.set_string_value(std::string(kFiltered));
    } else {
      Scrub(value, 0);
    }
  }
  for (auto& [name, context] : *event.mutable_contexts()) Scrub(context, 0);
  if (event.has_breadcrumbs()) {
    for (auto& crumb : *event.mutable_breadcrumbs()->mutable_values()) {
      Scrub(crumb);
    }
  }
  if (event.has_request()) {
    protocol::Request& request = *event.mutable_request();
    ScrubMap(*request.mutable_headers());
    ScrubMap(*request.mutable_env());
    if (!request.cookies().empty()) {
      request.set_cookies(ScrubCookies(request.cookies()));
    }
    if (!request.query_string().empty()) {
      request.set_query_string(ScrubQuery(request.query_string()));
    }
    const size_t question = request.url().find('?');
    if (question != std::string::npos) {
      request.set_url(absl::StrCat(
          absl::string_view(request.url()).substr(0, question + 1),
          ScrubQuery(absl::string_view(request.url()).substr(question + 1))));
    }
    if (request.has_data()) Scrub(*request.mutable_data(), 0);
  }
  if (event.has_user()) {
    protocol::User& user = *event.mutable_user();
    if (!send_default_pii_) {
      user.clear_ip_address();
      user.clear_email();
    }
    if (user.has_data()) Scrub(*user.mutable_data(), 0);
  }
  for (protocol::Span& span : *event.mutable_spans()) {
    ScrubMap(*span.mutable_tags());
    if (span.has_data()) Scrub(*span.mutable_data(), 0);
  }
}

}  // namespace sentry::internal
