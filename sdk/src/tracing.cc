// Tracing on the hub: transactions (sampling, DSC), trace headers, and
// continuing or starting traces on the hub's scope; and the free functions
// of sentry/tracing.h on the current hub.
#include "sentry/tracing.h"

#include <utility>

#include "absl/base/attributes.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "sdk/src/fork.h"
#include "sdk/src/propagation.h"
#include "sdk/src/random.h"
#include "sdk/src/scope_data.h"
#include "sdk/src/span_record.h"
#include "sdk/src/user_callback.h"
#include "sentry/hub.h"

namespace sentry {

using internal::PropagationContext;

absl::string_view TransactionSourceName(TransactionSource source) {
  switch (source) {
    case TransactionSource::kCustom:
      return "custom";
    case TransactionSource::kUrl:
      return "url";
    case TransactionSource::kRoute:
      return "route";
    case TransactionSource::kView:
      return "view";
    case TransactionSource::kComponent:
      return "component";
    case TransactionSource::kTask:
      return "task";
  }
  return "custom";
}

TransactionContext TransactionContext::FromHeaders(
    std::string name, std::string op, absl::string_view sentry_trace,
    absl::string_view baggage) {
  TransactionContext context(std::move(name), std::move(op));
  auto continued = internal::ContinueFromHeaders({sentry_trace, baggage, ""},
                                                 std::nullopt, false);
  if (!continued) return context;
  context.trace_id = continued->trace_id;
  context.parent_span_id = continued->parent_span_id;
  context.parent_sampled = continued->sampled;
  context.parent_sample_rate = continued->sample_rate;
  context.sample_rand = continued->sample_rand;
  context.baggage = std::string(baggage);
  return context;
}

namespace {

// The trace a transaction joins: the one its context continues (under the
// client's org-id rules), else the scope's.
PropagationContext TraceOf(const TransactionContext& context,
                           const PropagationContext& scope_trace,
                           std::optional<uint64_t> org_id, bool strict) {
  if (context.trace_id.empty()) return scope_trace;
  const std::string sentry_trace = internal::FormatSentryTrace(
      context.trace_id, context.parent_span_id, context.parent_sampled);
  auto continued = internal::ContinueFromHeaders(
      {sentry_trace, context.baggage, ""}, org_id, strict);
  if (!continued) return PropagationContext::New();
  if (context.sample_rand && !continued->dsc) {
    continued->sample_rand = *context.sample_rand;
  }
  return *continued;
}

// The sampling decision and the rate it was made with (TELEMETRY.md
// section 3): an explicit decision, the sampler, the parent's, the rate.
std::pair<bool, std::optional<double>> Decide(const Options& options,
                                              const TransactionContext& context,
                                              const PropagationContext& trace) {
  if (context.sampled.has_value()) {
    return {*context.sampled, *context.sampled ? 1.0 : 0.0};
  }
  if (options.traces_sampler) {
    double rate = 0;
    const SamplingContext sampling{context, trace.sampled, trace.sample_rate};
    if (!internal::CallUserCallback("traces_sampler",
                                    [&] {
                                      rate = options.traces_sampler(sampling);
                                      return true;
                                    }) ||
        !(rate >= 0 && rate <= 1)) {
      rate = 0;
    }
    return {trace.sample_rand < rate, rate};
  }
  if (trace.sampled.has_value()) return {*trace.sampled, trace.sample_rate};
  const double rate = options.traces_sample_rate.value_or(0);
  return {trace.sample_rand < rate, rate};
}

}  // namespace

Span Hub::StartTransaction(TransactionContext context) {
  if (internal::InForkedChild()) return Span();
  std::shared_ptr<Client> client = this->client();
  PropagationContext scope_trace;
  ConfigureScope([&](Scope& scope) {
    scope_trace = internal::ScopeAccess::Propagation(scope);
  });
  const bool enabled = client != nullptr && client->IsEnabled();
  const PropagationContext trace =
      enabled ? TraceOf(context, scope_trace, client->org_id(),
                        client->options().strict_trace_continuation)
              : TraceOf(context, scope_trace, std::nullopt, false);

  auto state = std::make_shared<internal::TransactionState>();
  state->trace_id = trace.trace_id;
  state->name = context.name;
  state->source = std::string(TransactionSourceName(context.source));
  std::optional<double> rate;
  if (enabled && client->TracingEnabled()) {
    std::tie(state->sampled, rate) = Decide(client->options(), context, trace);
    state->reports = client->reports_;
    std::weak_ptr<Hub> hub = weak_from_this();
    state->sink = [hub](std::shared_ptr<internal::TransactionState> finished) {
      if (auto alive = hub.lock()) {
        alive->CaptureTransaction(std::move(finished));
      }
    };
  }
  if (trace.dsc != nullptr) {
    state->dsc = trace.dsc;  // Frozen as received.
  } else if (client != nullptr) {
    const bool good_name = context.source != TransactionSource::kUrl;
    state->dsc = client->NewDsc(
        trace.trace_id, trace.sample_rand, rate,
        client->TracingEnabled() ? std::optional<bool>(state->sampled)
                                 : std::nullopt,
        good_name ? absl::string_view(context.name) : absl::string_view());
  }
  uint64_t parent = 0;
  if (!absl::SimpleHexAtoi(trace.parent_span_id, &parent)) parent = 0;
  auto record = std::make_shared<internal::SpanRecord>(
      state, internal::NewSpanIdBits(), parent, /*is_transaction=*/true);
  record->data.op = context.op;
  record->data.description = context.name;
  record->data.start = absl::ToUnixMicros(absl::Now()) / 1e6;
  return internal::SpanAccess::Make(std::move(record));
}

ABSL_ATTRIBUTE_HOT void Hub::CaptureTransaction(
    std::shared_ptr<internal::TransactionState> transaction) {
  if (internal::InForkedChild()) return;
  // The client only queues (no user code runs), so it is called under the
  // hub's lock, as for CaptureMessage: no reference count shared by all
  // threads is touched.
  absl::MutexLock lock(&mu_);
  const std::shared_ptr<Client>& client = TopClientLocked();
  if (client == nullptr) return;
  std::shared_ptr<Scope> keep;
  client->CaptureTransaction(std::move(transaction), TopLocked(&keep));
}

TraceHeaders Hub::GetTraceHeaders(absl::string_view existing_baggage) {
  TraceHeaders headers;
  if (internal::InForkedChild()) return headers;
  Span span;
  PropagationContext trace;
  ConfigureScope([&](Scope& scope) {
    span = scope.GetSpan();
    if (internal::SpanAccess::Record(span) == nullptr) {
      trace = internal::ScopeAccess::Propagation(scope);
    }
  });
  std::shared_ptr<Client> client = this->client();
  std::shared_ptr<const internal::Dsc> dsc;
  char span_hex[16];
  absl::string_view trace_id = trace.trace_id;
  absl::string_view span_id;
  bool sampled;
  if (const auto& record = internal::SpanAccess::Record(span)) {
    span_id = internal::SpanIdHex(record->data.span_id, span_hex);
    sampled = record->txn->sampled;
    trace_id = record->txn->trace_id;
    headers.sentry_trace =
        internal::FormatSentryTrace(trace_id, span_id, sampled);
    dsc = record->txn->dsc;
  } else {
    span_id = trace.span_id;
    sampled = trace.sampled.value_or(false);
    headers.sentry_trace = internal::FormatSentryTrace(
        trace.trace_id, trace.span_id, trace.sampled);
    dsc = trace.dsc;
    if (dsc == nullptr && client != nullptr) {
      dsc = client->NewDsc(trace.trace_id, trace.sample_rand, trace.sample_rate,
                           trace.sampled, "");
    }
  }
  static const auto* const kNoDsc = new internal::Dsc();
  headers.baggage =
      internal::MergeBaggage(existing_baggage, dsc != nullptr ? *dsc : *kNoDsc);
  if (client != nullptr && client->options().propagate_traceparent) {
    headers.traceparent =
        internal::FormatTraceparent(trace_id, span_id, sampled);
  }
  return headers;
}

bool Hub::ContinueTrace(absl::string_view sentry_trace,
                        absl::string_view baggage,
                        absl::string_view traceparent) {
  if (internal::InForkedChild()) return false;
  std::shared_ptr<Client> client = this->client();
  auto continued = internal::ContinueFromHeaders(
      {sentry_trace, baggage, traceparent},
      client != nullptr ? client->org_id() : std::nullopt,
      client != nullptr && client->options().strict_trace_continuation);
  ConfigureScope([&](Scope& scope) {
    internal::ScopeAccess::SetPropagation(
        scope, continued ? *continued : PropagationContext::New());
  });
  return continued.has_value();
}

void Hub::StartNewTrace() {
  if (internal::InForkedChild()) return;
  ConfigureScope([](Scope& scope) {
    internal::ScopeAccess::SetPropagation(scope, PropagationContext::New());
  });
}

Span StartTransaction(TransactionContext context) {
  return Hub::Current()->StartTransaction(std::move(context));
}

TraceHeaders GetTraceHeaders(absl::string_view existing_baggage) {
  return Hub::Current()->GetTraceHeaders(existing_baggage);
}

bool ContinueTrace(absl::string_view sentry_trace, absl::string_view baggage,
                   absl::string_view traceparent) {
  return Hub::Current()->ContinueTrace(sentry_trace, baggage, traceparent);
}

bool ContinueTrace(
    const std::function<std::string(absl::string_view)>& header) {
  const std::string sentry_trace = header("sentry-trace");
  const std::string baggage = header("baggage");
  const std::string traceparent = header("traceparent");
  return ContinueTrace(sentry_trace, baggage, traceparent);
}

void StartNewTrace() { Hub::Current()->StartNewTrace(); }

SpanGuard::SpanGuard(Span span) : hub_(Hub::Current()) {
  hub_->ConfigureScope([&](Scope& scope) {
    previous_ = scope.GetSpan();
    scope.SetSpan(std::move(span));
  });
}

SpanGuard::~SpanGuard() {
  hub_->ConfigureScope(
      [&](Scope& scope) { scope.SetSpan(std::move(previous_)); });
}

}  // namespace sentry
