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
// Parts already encoded may be passed with the event (EncodedParts): the
// scope's breadcrumbs are encoded once and their JSON shared by every event
// that carries them, and the SDK's own contexts ("os") once per client.
//
// Thread-safe (no shared state).
#ifndef SENTRY_SDK_SRC_EVENT_JSON_H_
#define SENTRY_SDK_SRC_EVENT_JSON_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sdk/src/json.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::internal {

struct SpanData;

// Already encoded parts of an event.
struct EncodedParts {
  // Written as the event's breadcrumbs (oldest first) in place of
  // event.breadcrumbs(), unless empty.
  absl::Span<const absl::string_view> breadcrumbs;
  // Contexts as (name, JSON object) with distinct names, written with the
  // event's own; a name the event has itself is left out (the event's wins).
  absl::Span<const std::pair<absl::string_view, absl::string_view>> contexts;
  // A transaction's children as recorded, written in place of
  // event.spans() unless empty, in the trace `spans_trace_id`.
  absl::Span<const SpanData> spans;
  absl::string_view spans_trace_id;
};

void WriteEvent(const protocol::Event& event, const EncodedParts& parts,
                JsonWriter& out);

std::string EventToJson(const protocol::Event& event,
                        const EncodedParts& parts = {});

void WriteBreadcrumb(const protocol::Breadcrumb& crumb, JsonWriter& out);
void WriteSpan(const protocol::Span& span, JsonWriter& out);
void WriteSpan(const SpanData& span, absl::string_view trace_id,
               JsonWriter& out);
std::string BreadcrumbJson(const protocol::Breadcrumb& crumb);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_EVENT_JSON_H_
