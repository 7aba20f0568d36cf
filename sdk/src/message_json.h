// Encodes the protocol messages (sentry/protocol/*.proto) as Sentry's JSON.
//
//   std::string json = internal::MessageToJson(event);
//
// Field names are the proto field names; unset fields are left out; 64-bit
// integers are JSON numbers; maps are written with sorted keys. Values are
// sanitized per PROTOCOL.md: strings are valid UTF-8 and cut at 8 KiB (tag
// values at 200 characters), NaN becomes null, and google.protobuf.Value
// nesting deeper than kMaxValueDepth is replaced by a marker string.
//
// Thread-safe (no shared state).
#ifndef SENTRY_SDK_SRC_MESSAGE_JSON_H_
#define SENTRY_SDK_SRC_MESSAGE_JSON_H_

#include <string>

#include "google/protobuf/message.h"
#include "sdk/src/json.h"

namespace sentry::internal {

inline constexpr int kMaxValueDepth = 10;
// Relay drops a tag whose key or value is longer than 200 characters; the
// SDK cuts both to at most 200 bytes, the "..." marker included.
inline constexpr size_t kMaxTagKeyBytes = 200;
inline constexpr size_t kMaxTagValueBytes = 200;

std::string MessageToJson(const google::protobuf::Message& message);
void WriteMessage(const google::protobuf::Message& message, JsonWriter& out);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_MESSAGE_JSON_H_
