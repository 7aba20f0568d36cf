// gzip for request bodies, in the shape the HTTP transport needs: an
// envelope's items are deflated once, ahead of time, on the thread that
// queues them; the header line (which carries sent_at) is joined to them at
// send time as a stored (uncompressed) block, so that the sending thread
// runs no compression at all.
//
//   std::optional<internal::DeflatedItems> items =
//       internal::DeflateItems(envelope_items_bytes);   // nullopt: not worth
//       it
//   std::string body;
//   internal::AssembleGzip(header_line, items->deflated, items->crc,
//                          items->size, &body);          // a gzip member
//
// Inflate undoes either form (for the rare paths that need the items back,
// and for tests).
#ifndef SENTRY_TRANSPORTS_HTTP_SRC_GZIP_H_
#define SENTRY_TRANSPORTS_HTTP_SRC_GZIP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sentry::internal {

// Items compressed as raw deflate data ending with a final block, with what
// the gzip trailer needs of the uncompressed bytes.
struct DeflatedItems {
  std::string deflated;
  uint32_t crc = 0;
  size_t size = 0;  // Uncompressed.
};

// Compresses `items` (on a per-thread compressor) unless that saves fewer
// than 64 bytes. The result holds no slack capacity.
std::optional<DeflatedItems> DeflateItems(absl::string_view items);

// Writes into `out` (replacing it) one gzip member: `header` in stored
// blocks, then `deflated` (a raw deflate stream of `size` bytes whose CRC-32
// is `crc`), then the trailer (CRC-32 combined from both parts, and the
// total size).
void AssembleGzip(absl::string_view header, absl::string_view deflated,
                  uint32_t crc, size_t size, std::string* out);

// The bytes of a raw deflate stream (`gzip` false) or of a gzip member.
absl::StatusOr<std::string> Inflate(absl::string_view compressed, bool gzip,
                                    size_t size_hint = 0);

}  // namespace sentry::internal

#endif  // SENTRY_TRANSPORTS_HTTP_SRC_GZIP_H_
