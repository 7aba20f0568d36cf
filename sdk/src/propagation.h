// Trace propagation: the propagation context every scope holds (the trace an
// event belongs to, tracing on or off), and the headers that carry a trace
// between services: `sentry-trace`, W3C `traceparent` and `baggage` with the
// dynamic sampling context (DSC). TELEMETRY.md sections 1-3.
//
//   internal::PropagationContext context = internal::PropagationContext::New();
//   std::optional<internal::PropagationContext> continued =
//       internal::ContinueFromHeaders({sentry_trace, baggage, traceparent},
//                                     own_org_id, /*strict=*/false);
//   std::string sentry_trace = internal::FormatSentryTrace(
//       context.trace_id, context.span_id, context.sampled);
//
// Parsers take untrusted input: anything invalid is ignored field by field.
#ifndef SENTRY_SDK_SRC_PROPAGATION_H_
#define SENTRY_SDK_SRC_PROPAGATION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "sdk/src/patterns.h"

namespace sentry::internal {

// Limits of a `baggage` header (W3C): members and bytes.
inline constexpr size_t kMaxBaggageMembers = 64;
inline constexpr size_t kMaxBaggageBytes = 8192;

// A dynamic sampling context: the DSC fields (without the "sentry-"
// prefix), in order, values decoded. All values are strings on the wire.
struct Dsc {
 public:
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of `key`, or "".
  absl::string_view Get(absl::string_view key) const;
  // Sets `key` (replacing it); an empty value removes it.
  void Set(absl::string_view key, std::string value);
  // {"trace_id":"...",...}: the envelope header "trace".
  std::string ToJson() const;
  // sentry-trace_id=...,sentry-public_key=...: baggage members.
  std::string ToBaggage() const;

  // Encodes both once, for a DSC that will not change any more (one that
  // is shared): ToJson and ToBaggage then return the encodings.
  void Freeze();
  // The baggage encoding made by Freeze, or "" before it (without a copy).
  absl::string_view frozen_baggage() const { return baggage_; }

 private:
  std::string json_;
  std::string baggage_;
};

// The trace that a scope's events belong to when no span is active.
struct PropagationContext {
  std::string trace_id;               // 32 lowercase hex digits.
  std::string span_id;                // 16; the id this service propagates.
  std::string parent_span_id;         // The incoming span, when continued.
  std::optional<bool> sampled;        // The incoming decision, if any.
  std::optional<double> sample_rate;  // The incoming rate, if any.
  double sample_rand = 0;             // In [0, 1), once per trace.
  // The incoming DSC, frozen as received (null at the head of a trace).
  std::shared_ptr<const Dsc> dsc;

  // The head of a new trace.
  static PropagationContext New();
};

// `{trace_id}-{span_id}[-{0|1}]`, or nullopt when the header is invalid.
struct TraceParent {
  std::string trace_id;
  std::string span_id;
  std::optional<bool> sampled;
};
std::optional<TraceParent> ParseSentryTrace(absl::string_view value);
// W3C `00-{trace_id}-{span_id}-{flags}`.
std::optional<TraceParent> ParseTraceparent(absl::string_view value);

std::string FormatSentryTrace(absl::string_view trace_id,
                              absl::string_view span_id,
                              std::optional<bool> sampled);
std::string FormatTraceparent(absl::string_view trace_id,
                              absl::string_view span_id, bool sampled);

// The `sentry-` members of a baggage header, decoded. Members beyond the
// limits, malformed members, values that are not valid UTF-8 and repeated
// keys (the first wins) are ignored; so are DSC values of the wrong form
// (sample_rand, sample_rate, sampled, org_id, trace_id). nullopt when there
// is no usable sentry- member.
std::optional<Dsc> ParseBaggage(absl::string_view baggage);

// `existing` (another vendor's baggage, whose own sentry- members are
// dropped: they belong to an earlier hop) followed by `dsc`'s members,
// within the limits: the other vendors' members are kept whole, and ours
// are added while they fit.
std::string MergeBaggage(absl::string_view existing, const Dsc& dsc);

struct IncomingHeaders {
  absl::string_view sentry_trace;
  absl::string_view baggage;
  absl::string_view traceparent;  // Used when sentry-trace is absent.
};

// The context that continues an incoming trace, or nullopt when there is no
// valid trace header, or when Sentry's org-id rules say to start a new
// trace instead: the incoming org id (baggage) and `own_org_id` differ, or
// only one of them is known and `strict` is set.
std::optional<PropagationContext> ContinueFromHeaders(
    const IncomingHeaders& headers, std::optional<uint64_t> own_org_id,
    bool strict);

// The DSC of a trace this SDK heads (not continued from a caller): what
// Sentry's dynamic sampling needs, from the SDK's own settings. Optional
// values are left out when unknown or empty.
struct HeadDscFields {
  absl::string_view trace_id;
  double sample_rand = 0;
  std::optional<double> sample_rate;
  std::optional<bool> sampled;
  absl::string_view transaction;  // Only a good-quality name.
  absl::string_view public_key;
  absl::string_view release;
  absl::string_view environment;
  std::optional<uint64_t> org_id;
};
Dsc HeadDsc(const HeadDscFields& fields);

// Options::trace_propagation_targets, compiled once: an entry matches a URL
// that contains it, or that it matches somewhere as an ECMAScript regular
// expression (an entry that is not a valid one is only a substring).
class PropagationTargets {
 public:
  explicit PropagationTargets(const std::vector<std::string>& targets)
      : targets_(targets) {}
  // Every URL when there are no targets.
  bool Matches(absl::string_view url) const {
    return targets_.empty() || targets_.Matches(url);
  }

 private:
  Patterns targets_;
};

bool IsTraceId(absl::string_view id);  // 32 lowercase hex, not all zeros.
bool IsSpanId(absl::string_view id);   // 16 lowercase hex, not all zeros.
// sample_rand / sample_rate as the DSC writes them (6 decimals).
std::string FormatRate(double value);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_PROPAGATION_H_
