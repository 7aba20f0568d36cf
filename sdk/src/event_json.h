// Encodes a protocol::Event as Sentry's JSON, fast: the event's own fields,
// its maps and its breadcrumbs are written from the generated accessors, the
// rarer nested messages by the reflection encoder (message_json.h). The
// output is byte for byte what MessageToJson(event) writes (event_json_test
// checks it on an event with every field set), only cheaper: this runs once
// per event on the SDK's worker thread.
//
//   std::string json;
//   internal::JsonWriter writer(&json);
//   internal::WriteEvent(event, {}, writer);
//
// Breadcrumbs already encoded (each a JSON object, see BreadcrumbJson) may be
// passed in place of event.breadcrumbs(): the scope's breadcrumbs are encoded
// once and the JSON shared by every event that carries them.
//
// Thread-safe (no shared state).
#ifndef SENTRY_SDK_SRC_EVENT_JSON_H_
#define SENTRY_SDK_SRC_EVENT_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sdk/src/json.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::internal {

// Writes `event`; when `breadcrumbs` is not empty, its entries (encoded
// breadcrumbs, oldest first) are written as the event's breadcrumbs instead
// of event.breadcrumbs().
void WriteEvent(const protocol::Event& event,
                absl::Span<const absl::string_view> breadcrumbs,
                JsonWriter& out);

std::string EventToJson(const protocol::Event& event,
                        absl::Span<const absl::string_view> breadcrumbs = {});

void WriteBreadcrumb(const protocol::Breadcrumb& crumb, JsonWriter& out);
std::string BreadcrumbJson(const protocol::Breadcrumb& crumb);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_EVENT_JSON_H_
