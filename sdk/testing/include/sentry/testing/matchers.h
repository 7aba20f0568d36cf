// GoogleTest matchers for the events a test captured (sentry/testing/
// capture.h, or TestTransport::events()).
//
//   using sentry::testing::HasMessage;
//   using sentry::testing::HasTag;
//   auto events = sentry::testing::CaptureEvents([] { RunJob(); });
//   EXPECT_THAT(events, ElementsAre(AllOf(HasMessage("job failed"),
//                                         HasTag("job", "resize"))));
//   EXPECT_THAT(events[0], sentry::testing::HasException<std::out_of_range>());
//
// Each matcher explains a mismatch with what the event has instead.
#ifndef SENTRY_TESTING_MATCHERS_H_
#define SENTRY_TESTING_MATCHERS_H_

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <typeinfo>

#include "gmock/gmock.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::testing {

// The event's message is `message` (a template's text as captured).
MATCHER_P(HasMessage, message,
          std::string(negation ? "has no" : "has") + " message " +
              ::testing::PrintToString(message)) {
  if (arg.logentry().message() == message) return true;
  *result_listener << "its message is \"" << arg.logentry().message() << "\"";
  return false;
}

// The event has tag `key` with `value`.
MATCHER_P2(HasTag, key, value,
           std::string(negation ? "has no" : "has") + " tag " +
               ::testing::PrintToString(key) + "=" +
               ::testing::PrintToString(value)) {
  auto it = arg.tags().find(key);
  if (it == arg.tags().end()) {
    *result_listener << "it has no tag " << ::testing::PrintToString(key);
    return false;
  }
  if (it->second == value) return true;
  *result_listener << "its tag " << ::testing::PrintToString(key) << " is "
                   << ::testing::PrintToString(it->second);
  return false;
}

// The event's user has id `id`.
MATCHER_P(HasUser, id,
          std::string(negation ? "has no" : "has") + " user with id " +
              ::testing::PrintToString(id)) {
  if (arg.has_user() && arg.user().id() == id) return true;
  *result_listener << (arg.has_user()
                           ? "its user's id is \"" + arg.user().id() + "\""
                           : std::string("it has no user"));
  return false;
}

// One of the event's breadcrumbs has message `message`.
MATCHER_P(HasBreadcrumb, message,
          std::string(negation ? "has no" : "has") + " breadcrumb " +
              ::testing::PrintToString(message)) {
  for (const auto& crumb : arg.breadcrumbs().values()) {
    if (crumb.message() == message) return true;
  }
  *result_listener << "it has " << arg.breadcrumbs().values_size()
                   << " breadcrumbs, none with that message";
  return false;
}

// The event belongs to trace `trace_id` (its contexts.trace).
MATCHER_P(InTrace, trace_id,
          std::string(negation ? "is not" : "is") + " in trace " +
              ::testing::PrintToString(trace_id)) {
  auto trace = arg.contexts().find("trace");
  if (trace == arg.contexts().end()) {
    *result_listener << "it has no trace context";
    return false;
  }
  auto id = trace->second.fields().find("trace_id");
  std::string actual =
      id == trace->second.fields().end() ? "" : id->second.string_value();
  if (actual == trace_id) return true;
  *result_listener << "its trace_id is \"" << actual << "\"";
  return false;
}

// The event's exception (the outermost, when it has causes) is of type
// `type`, as the SDK names types: "std::runtime_error", "my::Error".
MATCHER_P(HasExceptionType, type,
          std::string(negation ? "has no" : "has") + " exception of type " +
              ::testing::PrintToString(type)) {
  const auto& values = arg.exception().values();
  if (values.empty()) {
    *result_listener << "it has no exception";
    return false;
  }
  const std::string& actual = values[values.size() - 1].type();
  if (actual == type) return true;
  *result_listener << "its exception is a " << actual;
  return false;
}

namespace internal {
// The demangled name of T, as the SDK reports exception types.
template <typename T>
std::string TypeName() {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(typeid(T).name(), nullptr, nullptr, &status),
      std::free);
  return status == 0 && name != nullptr ? std::string(name.get())
                                        : std::string(typeid(T).name());
}
}  // namespace internal

// The event's exception is a T (its exact dynamic type, as captured).
template <typename T>
auto HasException() {
  return HasExceptionType(internal::TypeName<T>());
}

}  // namespace sentry::testing

#endif  // SENTRY_TESTING_MATCHERS_H_
