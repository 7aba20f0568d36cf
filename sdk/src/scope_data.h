// The data behind a sentry::Scope: one copy-on-write pointer to fields that
// are copy-on-write themselves, and ScopeSnapshot,
// an immutable O(1) copy of it taken when an event is captured.
//
//   internal::ScopeSnapshot snapshot = scope.Snapshot();   // under the lock
//   snapshot.ApplyTo(event, max_breadcrumbs, &attachments); // anywhere, later
#ifndef SENTRY_SDK_SRC_SCOPE_DATA_H_
#define SENTRY_SDK_SRC_SCOPE_DATA_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "sentry/internal/cow.h"
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
  // Thread-safe; encoded once.
  absl::string_view Json() const;

 private:
  const protocol::Breadcrumb crumb_;
  mutable absl::once_flag encoded_;
  mutable std::string json_;
};

using Breadcrumbs = std::deque<std::shared_ptr<const StoredBreadcrumb>>;

struct ScopeFields {
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

  // Adds what the event does not have itself: tags, extras, contexts, user,
  // transaction and fingerprint only where absent; attachments are appended.
  // The level and breadcrumbs are merged by the client (they combine the
  // global scope's and the hub's).
  void ApplyTo(protocol::Event& event,
               std::vector<Attachment>* attachments) const;

  const std::vector<std::shared_ptr<const EventProcessor>>& processors() const {
    return fields_->processors.get();
  }
  const Breadcrumbs& breadcrumbs() const { return fields_->breadcrumbs.get(); }
  std::optional<Level> level() const { return fields_->level; }
  const Cow<ScopeFields>& fields() const { return fields_; }

 private:
  Cow<ScopeFields> fields_;
};

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

#endif  // SENTRY_SDK_SRC_SCOPE_DATA_H_
