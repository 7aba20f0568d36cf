#include "transports/http/src/gzip.h"

#include <zlib.h>

#include <algorithm>

#include "absl/status/status.h"

namespace sentry::internal {
namespace {

// zlib level 1: on envelope JSON it keeps most of level 6's savings at a
// fraction of the CPU, and this runs on every envelope. Memory level 4: every
// deflateReset clears a hash table of 2^(level + 8) bytes, 64 KiB at zlib's
// default of 8, which costs more than compressing a typical envelope; for
// envelopes of a few KiB level 4 compresses as well (measured on loadgen's).
constexpr int kLevel = 1;
constexpr int kMemLevel = 4;
// Compression must save at least this much to be used.
constexpr size_t kMinSaving = 64;

// A raw-deflate compressor that keeps its state (costly to allocate and
// clear) from one input to the next. Not thread-safe.
class Deflater {
 public:
  Deflater() {
    ok_ = deflateInit2(&stream_, kLevel, Z_DEFLATED, -MAX_WBITS, kMemLevel,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&stream_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Appends the compressed `data` to `out`, ending with a final block.
  // False (and `out` as it was) if zlib fails.
  bool Append(absl::string_view data, std::string* out);

 private:
  z_stream stream_{};
  bool ok_ = false;
};

bool Deflater::Append(absl::string_view data, std::string* out) {
  if (!ok_ || deflateReset(&stream_) != Z_OK) return false;
  const size_t start = out->size();
  out->resize(start + deflateBound(&stream_, data.size()) + 16);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_.avail_in = static_cast<uInt>(data.size());
  stream_.next_out = reinterpret_cast<Bytef*>(out->data() + start);
  stream_.avail_out = static_cast<uInt>(out->size() - start);
  const bool done = deflate(&stream_, Z_FINISH) == Z_STREAM_END;
  out->resize(done ? start + stream_.total_out : start);
  return done;
}

}  // namespace

std::optional<DeflatedItems> DeflateItems(absl::string_view items) {
  thread_local Deflater deflater;
  // Compressed into a scratch buffer of the worst-case size (which keeps its
  // capacity), then copied into one of the exact size.
  thread_local std::string scratch;
  scratch.clear();
  if (!deflater.Append(items, &scratch) ||
      scratch.size() + kMinSaving > items.size()) {
    return std::nullopt;
  }
  DeflatedItems result;
  result.deflated = scratch;
  result.crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(items.data()),
            static_cast<uInt>(items.size())));
  result.size = items.size();
  return result;
}

void AssembleGzip(absl::string_view header, absl::string_view deflated,
                  uint32_t crc, size_t size, std::string* out) {
  static constexpr char kGzipHeader[] = {'\x1f', '\x8b', 8, 0, 0,
                                         0,      0,      0, 0, '\xff'};
  out->assign(kGzipHeader, sizeof(kGzipHeader));
  // Stored blocks (RFC 1951 section 3.2.4) of at most 65535 bytes each: a
  // byte with BFINAL=0 and BTYPE=00, then LEN and NLEN, little-endian. A
  // stored block starts on a byte boundary and may be followed by any
  // other deflate data.
  for (absl::string_view rest = header; !rest.empty();) {
    const size_t n = std::min<size_t>(rest.size(), 65535);
    const char block[] = {
        0, static_cast<char>(n & 0xff), static_cast<char>(n >> 8),
        static_cast<char>(~n & 0xff), static_cast<char>((~n >> 8) & 0xff)};
    out->append(block, sizeof(block));
    out->append(rest.data(), n);
    rest.remove_prefix(n);
  }
  out->append(deflated.data(), deflated.size());
  const uLong total_crc =
      crc32_combine(crc32(0, reinterpret_cast<const Bytef*>(header.data()),
                          static_cast<uInt>(header.size())),
                    crc, static_cast<z_off_t>(size));
  const uint32_t total_size = static_cast<uint32_t>(header.size() + size);
  for (const uint32_t word : {static_cast<uint32_t>(total_crc), total_size}) {
    for (int shift = 0; shift < 32; shift += 8) {
      out->push_back(static_cast<char>((word >> shift) & 0xff));
    }
  }
}

absl::StatusOr<std::string> Inflate(absl::string_view compressed, bool gzip,
                                    size_t size_hint) {
  z_stream stream{};
  if (inflateInit2(&stream, gzip ? MAX_WBITS + 16 : -MAX_WBITS) != Z_OK) {
    return absl::InternalError("inflateInit2 failed");
  }
  std::string out;
  out.reserve(size_hint);
  stream.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  char buffer[16384];
  int result;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  } while (result == Z_OK);
  const bool complete = result == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) {
    return absl::InvalidArgumentError(gzip ? "not a complete gzip member"
                                           : "not a complete deflate stream");
  }
  return out;
}

}  // namespace sentry::internal
