// Fuzz target: sentry::Envelope::Parse never crashes, and whatever it
// accepts survives a serialize/parse round trip: the same items with the
// same payloads, and the serialized form is a fixed point. (Header strings
// may change once: invalid UTF-8 is replaced when written.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sentry/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto envelope = sentry::Envelope::Parse(input);
  if (!envelope.ok()) return 0;
  const std::string bytes = envelope->Serialize();
  auto again = sentry::Envelope::Parse(bytes);
  if (!again.ok() || again->items().size() != envelope->items().size()) {
    std::abort();
  }
  for (size_t i = 0; i < envelope->items().size(); ++i) {
    if (again->items()[i].payload != envelope->items()[i].payload) {
      std::abort();
    }
  }
  if (again->Serialize() != bytes) std::abort();
  return 0;
}
