// Randomness for ids and sampling: event ids and sampling decisions from a
// per-thread generator seeded from BoringSSL's CSPRNG (fast, unique, not
// secret); other random hex straight from the CSPRNG.
//
//   std::string id = internal::NewEventId();  // 32 lowercase hex digits
//   bool keep = internal::RandomUnit() < sample_rate;
//
// Thread-safe.
#ifndef SENTRY_SDK_SRC_RANDOM_H_
#define SENTRY_SDK_SRC_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace sentry::internal {

// A random UUID version 4 as 32 lowercase hex digits without dashes.
std::string NewEventId();
// The same, written to `hex` (no allocation, no call out of this file's
// code: a capture's path).
void NewEventIdInto(char (&hex)[32]);

// A trace id (32 lowercase hex digits) and a span id (16), never all zeros,
// from the per-thread generator.
std::string NewTraceId();
std::string NewSpanId();
// A span id as its 64 bits (never 0).
uint64_t NewSpanIdBits();

// `size` bytes as 2 * `size` lowercase hex digits into `out` (no
// allocation).
void HexInto(const uint8_t* data, size_t size, char* out);

// `bytes` random bytes as lowercase hex, straight from the CSPRNG.
std::string RandomHex(int bytes);

// A uniform double in [0, 1).
double RandomUnit();

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_RANDOM_H_
