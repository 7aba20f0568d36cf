// PackedEnvelope: an envelope as the HTTP transport keeps it while it waits
// to be sent: its header line (without sent_at, which is written when it is
// sent), its items as the bytes they go out as (deflated when that pays)
// and their types (for rate limits and client reports). A queued envelope
// then costs about its compressed size, instead of an Envelope's items plus
// their compressed copy.
//
//   internal::PackedEnvelope packed =
//       internal::PackedEnvelope::Pack(std::move(envelope), /*compress=*/true);
//   std::string body;
//   bool gzipped;
//   packed.WriteBody(absl::Now(), &body, &gzipped);  // the request body
//   absl::StatusOr<Envelope> back = packed.Unpack();  // rare paths only
//
// A value type; not thread-safe.
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_PACKED_ENVELOPE_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_PACKED_ENVELOPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sentry/envelope.h"

namespace sentry::internal {

class PackedEnvelope {
 public:
  PackedEnvelope() = default;

  // With `compress`, the items are deflated when that saves at least 64
  // bytes (the work of compression happens here, on the caller's thread).
  static PackedEnvelope Pack(Envelope envelope, bool compress);

  // The envelope again (inflating the items if they were deflated).
  absl::StatusOr<Envelope> Unpack() const;

  // The request body with `sent_at` in the header: a gzip member when the
  // items are deflated (`*gzipped` says which), else the plain envelope.
  void WriteBody(absl::Time sent_at, std::string* out, bool* gzipped) const;

  // The "event_id" header, or "" (parsed: for logs, not for hot paths).
  std::string event_id() const;
  // The item types, in order ("event", "client_report", ...).
  std::vector<absl::string_view> item_types() const;
  // What a drop of the items loses, for client reports: per item its type,
  // how many records it holds (its "item_count", else 1), its bytes and,
  // for a transaction, its spans (EnvelopeItem::SpanCount).
  struct ItemSummary {
    absl::string_view type;
    uint64_t count = 1;
    uint64_t bytes = 0;
    uint64_t spans = 0;
  };
  std::vector<ItemSummary> item_summaries() const;
  bool compressed() const { return compressed_; }
  // The bytes it holds: its weight in the queue's byte bound.
  size_t size() const { return header_.size() + items_.size() + types_.size(); }

 private:
  // "{" and the header members, without the closing "}\n".
  std::string header_;
  // The items' wire bytes, or their raw deflate stream when compressed_.
  std::string items_;
  // Per item "type count bytes spans", joined by '\n'.
  std::string types_;
  bool compressed_ = false;
  uint32_t crc_ = 0;         // When compressed_: of the plain items.
  uint32_t items_size_ = 0;  // When compressed_: their plain size.
};

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_PACKED_ENVELOPE_H_
