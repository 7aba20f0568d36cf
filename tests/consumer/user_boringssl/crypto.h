#ifndef USER_BORINGSSL_CRYPTO_H_
#define USER_BORINGSSL_CRYPTO_H_

#include <cstddef>
#include <cstdint>

// The user's own library called "boringssl".
const char* UserBoringsslName();

// A function of the user's with the name of BoringSSL's own (as a real
// BoringSSL or OpenSSL in the program has): it fills `out` with 0xab.
extern "C" int RAND_bytes(uint8_t* out, size_t len);

#endif  // USER_BORINGSSL_CRYPTO_H_
