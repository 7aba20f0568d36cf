// Timestamps and ids as Sentry requires them: a timestamp is a finite
// number of Unix seconds, an event id 32 lowercase hex digits.
//
//   breadcrumb.set_timestamp(internal::TimestampOrNow(breadcrumb.timestamp()));
//   if (!internal::NormalizeEventId(&id)) id = internal::NewEventId();
//
// Thread-safe (pure functions and the clock).
#ifndef SENTRY_SDK_SRC_TIMESTAMPS_H_
#define SENTRY_SDK_SRC_TIMESTAMPS_H_

#include <string>

namespace sentry::internal {

// Now, in Unix seconds with microseconds.
double NowSeconds();

// A usable time: finite and after 1970.
bool IsUsableTimestamp(double timestamp);

// `timestamp` when it is usable, else now.
double TimestampOrNow(double timestamp);

// Turns a UUID in any common spelling (dashes, upper case, braces) into
// 32 lowercase hex digits; false (and `id` unchanged) when it is not one.
bool NormalizeEventId(std::string* id);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_TIMESTAMPS_H_
