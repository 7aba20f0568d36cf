#include "sdk/src/random.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstring>

#include "absl/base/attributes.h"
#include "absl/base/config.h"
#include "sdk/src/fork.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#ifndef OPENSSL_IS_BORINGSSL
#error "sentry-cpp must be compiled against BoringSSL's headers"
#endif

namespace sentry::internal {
namespace {
// The 4 bytes of `x` spread over the even bytes of the result (0xAABBCCDD
// becomes 0x00AA00BB00CC00DD).
constexpr uint64_t Spread(uint64_t x) {
  x = (x | (x << 16)) & 0x0000ffff0000ffffULL;
  return (x | (x << 8)) & 0x00ff00ff00ff00ffULL;
}

// 8 nibbles (one in each byte, 0-15) as lowercase hex digits: '0' + n, plus
// the distance from '9' + 1 to 'a' where n > 9 (n + 6 carries into bit 4).
constexpr uint64_t NibblesToHex(uint64_t nibbles) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const uint64_t letters = ((nibbles + 6 * kOnes) >> 4) & kOnes;
  return nibbles + '0' * kOnes + letters * ('a' - '9' - 1);
}

#ifdef __SSE2__
// 16 bytes as 32 hex digits in vector registers (SSE2, which every x86-64
// has): a capture's event id in a few instructions (BENCHMARKS.md, the
// eleventh change).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void Hex16Into(const uint8_t* data,
                                                   char* out) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data));
  const __m128i low_nibbles = _mm_set1_epi8(0x0f);
  const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_nibbles);
  const __m128i low = _mm_and_si128(bytes, low_nibbles);
  // '0' + n, plus the distance from '9' + 1 to 'a' where n > 9.
  const auto digits = [](__m128i nibbles) {
    const __m128i letters = _mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9));
    return _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8('0')),
                        _mm_and_si128(letters, _mm_set1_epi8('a' - '9' - 1)));
  };
  // Each byte's high digit first.
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   digits(_mm_unpacklo_epi8(high, low)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16),
                   digits(_mm_unpackhi_epi8(high, low)));
}
#endif

}  // namespace

// Four bytes at a time, in registers: a byte loop was a large part of a
// capture's instructions (BENCHMARKS.md, the sixth change); sixteen at a
// time where the CPU has SSE2.
ABSL_ATTRIBUTE_HOT void HexInto(const uint8_t* data, size_t size, char* out) {
  constexpr uint64_t kLowNibbles = 0x0f0f0f0fULL;
  size_t i = 0;
#ifdef __SSE2__
  for (; i + 16 <= size; i += 16) Hex16Into(data + i, out + 2 * i);
#endif
  for (; i + 4 <= size; i += 4) {
    uint32_t word;  // data[i] in the low byte
    std::memcpy(&word, data + i, 4);
#ifdef ABSL_IS_BIG_ENDIAN
    word = __builtin_bswap32(word);
#endif
    const uint64_t high = Spread((word >> 4) & kLowNibbles);
    const uint64_t low = Spread(word & kLowNibbles);
    uint64_t hex = NibblesToHex(high | (low << 8));  // first digit low
#ifdef ABSL_IS_BIG_ENDIAN
    hex = __builtin_bswap64(hex);
#endif
    std::memcpy(out + 2 * i, &hex, 8);
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  for (; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
}

namespace {

std::string ToHex(const uint8_t* data, int size) {
  std::string hex(2 * static_cast<size_t>(size), '0');
  HexInto(data, static_cast<size_t>(size), hex.data());
  return hex;
}

// xoshiro256** (Blackman and Vigna), seeded per thread from BoringSSL's
// CSPRNG: event ids and sampling need unique, uniform bits, not secrecy,
// and the CSPRNG's per-call locking and re-keying cost more than the rest
// of a capture. A forked child has a copy of its parent's state, so a
// generator seeds again when the process's fork count changed.
class FastGenerator {
 public:
  FastGenerator() {
    WatchForForks();
    Seed();
  }
  void SeedAgainAfterFork() {
    if (forks_ != ForkCount()) Seed();
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  void Seed() {
    forks_ = ForkCount();
    do {
      RAND_bytes(reinterpret_cast<uint8_t*>(state_), sizeof(state_));
    } while ((state_[0] | state_[1] | state_[2] | state_[3]) == 0);
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
  uint64_t forks_ = 0;
};

ABSL_ATTRIBUTE_HOT FastGenerator& ThreadGenerator() {
  thread_local FastGenerator generator;
  generator.SeedAgainAfterFork();
  return generator;
}

}  // namespace

ABSL_ATTRIBUTE_HOT void NewEventIdInto(char (&hex)[32]) {
  uint8_t bytes[16];
  FastGenerator& generator = ThreadGenerator();
  const uint64_t high = generator.Next();
  const uint64_t low = generator.Next();
  std::memcpy(bytes, &high, 8);
  std::memcpy(bytes + 8, &low, 8);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
#ifdef __SSE2__
  Hex16Into(bytes, hex);
#else
  HexInto(bytes, sizeof(bytes), hex);
#endif
}

std::string NewEventId() {
  char hex[32];
  NewEventIdInto(hex);
  return std::string(hex, sizeof(hex));
}

std::string NewTraceId() {
  FastGenerator& generator = ThreadGenerator();
  uint64_t words[2];
  do {
    words[0] = generator.Next();
    words[1] = generator.Next();
  } while ((words[0] | words[1]) == 0);
  return ToHex(reinterpret_cast<const uint8_t*>(words), sizeof(words));
}

uint64_t NewSpanIdBits() {
  FastGenerator& generator = ThreadGenerator();
  uint64_t word;
  do {
    word = generator.Next();
  } while (word == 0);
  return word;
}

std::string NewSpanId() {
  const uint64_t word = NewSpanIdBits();
  return ToHex(reinterpret_cast<const uint8_t*>(&word), sizeof(word));
}

std::string RandomHex(int bytes) {
  uint8_t buffer[64];
  if (bytes > static_cast<int>(sizeof(buffer))) bytes = sizeof(buffer);
  RAND_bytes(buffer, static_cast<size_t>(bytes));
  return ToHex(buffer, bytes);
}

double RandomUnit() {
  return static_cast<double>(ThreadGenerator().Next() >> 11) * 0x1.0p-53;
}

}  // namespace sentry::internal
