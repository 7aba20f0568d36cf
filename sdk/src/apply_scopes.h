// ApplyScopes: the one step that puts the data of the scopes an event was
// captured under into the event, as sentry-rust's apply_to_event does. The
// scopes are captured in O(1) on the capturing thread (copy-on-write
// snapshots) and applied later, on the worker thread.
//
//   internal::CapturedScopes scopes = internal::CapturedScopes::Of(&scope);
//   ...                                            // later, anywhere
//   internal::AppliedScopes applied = internal::ApplyScopes(
//       scopes, /*max_breadcrumbs=*/100, /*copy_breadcrumbs=*/true, event);
//
// Precedence: the event's own data wins over the hub's scope, which wins over
// the global scope; a scope's level overrides the event's.
#ifndef SENTRY_SDK_SRC_APPLY_SCOPES_H_
#define SENTRY_SDK_SRC_APPLY_SCOPES_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "sdk/src/scope_data.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/scope.h"

namespace sentry::internal {

// The hub's scope and the global scope, as they were when an event was
// captured.
struct CapturedScopes {
  ScopeSnapshot scope;  // Empty when the event had no hub scope.
  ScopeSnapshot global;

  // Takes both snapshots (each under its scope's lock); `scope` may be null.
  static CapturedScopes Of(const Scope* scope);
  // True when both hold the same data as `other`'s (the same copy-on-write
  // storage: a scope that changed since has new storage).
  bool SameAs(const CapturedScopes& other) const;
  // The event processors of the hub's scope, then the global scope's.
  std::vector<const EventProcessor*> processors() const;
};

// What ApplyScopes leaves to the envelope.
struct AppliedScopes {
  std::vector<Attachment> attachments;
  // The scopes' breadcrumbs to write with the event, oldest first, when they
  // were not copied into it (their JSON is encoded once per breadcrumb).
  std::vector<const StoredBreadcrumb*> breadcrumbs;
  // The trace the event belongs to, for the envelope's DSC: the frozen DSC
  // (of the active span's transaction, or continued from a caller), else
  // what the client computes one from.
  std::shared_ptr<const Dsc> dsc;
  std::string trace_id;
  double sample_rand = 0;
  // contexts.trace as JSON, when it was not put into the event (no user
  // code sees it): for the encoder, as the "os" context is.
  std::string trace_json;
};

// Applies `scopes` to `event`: tags, extras, contexts, user, transaction and
// fingerprint where the event has none; contexts.trace from the active span,
// else the propagation context (the hub's scope's, else the global's); the
// level ("error" when no one set one); the newest `max_breadcrumbs` of the
// scopes' and the event's own breadcrumbs, merged by time, copied into the
// event when `copy_breadcrumbs` (needed when user code will see the event; else
// contexts.trace is returned encoded too) or
// when the event has breadcrumbs of its own, else returned for encoding;
// attachments returned.
AppliedScopes ApplyScopes(const CapturedScopes& scopes, size_t max_breadcrumbs,
                          bool copy_breadcrumbs, protocol::Event& event);

// The breadcrumbs of the global scope and a hub's scope merged by timestamp
// (each list is already in order), oldest first, without the oldest ones
// beyond the newest `max` (counting `own` more that the event has itself and
// that come after these).
std::vector<const StoredBreadcrumb*> SelectBreadcrumbs(
    const Breadcrumbs& global, const Breadcrumbs& local, size_t max,
    size_t own = 0);

// SelectBreadcrumbs copied into the event, in front of its own breadcrumbs
// (of which the oldest are dropped if there are more than `max`).
void MergeBreadcrumbs(const Breadcrumbs& global, const Breadcrumbs& local,
                      size_t max, protocol::Event& event);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_APPLY_SCOPES_H_
