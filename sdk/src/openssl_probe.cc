#include "sdk/src/openssl_probe.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstring>

#if defined(OPENSSL_IS_BORINGSSL)
#error "this probe must be compiled against the system's OpenSSL"
#endif

namespace sentry::testing {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  std::string out;
  char buffer[3];
  for (size_t i = 0; i < size; ++i) {
    std::snprintf(buffer, sizeof(buffer), "%02x", data[i]);
    out += buffer;
  }
  return out;
}

constexpr char kAbcSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

}  // namespace

std::string ProbeSystemOpenSsl() {
  if (OpenSSL_version_num() < 0x30000000L) {
    return std::string("not OpenSSL 3: ") + OpenSSL_version(OPENSSL_VERSION);
  }
  unsigned char random[32] = {};
  if (RAND_bytes(random, sizeof(random)) != 1) return "RAND_bytes failed";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>("abc"), 3, digest);
  if (Hex(digest, sizeof(digest)) != kAbcSha256) return "SHA256 wrong";
  // EVP with OpenSSL 3's provider machinery (what crashed when BoringSSL's
  // symbols interposed).
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) return "EVP_MD_fetch failed";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int length = 0;
  const bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, "abc", 3) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest, &length) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  if (!ok || Hex(digest, length) != kAbcSha256) return "EVP digest wrong";
  return "";
}

}  // namespace sentry::testing
