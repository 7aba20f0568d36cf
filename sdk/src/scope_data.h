// The data behind a sentry::Scope: one copy-on-write pointer to fields that
// are copy-on-write themselves, and ScopeSnapshot, an immutable O(1) copy of
// it taken when an event is captured (applied to the event later, by
// sdk/src/apply_scopes.h).
//
//   internal::ScopeSnapshot snapshot = internal::ScopeAccess::Snapshot(scope);
#ifndef SENTRY_SDK_SRC_SCOPE_DATA_H_
#define SENTRY_SDK_SRC_SCOPE_DATA_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "sdk/src/cow.h"
#include "sdk/src/propagation.h"
#include "sentry/level.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/scope.h"

namespace sentry::internal {

// A breadcrumb as scopes keep it: immutable, shared by every scope and
// snapshot that holds it. Its JSON is encoded the first time an event needs
// it (on the worker thread) and reused by every later event that carries it.
class StoredBreadcrumb {
 public:
  explicit StoredBreadcrumb(protocol::Breadcrumb crumb)
      : crumb_(std::move(crumb)) {}
  StoredBreadcrumb(const StoredBreadcrumb&) = delete;
  StoredBreadcrumb& operator=(const StoredBreadcrumb&) = delete;

  const protocol::Breadcrumb& crumb() const { return crumb_; }
  double timestamp() const { return crumb_.timestamp(); }
  // Its JSON, written by `encode` the first time an event needs it and
  // reused by every later one (of any client: a scope's breadcrumbs go to
  // one client at a time). Thread-safe.
  absl::string_view Json(
      absl::FunctionRef<std::string(const protocol::Breadcrumb&)> encode)
      const {
    absl::call_once(encoded_, [&] { json_ = encode(crumb_); });
    return json_;
  }

 private:
  const protocol::Breadcrumb crumb_;
  mutable absl::once_flag encoded_;
  mutable std::string json_;
};

using Breadcrumbs = std::deque<std::shared_ptr<const StoredBreadcrumb>>;

struct ScopeFields {
  // First, what a log or a metric reads, next to the node's reference count:
  // one or two cache lines for a paced call, instead of three.
  Cow<LogAttributes> attributes;  // For logs and metrics.
  Span span;                      // The active span, if any.
  // The trace of this scope's events when no span is active.
  PropagationContext propagation;
  Cow<std::map<std::string, std::string>> tags;
  Cow<std::map<std::string, google::protobuf::Value>> extra;
  Cow<std::map<std::string, google::protobuf::Struct>> contexts;
  Cow<protocol::User> user;
  Cow<std::vector<std::string>> fingerprint;
  Cow<Breadcrumbs> breadcrumbs;
  Cow<std::vector<std::shared_ptr<const EventProcessor>>> processors;
  Cow<std::vector<Attachment>> attachments;
  std::optional<Level> level;
  std::string transaction;
  bool has_user = false;
};

class ScopeSnapshot {
 public:
  ScopeSnapshot() = default;
  explicit ScopeSnapshot(Cow<ScopeFields> fields)
      : fields_(std::move(fields)) {}

  const std::vector<std::shared_ptr<const EventProcessor>>& processors() const {
    return fields_->processors.get();
  }
  const Breadcrumbs& breadcrumbs() const { return fields_->breadcrumbs.get(); }
  std::optional<Level> level() const { return fields_->level; }
  const PropagationContext& propagation() const { return fields_->propagation; }
  const Span& span() const { return fields_->span; }
  const ScopeFields& fields() const { return fields_.get(); }

 private:
  Cow<ScopeFields> fields_;
};

// What the SDK reads and writes of a Scope beyond its public API (a friend
// of Scope): snapshots for capturing, and the propagation context.
class ScopeAccess {
 public:
  static ScopeSnapshot Snapshot(const Scope& scope);
  static PropagationContext Propagation(const Scope& scope);
  static void SetPropagation(Scope& scope, PropagationContext context);
  // What a log or metric takes from `scope`: the trace id (false when the
  // scope has none), the active span's id (0: none) and the attributes.
  static bool ReadForTelemetry(const Scope& scope, char (&trace_id)[32],
                               uint64_t* span_id,
                               Cow<LogAttributes>* attributes);
  // Only the attributes (the global scope's, when the trace came from the
  // current scope).
  static void ReadAttributes(const Scope& scope,
                             Cow<LogAttributes>* attributes);
  // Whether the global scope has attributes (read without its lock).
  static bool GlobalHasAttributes();
  // The fields as they are, without the scope's lock: only for a crash
  // handler, while every other thread is stopped.
  static const ScopeFields& FieldsUnlocked(const Scope& scope)
      ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // Runs `fn` holding the scope's lock: for tests of what must not wait
  // for it (a crash report).
  static void WhileLocked(const Scope& scope, void (*fn)(void*), void* arg);
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_SCOPE_DATA_H_
