// A list of patterns as the options take them (trace_propagation_targets,
// ignore_errors, ignore_transactions): an entry matches a string that
// contains it, or that it matches somewhere as an ECMAScript regular
// expression (an entry that is not a valid one is only a substring).
// Compiled once; Matches is thread-safe.
//
//   internal::Patterns patterns({"timeout", "^GET /health"});
//   patterns.Matches("GET /health/live");  // true
#ifndef SENTRY_SDK_SRC_PATTERNS_H_
#define SENTRY_SDK_SRC_PATTERNS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sentry::internal {

class Patterns {
 public:
  explicit Patterns(std::vector<std::string> patterns);
  ~Patterns();
  Patterns(Patterns&&) noexcept;
  Patterns& operator=(Patterns&&) noexcept;

  bool empty() const { return substrings_.empty(); }
  // False when there are no patterns. Regular expressions look at the
  // first kMaxRegexInput bytes only (std::regex recurses per character).
  bool Matches(absl::string_view text) const;

  static constexpr size_t kMaxRegexInput = 1024;

 private:
  std::vector<std::string> substrings_;
  struct Regexes;
  std::unique_ptr<Regexes> regexes_;
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_PATTERNS_H_
