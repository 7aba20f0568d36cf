#include "sdk/src/event_filters.h"

#include <algorithm>
#include <utility>

namespace sentry::internal {

EventFilters::EventFilters(std::vector<std::string> ignore_errors,
                           std::vector<std::string> ignore_transactions)
    : error_types_(ignore_errors),
      errors_(std::move(ignore_errors)),
      transactions_(std::move(ignore_transactions)) {}

bool EventFilters::IgnoresError(const protocol::Event& event) const {
  if (errors_.empty()) return false;
  for (const protocol::Exception& exception : event.exception().values()) {
    if (std::find(error_types_.begin(), error_types_.end(), exception.type()) !=
        error_types_.end()) {
      return true;
    }
    if (!exception.value().empty() && errors_.Matches(exception.value())) {
      return true;
    }
  }
  const protocol::LogEntry& entry = event.logentry();
  return (!entry.message().empty() && errors_.Matches(entry.message())) ||
         (!entry.formatted().empty() && errors_.Matches(entry.formatted()));
}

bool EventFilters::IgnoresTransaction(absl::string_view name) const {
  return transactions_.Matches(name);
}

}  // namespace sentry::internal
