// Tracing: the trace every event belongs to, its propagation between
// services and threads, and transactions (performance monitoring).
//
// Every scope holds a propagation context; every event carries its trace
// (contexts.trace) and every envelope its dynamic sampling context, tracing
// on or off. Hubs forked for threads, pool tasks and HTTP requests inherit
// the trace with the rest of the scope.
//
//   // An incoming request continues its caller's trace:
//   sentry::ContinueTrace(request.header("sentry-trace"),
//                         request.header("baggage"));
//   // An outgoing request carries it on:
//   sentry::TraceHeaders headers = sentry::GetTraceHeaders();
//   add_header("sentry-trace", headers.sentry_trace);
//   add_header("baggage", headers.baggage);
//
//   // Performance: options.traces_sample_rate = 0.2;
//   sentry::Span transaction = sentry::StartTransaction({"checkout", "task"});
//   sentry::SpanGuard active(transaction);     // current on this hub's scope
//   sentry::Span child = transaction.StartChild("db.query", "SELECT 1");
//   child.Finish();
//   transaction.Finish();
#ifndef SENTRY_TRACING_H_
#define SENTRY_TRACING_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "sentry/span.h"

namespace sentry {

class Hub;

// How a transaction's name was chosen (Sentry groups by good-quality names;
// a raw URL is not one).
enum class TransactionSource {
  kCustom,
  kUrl,
  kRoute,
  kView,
  kComponent,
  kTask
};
absl::string_view TransactionSourceName(TransactionSource source);

struct TransactionContext {
  TransactionContext() = default;
  TransactionContext(std::string name, std::string op,
                     TransactionSource source = TransactionSource::kCustom)
      : name(std::move(name)), op(std::move(op)), source(source) {}

  // A transaction that continues the trace of incoming headers (invalid or
  // absent headers: it starts a new trace, without failing).
  static TransactionContext FromHeaders(std::string name, std::string op,
                                        absl::string_view sentry_trace,
                                        absl::string_view baggage);

  std::string name;
  std::string op;
  TransactionSource source = TransactionSource::kCustom;
  // An explicit sampling decision, ahead of every other rule.
  std::optional<bool> sampled;

  // Set by FromHeaders: the trace continued. Unset, a transaction continues
  // the current scope's trace (see ContinueTrace).
  std::string trace_id;
  std::string parent_span_id;
  std::optional<bool> parent_sampled;
  std::optional<double> parent_sample_rate;
  std::optional<double> sample_rand;
  std::string baggage;  // The incoming DSC, as received.
};

// What Options::traces_sampler decides from.
struct SamplingContext {
  const TransactionContext& transaction;
  std::optional<bool> parent_sampled;
  std::optional<double> parent_sample_rate;
};

// The headers for an outgoing request.
struct TraceHeaders {
  std::string sentry_trace;
  std::string baggage;      // Merged into the caller's existing baggage.
  std::string traceparent;  // Only with Options::propagate_traceparent.
};

// A transaction on the current hub (see Hub::StartTransaction).
Span StartTransaction(TransactionContext context);

// The propagation headers of the current hub's active span, or of its
// scope's propagation context. `existing_baggage` is the request's own
// baggage header: its other vendors' members are kept.
TraceHeaders GetTraceHeaders(absl::string_view existing_baggage = "");

// Continues an incoming trace on the current hub's scope: its trace id, the
// caller's span as parent, the sampling decision, sample_rand and the DSC.
// W3C `traceparent` is accepted when `sentry-trace` is absent. Invalid
// headers are ignored (a new trace starts instead); returns whether the
// trace was continued.
bool ContinueTrace(absl::string_view sentry_trace, absl::string_view baggage,
                   absl::string_view traceparent = "");
// The same, reading headers through `header` (name -> value, "" if absent).
bool ContinueTrace(const std::function<std::string(absl::string_view)>& header);

// Starts a new trace on the current hub's scope.
void StartNewTrace();

// Makes `span` the current hub's active span for a block; restores the
// previous one when destroyed. Events captured meanwhile carry its trace.
class [[nodiscard]] SpanGuard {
 public:
  explicit SpanGuard(Span span);
  SpanGuard(const SpanGuard&) = delete;
  SpanGuard& operator=(const SpanGuard&) = delete;
  ~SpanGuard();

 private:
  std::shared_ptr<Hub> hub_;
  Span previous_;
};

}  // namespace sentry

#endif  // SENTRY_TRACING_H_
