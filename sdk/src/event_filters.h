// The options' noise rules (Options::ignore_errors, ignore_transactions),
// compiled once and applied by the client's worker before any user code
// sees an event.
//
//   internal::EventFilters filters(options);
//   if (filters.IgnoresError(event)) { /* drop: event_processor */ }
#ifndef SENTRY_SDK_SRC_EVENT_FILTERS_H_
#define SENTRY_SDK_SRC_EVENT_FILTERS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "sdk/src/patterns.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::internal {

class EventFilters {
 public:
  EventFilters(std::vector<std::string> ignore_errors,
               std::vector<std::string> ignore_transactions);

  // An entry equals the type of one of its exceptions, or matches its
  // message (logentry) or an exception's value.
  bool IgnoresError(const protocol::Event& event) const;
  // An entry matches the transaction's name.
  bool IgnoresTransaction(absl::string_view name) const;

 private:
  std::vector<std::string> error_types_;
  Patterns errors_;
  Patterns transactions_;
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_EVENT_FILTERS_H_
