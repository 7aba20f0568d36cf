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

#include <string>

namespace sentry::internal {

// A random UUID version 4 as 32 lowercase hex digits without dashes.
std::string NewEventId();

// `bytes` random bytes as lowercase hex (span ids: 8, trace ids: 16).
std::string RandomHex(int bytes);

// A uniform double in [0, 1).
double RandomUnit();

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_RANDOM_H_
