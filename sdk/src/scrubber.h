// Data scrubbing (Options::scrub_data): the value of every key that names a
// secret becomes "[Filtered]" wherever a key/value pair is sent (tags,
// extras, contexts, breadcrumb data, the request's headers, cookies, query
// and data, span data and tags, log and metric attributes), as does every
// string value that an Options::scrub_value_patterns entry matches; without
// send_default_pii the user's ip_address and email are removed. Runs on the
// SDK's threads, never on the caller's.
//
//   internal::Scrubber scrubber(options);
//   scrubber.Scrub(event);  // in place
//
// A key names a secret when, lowercased and with '-' read as '_', it is one
// of kDefaultKeys (or Options::scrub_keys), or ends in '_' and one of
// kSecretSuffixes ("db_password", "github_token"). Thread-safe (const).
#ifndef SENTRY_SDK_SRC_SCRUBBER_H_
#define SENTRY_SDK_SRC_SCRUBBER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "sdk/src/patterns.h"
#include "sdk/src/span_record.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::internal {

class Scrubber {
 public:
  static constexpr absl::string_view kFiltered = "[Filtered]";
  // Keys filtered by default (written as they are normalized).
  static const std::vector<absl::string_view>& DefaultKeys();
  // Without send_default_pii these are filtered too.
  static const std::vector<absl::string_view>& PiiKeys();

  struct Config {
    bool enabled = true;
    std::vector<std::string> keys;            // More keys.
    std::vector<std::string> value_patterns;  // Patterns of values.
    bool send_default_pii = false;
  };
  explicit Scrubber(Config config);

  bool enabled() const { return enabled_; }
  bool IsSensitiveKey(absl::string_view key) const;
  bool IsSensitiveValue(absl::string_view value) const;

  // Everything above that an event holds (an error or a transaction with
  // its protocol::Spans).
  void Scrub(protocol::Event& event) const;
  void Scrub(protocol::Breadcrumb& breadcrumb) const;
  // A recorded span's tags and data.
  void Scrub(SpanAttributes& attributes) const;
  void Scrub(google::protobuf::Struct& object) const { Scrub(object, 0); }
  // "a=1&token=x" -> "a=1&token=[Filtered]" (a URL's query too).
  std::string ScrubQuery(absl::string_view query) const;
  // "theme=dark; session=x" -> "theme=dark; session=[Filtered]".
  std::string ScrubCookies(absl::string_view cookies) const;

 private:
  void Scrub(google::protobuf::Struct& object, int depth) const;
  void Scrub(google::protobuf::Value& value, int depth) const;
  void ScrubMap(google::protobuf::Map<std::string, std::string>& map) const;
  std::string ScrubPairs(absl::string_view text, char separator) const;

  bool enabled_;
  absl::flat_hash_set<std::string> keys_;
  Patterns value_patterns_;
  bool send_default_pii_;
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_SCRUBBER_H_
