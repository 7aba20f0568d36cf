// sentry::Scope: the data applied to every event captured through it: tags,
// extras, contexts, user, level, fingerprint, transaction name, breadcrumbs,
// event processors and attachments; and the attributes of every structured
// log and metric captured through it.
//
//   sentry::ConfigureScope([](sentry::Scope& scope) {
//     scope.SetTag("region", "eu-west-1");
//     scope.SetUser(user);
//     scope.SetExtra("attempt", 3);
//   });
//   sentry::GlobalScope().SetTag("service", "billing");  // under every event
//
// Thread-safety: every method is safe to call concurrently; each takes the
// scope's own lock for a few pointer operations and never runs user code
// under it. Forking a scope (what Hub::Clone and Hub::PushScope do) is O(1):
// the data is shared copy-on-write, so changes on one side are never seen on
// the other.
#ifndef SENTRY_SCOPE_H_
#define SENTRY_SCOPE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/struct.pb.h"
#include "sentry/attributes.h"
#include "sentry/level.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/span.h"

namespace sentry {

namespace internal {
struct ScopeFields;
template <typename T>
struct CowNode;
class ScopeAccess;
}  // namespace internal

// Modifies an event in place; returns false to drop it. Runs on the SDK's
// worker thread, never under an SDK lock. An exception it throws drops the
// event and is logged, never propagated.
using EventProcessor = std::function<bool(protocol::Event& event)>;

// A file sent along with events: either bytes held in memory or a path read
// when the event is sent.
struct Attachment {
  static Attachment FromBytes(std::string filename, std::string bytes,
                              std::string content_type = "");
  static Attachment FromPath(std::string path, std::string content_type = "");

  std::string filename;
  std::string content_type;
  std::string bytes;
  std::string path;  // Read at send time when non-empty.
};

class Scope {
 public:
  // A new scope starts a new trace.
  Scope();
  Scope(const Scope& other);  // O(1) fork: shares the data copy-on-write.
  Scope& operator=(const Scope& other);
  ~Scope();

  void SetTag(absl::string_view key, absl::string_view value);
  void RemoveTag(absl::string_view key);
  void SetExtra(absl::string_view key, google::protobuf::Value value);
  void SetExtra(absl::string_view key, absl::string_view value);
  void SetExtra(absl::string_view key, const char* value);
  void SetExtra(absl::string_view key, double value);
  void SetExtra(absl::string_view key, int value);
  void SetExtra(absl::string_view key, int64_t value);
  void SetExtra(absl::string_view key, bool value);
  void RemoveExtra(absl::string_view key);
  void SetContext(absl::string_view key, google::protobuf::Struct context);
  void RemoveContext(absl::string_view key);
  // Replaces the user; an empty User removes it.
  void SetUser(protocol::User user);
  // Overrides the level of every event; nullopt restores the event's own.
  void SetLevel(std::optional<Level> level);
  void SetFingerprint(std::vector<std::string> fingerprint);
  void SetTransactionName(absl::string_view name);
  // Keeps the newest `max_breadcrumbs`. Hub::AddBreadcrumb applies the
  // client's before_breadcrumb and limit first; this adds as given.
  void AddBreadcrumb(protocol::Breadcrumb breadcrumb,
                     size_t max_breadcrumbs = 100);
  void ClearBreadcrumbs();
  void AddEventProcessor(EventProcessor processor);
  void AddAttachment(Attachment attachment);
  void ClearAttachments();
  // Structured logs and metrics captured under this scope carry these
  // attributes (sentry/logs.h, sentry/metrics.h); a call's own win.
  void SetAttribute(absl::string_view key, AttributeValue value);
  void RemoveAttribute(absl::string_view key);
  LogAttributes attributes() const;
  // Removes all data; event processors and the trace are kept.
  void Clear();

  // The active span: events captured under this scope carry its trace, and
  // outgoing requests propagate it. An empty Span clears it.
  void SetSpan(Span span);
  Span GetSpan() const;

  // Read access (copies), mainly for tests and integrations.
  std::map<std::string, std::string> tags() const;
  std::optional<protocol::User> user() const;
  size_t breadcrumb_count() const;

 private:
  friend class internal::ScopeAccess;  // Takes snapshots for capturing.

  // Runs `f` on the fields, unshared first (copy-on-write).
  template <typename F>
  void Mutate(F&& f) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  // The data, shared copy-on-write with copies and snapshots of this scope
  // (an internal::Cow's node; null when empty).
  internal::CowNode<internal::ScopeFields>* fields_ ABSL_GUARDED_BY(mu_) =
      nullptr;
};

// The process-wide scope, merged under every event of every hub (Sentry's
// global scope, PROTOCOL.md section 7.2).
Scope& GlobalScope();

}  // namespace sentry

#endif  // SENTRY_SCOPE_H_
