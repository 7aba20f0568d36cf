#include "sdk/src/random.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/escaping.h"

#ifndef OPENSSL_IS_BORINGSSL
#error "sentry-cpp must be compiled against BoringSSL's headers"
#endif

namespace sentry::internal {
namespace {
std::string ToHex(const uint8_t* data, int size) {
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(data), static_cast<size_t>(size)));
}
}  // namespace

std::string NewEventId() {
  uint8_t bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return ToHex(bytes, sizeof(bytes));
}

std::string RandomHex(int bytes) {
  uint8_t buffer[64];
  if (bytes > static_cast<int>(sizeof(buffer))) bytes = sizeof(buffer);
  RAND_bytes(buffer, static_cast<size_t>(bytes));
  return ToHex(buffer, bytes);
}

double RandomUnit() {
  uint64_t bits;
  RAND_bytes(reinterpret_cast<uint8_t*>(&bits), sizeof(bits));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace sentry::internal
