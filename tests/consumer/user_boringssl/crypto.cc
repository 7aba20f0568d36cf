#include "crypto.h"

#include <cstring>

const char* UserBoringsslName() { return "the user's boringssl"; }

extern "C" int RAND_bytes(uint8_t* out, size_t len) {
  std::memset(out, 0xab, len);
  return 1;
}
