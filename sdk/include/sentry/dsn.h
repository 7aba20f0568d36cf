// sentry::Dsn: a parsed Data Source Name (PROTOCOL.md section 1.1).
//
//   absl::StatusOr<sentry::Dsn> dsn =
//       sentry::Dsn::Parse("https://key@o1.ingest.sentry.io/42");
//   if (dsn.ok()) curl_url = dsn->EnvelopeUrl();  // .../api/42/envelope/
//
// Immutable after parsing; safe to share between threads.
#ifndef SENTRY_DSN_H_
#define SENTRY_DSN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sentry {

class Dsn {
 public:
  // Parses
  // `{scheme}://{public_key}[:{secret}]@{host}[:{port}]{path}/{project}`. The
  // error message names what is wrong (scheme, key, host, port, project).
  static absl::StatusOr<Dsn> Parse(absl::string_view dsn);

  const std::string& scheme() const { return scheme_; }
  bool secure() const { return scheme_ == "https"; }
  const std::string& public_key() const { return public_key_; }
  const std::string& secret_key() const { return secret_key_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // The path prefix before the project id, without a trailing slash ("" or
  // "/some/prefix").
  const std::string& path() const { return path_; }
  // Kept as a string: Sentry's project ids are opaque.
  const std::string& project_id() const { return project_id_; }
  // From SaaS hosts of the form o{digits}.ingest[.region].sentry.io.
  std::optional<uint64_t> org_id() const { return org_id_; }

  // {scheme}://{host}:{port}{path}/api/{project}/envelope/
  std::string EnvelopeUrl() const;
  // Sentry sentry_version=7, sentry_client=..., sentry_key=...[,
  // sentry_secret=...]
  std::string AuthHeader(absl::string_view client) const;
  // The DSN as given to Parse.
  const std::string& raw() const { return raw_; }

 private:
  std::string raw_;
  std::string scheme_;
  std::string public_key_;
  std::string secret_key_;
  std::string host_;
  int port_ = 0;
  std::string path_;
  std::string project_id_;
  std::optional<uint64_t> org_id_;
};

}  // namespace sentry

#endif  // SENTRY_DSN_H_
