#include "sdk/src/patterns.h"

#include <locale>
#include <regex>
#include <utility>

#include "absl/strings/match.h"

namespace sentry::internal {

struct Patterns::Regexes {
  std::vector<std::regex> compiled;
};

Patterns::Patterns(std::vector<std::string> patterns)
    : substrings_(std::move(patterns)), regexes_(std::make_unique<Regexes>()) {
  if (substrings_.empty()) return;
  // std::regex reads the locale's ctype<char>::narrow, whose cache
  // libstdc++ fills on first use of each character: filled here, once,
  // before the threads that match (the SDK's worker and its log thread)
  // share it.
  const auto& ctype = std::use_facet<std::ctype<char>>(std::locale());
  for (int c = 0; c < 256; ++c) ctype.narrow(static_cast<char>(c), '\0');
  for (const std::string& pattern : substrings_) {
    try {
      regexes_->compiled.emplace_back(
          pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
      // Not a regular expression: a substring only.
    }
  }
}

Patterns::~Patterns() = default;
Patterns::Patterns(Patterns&&) noexcept = default;
Patterns& Patterns::operator=(Patterns&&) noexcept = default;

bool Patterns::Matches(absl::string_view text) const {
  for (const std::string& substring : substrings_) {
    if (absl::StrContains(text, substring)) return true;
  }
  const absl::string_view head = text.substr(0, kMaxRegexInput);
  for (const std::regex& regex : regexes_->compiled) {
    try {
      if (std::regex_search(head.begin(), head.end(), regex)) return true;
    } catch (const std::regex_error&) {
      // Too complex for this input: no match.
    }
  }
  return false;
}

}  // namespace sentry::internal
