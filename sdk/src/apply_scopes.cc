#include "sdk/src/apply_scopes.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "sdk/src/json.h"
#include "sdk/src/span_record.h"
#include "sentry/level.h"

namespace sentry::internal {

namespace {

// Adds what the event does not have itself: tags, extras, contexts, user,
// transaction and fingerprint only where absent; attachments are appended.
void ApplyFields(const ScopeFields& f, protocol::Event& event,
                 std::vector<Attachment>* attachments) {
  auto& tags = *event.mutable_tags();
  for (const auto& [key, value] : f.tags.get()) tags.insert({key, value});
  auto& extra = *event.mutable_extra();
  for (const auto& [key, value] : f.extra.get()) extra.insert({key, value});
  auto& contexts = *event.mutable_contexts();
  for (const auto& [key, value] : f.contexts.get())
    contexts.insert({key, value});
  if (f.has_user && !event.has_user()) *event.mutable_user() = f.user.get();
  if (!f.transaction.empty() && event.transaction().empty()) {
    event.set_transaction(f.transaction);
  }
  if (!f.fingerprint->empty() && event.fingerprint_size() == 0) {
    for (const auto& part : f.fingerprint.get()) event.add_fingerprint(part);
  }
  if (attachments != nullptr) {
    const auto& mine = f.attachments.get();
    attachments->insert(attachments->end(), mine.begin(), mine.end());
  }
}

// The trace context's fields, in the order the JSON encoder sorts them.
struct TraceFields {
  std::string op;
  std::string parent_span_id;
  std::string span_id;
  std::string trace_id;
};

// contexts.trace (unless the event has one) and the DSC source, from the
// active span or else the propagation context. With `encode`, the context
// is written as JSON for the encoder (as the "os" context is) instead of
// into the event.
void ApplyTrace(const CapturedScopes& scopes, bool encode,
                protocol::Event& event, AppliedScopes& applied) {
  const Span* span = nullptr;
  for (const auto* snapshot : {&scopes.scope, &scopes.global}) {
    if (SpanAccess::Record(snapshot->span()) != nullptr) {
      span = &snapshot->span();
      break;
    }
  }
  TraceFields trace;
  if (span != nullptr) {
    const auto& record = SpanAccess::Record(*span);
    trace.trace_id = record->txn->trace_id;
    trace.span_id = SpanIdHex(record->data.span_id);
    trace.parent_span_id = SpanIdHex(record->data.parent_span_id);
    {
      absl::MutexLock lock(&record->txn->mu);
      trace.op = record->data.op;
    }
    applied.dsc = record->txn->dsc;
  } else {
    const PropagationContext* context = &scopes.scope.propagation();
    if (context->trace_id.empty()) context = &scopes.global.propagation();
    if (context->trace_id.empty()) return;
    trace.trace_id = context->trace_id;
    trace.span_id = context->span_id;
    trace.parent_span_id = context->parent_span_id;
    applied.dsc = context->dsc;
    applied.sample_rand = context->sample_rand;
  }
  applied.trace_id = trace.trace_id;
  if (event.contexts().count("trace") != 0) return;  // The event's own.
  const std::pair<const char*, const std::string*> fields[] = {
      {"op", &trace.op},
      {"parent_span_id", &trace.parent_span_id},
      {"span_id", &trace.span_id},
      {"trace_id", &trace.trace_id}};
  if (encode) {
    std::string& json = applied.trace_json;
    json.push_back('{');
    for (const auto& [key, value] : fields) {
      if (value->empty()) continue;
      if (json.size() > 1) json.push_back(',');
      json.append(JsonQuote(key));
      json.push_back(':');
      json.append(JsonQuote(*value));
    }
    json.push_back('}');
    return;
  }
  google::protobuf::Struct context;
  for (const auto& [key, value] : fields) {
    if (!value->empty()) {
      (*context.mutable_fields())[key].set_string_value(*value);
    }
  }
  event.mutable_contexts()->insert({"trace", std::move(context)});
}

}  // namespace

ABSL_ATTRIBUTE_HOT CapturedScopes CapturedScopes::Of(const Scope* scope) {
  return {scope != nullptr ? ScopeAccess::Snapshot(*scope) : ScopeSnapshot(),
          ScopeAccess::Snapshot(GlobalScope())};
}

bool CapturedScopes::SameAs(const CapturedScopes& other) const {
  return &scope.fields() == &other.scope.fields() &&
         &global.fields() == &other.global.fields();
}

std::vector<const EventProcessor*> CapturedScopes::processors() const {
  std::vector<const EventProcessor*> all;
  for (const auto* snapshot : {&scope, &global}) {
    for (const auto& processor : snapshot->processors()) {
      all.push_back(processor.get());
    }
  }
  return all;
}

AppliedScopes ApplyScopes(const CapturedScopes& scopes, size_t max_breadcrumbs,
                          bool copy_breadcrumbs, protocol::Event& event) {
  AppliedScopes applied;
  ApplyFields(scopes.scope.fields(), event, &applied.attachments);
  ApplyFields(scopes.global.fields(), event, &applied.attachments);
  ApplyTrace(scopes, /*encode=*/!copy_breadcrumbs, event, applied);
  if (auto level =
          scopes.scope.level() ? scopes.scope.level() : scopes.global.level()) {
    event.set_level(std::string(LevelName(*level)));
  }
  if (event.level().empty()) event.set_level("error");
  const Breadcrumbs& global = scopes.global.breadcrumbs();
  const Breadcrumbs& local = scopes.scope.breadcrumbs();
  if (copy_breadcrumbs || event.has_breadcrumbs()) {
    MergeBreadcrumbs(global, local, max_breadcrumbs, event);
  } else {
    applied.breadcrumbs = SelectBreadcrumbs(global, local, max_breadcrumbs);
  }
  return applied;
}

std::vector<const StoredBreadcrumb*> SelectBreadcrumbs(
    const Breadcrumbs& global, const Breadcrumbs& local, size_t max,
    size_t own) {
  std::vector<const StoredBreadcrumb*> merged;
  const size_t total = global.size() + local.size() + own;
  if (total == 0 || max == 0) return merged;
  // The oldest `skip` are left out.
  size_t skip = total - std::min(total, max);
  merged.reserve(std::min(max, global.size() + local.size()));
  size_t g = 0, l = 0;
  while (g < global.size() || l < local.size()) {
    const StoredBreadcrumb* next;
    if (l >= local.size() || (g < global.size() && global[g]->timestamp() <=
                                                       local[l]->timestamp())) {
      next = global[g++].get();
    } else {
      next = local[l++].get();
    }
    if (skip > 0) {
      --skip;
    } else {
      merged.push_back(next);
    }
  }
  return merged;
}

void MergeBreadcrumbs(const Breadcrumbs& global, const Breadcrumbs& local,
                      size_t max, protocol::Event& event) {
  const auto& own = event.breadcrumbs().values();
  const size_t own_count = static_cast<size_t>(own.size());
  const size_t total = global.size() + local.size() + own_count;
  if (total == 0 || max == 0) {
    event.clear_breadcrumbs();
    return;
  }
  const std::vector<const StoredBreadcrumb*> merged =
      SelectBreadcrumbs(global, local, max, own_count);
  protocol::Breadcrumbs result;
  // The event's own are dropped only once all the scopes' are.
  const size_t dropped = total - std::min(total, max);
  const size_t from_scopes = global.size() + local.size();
  size_t skip = dropped > from_scopes ? dropped - from_scopes : 0;
  for (const auto* crumb : merged) *result.add_values() = crumb->crumb();
  for (const auto& crumb : own) {
    if (skip > 0) {
      --skip;
      continue;
    }
    *result.add_values() = crumb;
  }
  *event.mutable_breadcrumbs() = std::move(result);
}

}  // namespace sentry::internal
