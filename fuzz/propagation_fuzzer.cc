// Fuzz target: the trace-propagation parsers (sentry-trace, traceparent,
// baggage) never crash, and what they accept is well-formed: valid ids,
// sample_rand in [0, 1), merged baggage within the W3C limits.
// Input: sentry-trace, baggage and traceparent, one per line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "sdk/src/propagation.h"

namespace {

using sentry::internal::IsSpanId;
using sentry::internal::IsTraceId;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  lines.resize(3);
  for (const absl::string_view line : lines) {
    if (auto parsed = sentry::internal::ParseSentryTrace(line)) {
      Check(IsTraceId(parsed->trace_id) && IsSpanId(parsed->span_id));
    }
    if (auto parsed = sentry::internal::ParseTraceparent(line)) {
      Check(IsTraceId(parsed->trace_id) && IsSpanId(parsed->span_id));
    }
  }
  sentry::internal::Dsc dsc;
  if (auto parsed = sentry::internal::ParseBaggage(lines[1])) {
    dsc = *parsed;
    for (const auto& [key, value] : dsc.fields) {
      Check(!key.empty() && !value.empty());
    }
  }
  const std::string merged = sentry::internal::MergeBaggage(lines[1], dsc);
  Check(merged.size() <= sentry::internal::kMaxBaggageBytes);
  Check(std::count(merged.begin(), merged.end(), ',') <
        static_cast<long>(sentry::internal::kMaxBaggageMembers));
  for (const bool strict : {false, true}) {
    auto context = sentry::internal::ContinueFromHeaders(
        {lines[0], lines[1], lines[2]}, 7, strict);
    if (!context) continue;
    Check(IsTraceId(context->trace_id) && IsSpanId(context->span_id) &&
          IsSpanId(context->parent_span_id));
    Check(context->sample_rand >= 0 && context->sample_rand < 1);
    if (context->sampled && context->sample_rate) {
      Check((context->sample_rand < *context->sample_rate) ==
                *context->sampled ||
            (context->dsc != nullptr &&
             !context->dsc->Get("sample_rand").empty()));
    }
  }
  return 0;
}
