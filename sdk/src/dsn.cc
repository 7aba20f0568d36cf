#include "sentry/dsn.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sentry {
namespace {

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid DSN: ", why));
}

// The organization id in a host's first label "o{digits}", as Sentry's SaaS
// hosts carry it (o123.ingest.sentry.io); section 11 of PROTOCOL.md.
std::optional<uint64_t> OrgIdFromHost(absl::string_view host) {
  const size_t dot = host.find('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  absl::string_view first = host.substr(0, dot);
  if (first.size() < 2 || first[0] != 'o') return std::nullopt;
  first.remove_prefix(1);
  for (char c : first) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  uint64_t id;
  if (!absl::SimpleAtoi(first, &id)) return std::nullopt;  // overflow
  return id;
}

}  // namespace

absl::StatusOr<Dsn> Dsn::Parse(absl::string_view input) {
  Dsn dsn;
  dsn.raw_ = std::string(input);
  absl::string_view rest = input;
  const size_t scheme_end = rest.find("://");
  if (scheme_end == absl::string_view::npos) {
    return Invalid("missing scheme (expected https://...)");
  }
  dsn.scheme_ = absl::AsciiStrToLower(rest.substr(0, scheme_end));
  if (dsn.scheme_ != "http" && dsn.scheme_ != "https") {
    return Invalid(absl::StrCat("unsupported scheme '", dsn.scheme_,
                                "' (expected http or https)"));
  }
  rest.remove_prefix(scheme_end + 3);
  // Query and fragment are ignored.
  rest = rest.substr(0, rest.find_first_of("?#"));

  const size_t at = rest.find('@');
  const size_t slash = rest.find('/');
  if (at == absl::string_view::npos ||
      (slash != absl::string_view::npos && at > slash)) {
    return Invalid("missing public key (expected https://KEY@host/PROJECT)");
  }
  absl::string_view userinfo = rest.substr(0, at);
  rest.remove_prefix(at + 1);
  const size_t colon = userinfo.find(':');
  dsn.public_key_ = std::string(userinfo.substr(0, colon));
  if (colon != absl::string_view::npos) {
    dsn.secret_key_ = std::string(userinfo.substr(colon + 1));
  }
  if (dsn.public_key_.empty()) return Invalid("missing public key");

  const size_t path_start = rest.find('/');
  absl::string_view hostport = rest.substr(0, path_start);
  absl::string_view path =
      path_start == absl::string_view::npos ? "" : rest.substr(path_start);
  absl::string_view host = hostport;
  dsn.port_ = dsn.secure() ? 443 : 80;
  if (!hostport.empty() && hostport[0] == '[') {  // IPv6 literal
    const size_t close = hostport.find(']');
    if (close == absl::string_view::npos)
      return Invalid("unterminated IPv6 host");
    host = hostport.substr(0, close + 1);
    absl::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':' || !absl::SimpleAtoi(after.substr(1), &dsn.port_)) {
        return Invalid("invalid port");
      }
    }
  } else if (const size_t pc = hostport.rfind(':');
             pc != absl::string_view::npos) {
    host = hostport.substr(0, pc);
    if (!absl::SimpleAtoi(hostport.substr(pc + 1), &dsn.port_)) {
      return Invalid("invalid port");
    }
  }
  if (dsn.port_ <= 0 || dsn.port_ > 65535) return Invalid("port out of range");
  if (host.empty()) return Invalid("missing host");
  dsn.host_ = std::string(host);

  while (absl::EndsWith(path, "/")) path.remove_suffix(1);
  const size_t last = path.rfind('/');
  if (last == absl::string_view::npos || last + 1 >= path.size()) {
    return Invalid("missing project id (expected https://KEY@host/PROJECT)");
  }
  dsn.project_id_ = std::string(path.substr(last + 1));
  dsn.path_ = std::string(path.substr(0, last));
  dsn.org_id_ = OrgIdFromHost(dsn.host_);
  return dsn;
}

std::string Dsn::EnvelopeUrl() const {
  return absl::StrCat(scheme_, "://", host_, ":", port_, path_, "/api/",
                      project_id_, "/envelope/");
}

std::string Dsn::AuthHeader(absl::string_view client) const {
  std::string header =
      absl::StrCat("Sentry sentry_key=", public_key_,
                   ", sentry_version=7, sentry_client=", client);
  if (!secret_key_.empty())
    absl::StrAppend(&header, ", sentry_secret=", secret_key_);
  return header;
}

}  // namespace sentry
