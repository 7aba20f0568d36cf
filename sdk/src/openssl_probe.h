// Exercises the system's OpenSSL 3 (not BoringSSL): for the test that shows
// a program using OpenSSL keeps working with the SDK linked in. Compiled
// without the SDK's include paths, so <openssl/...> is OpenSSL's.
#ifndef SENTRY_SDK_SRC_OPENSSL_PROBE_H_
#define SENTRY_SDK_SRC_OPENSSL_PROBE_H_

#include <string>

namespace sentry::testing {

// Runs OpenSSL's RAND_bytes, SHA256 and EVP digest APIs; returns "" when all
// behave as OpenSSL 3 should, otherwise what went wrong.
std::string ProbeSystemOpenSsl();

}  // namespace sentry::testing

#endif  // SENTRY_SDK_SRC_OPENSSL_PROBE_H_
