// sentry::Envelope: Sentry's envelope format (PROTOCOL.md section 2), the
// unit every transport sends.
//
//   sentry::Envelope envelope;
//   envelope.SetHeader("event_id", "\"" + id + "\"");
//   envelope.AddItem("event", event_json);
//   std::string bytes = envelope.Serialize(absl::Now());  // sent_at once
//
//   absl::StatusOr<sentry::Envelope> parsed = sentry::Envelope::Parse(bytes);
//
// Header values are kept as raw JSON text, so unknown headers survive a
// parse/serialize round trip. A value type: copy it to share it between
// threads.
#ifndef SENTRY_ENVELOPE_H_
#define SENTRY_ENVELOPE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sentry {

// Header members as (key, raw JSON value) pairs, in order.
using JsonMembers = std::vector<std::pair<std::string, std::string>>;

struct EnvelopeItem {
  std::string type;     // "event", "attachment", "client_report", ...
  std::string payload;  // Raw bytes.
  // Headers other than "type" and "length" (which Serialize writes itself).
  JsonMembers headers;

  // The raw JSON of header `key`, or nullopt.
  std::optional<std::string> Header(absl::string_view key) const;
  // Header `key` decoded as a string, or nullopt if absent or not a string.
  std::optional<std::string> StringHeader(absl::string_view key) const;
  // For a transaction item, its spans and itself, as client reports count
  // them when it is dropped. Known in memory only, never sent: 0 when not
  // known (an item parsed from bytes), and SpanCount counts its payload's.
  uint64_t span_count = 0;

  // How many records the item holds: its "item_count" ("log" and
  // "trace_metric" items hold many), else 1.
  uint64_t ItemCount() const;
  // For a transaction item, `span_count`, else the number of its payload's
  // "spans" plus one; 0 for other items.
  uint64_t SpanCount() const;
};

class Envelope {
 public:
  // Sets envelope header `key` to `raw_json` (replacing an earlier value).
  void SetHeader(absl::string_view key, std::string raw_json);
  void SetStringHeader(absl::string_view key, absl::string_view value);
  // Removes header `key` if present.
  void RemoveHeader(absl::string_view key);
  std::optional<std::string> Header(absl::string_view key) const;
  std::optional<std::string> StringHeader(absl::string_view key) const;
  const JsonMembers& headers() const { return headers_; }

  EnvelopeItem& AddItem(std::string type, std::string payload,
                        JsonMembers headers = {});
  const std::vector<EnvelopeItem>& items() const { return items_; }
  std::vector<EnvelopeItem>& mutable_items() { return items_; }

  // The "event_id" header ("" when absent).
  std::string event_id() const;

  // About the size of the wire bytes (payloads plus a margin per header
  // line), without writing them: for buffer sizes and queue bounds.
  size_t SizeEstimate() const;
  // The wire bytes: headers, then each item with its "length". `sent_at`, when
  // given, replaces any "sent_at" header, so it is written exactly once.
  std::string Serialize(std::optional<absl::Time> sent_at = std::nullopt) const;
  // The same bytes written into `out` (replacing its contents, reusing its
  // capacity: transports that send many envelopes avoid an allocation).
  void SerializeTo(std::string* out,
                   std::optional<absl::Time> sent_at = std::nullopt) const;
  // The two parts of those bytes, appended to `out`: the header line, and
  // the items. (A transport can prepare the items ahead of time and write
  // the header, with sent_at, when it sends.)
  void AppendHeader(std::string* out,
                    std::optional<absl::Time> sent_at = std::nullopt) const;
  void AppendItems(std::string* out) const;

  // Parses the wire format, including items without "length" and payloads
  // holding CR, LF or a BOM. The error names the line and the problem.
  static absl::StatusOr<Envelope> Parse(absl::string_view bytes);

 private:
  JsonMembers headers_;
  std::vector<EnvelopeItem> items_;
};

// Formats `t` as RFC 3339 UTC with microseconds: 2024-01-02T03:04:05.123456Z.
std::string FormatRfc3339(absl::Time t);
// The same, appended to `out`.
void AppendRfc3339(absl::Time t, std::string* out);

}  // namespace sentry

#endif  // SENTRY_ENVELOPE_H_
