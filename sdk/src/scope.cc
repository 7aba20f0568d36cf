#include "sentry/scope.h"

#include <algorithm>
#include <utility>

#include "sdk/src/event_json.h"
#include "sdk/src/scope_data.h"
#include "sdk/src/timestamps.h"

namespace sentry {

using internal::ScopeFields;
using internal::ScopeSnapshot;

Attachment Attachment::FromBytes(std::string filename, std::string bytes,
                                 std::string content_type) {
  Attachment a;
  a.filename = std::move(filename);
  a.bytes = std::move(bytes);
  a.content_type = std::move(content_type);
  return a;
}

Attachment Attachment::FromPath(std::string path, std::string content_type) {
  Attachment a;
  const size_t slash = path.find_last_of('/');
  a.filename = slash == std::string::npos ? path : path.substr(slash + 1);
  a.path = std::move(path);
  a.content_type = std::move(content_type);
  return a;
}

Scope::Scope() = default;

Scope::Scope(const Scope& other) {
  absl::MutexLock lock(&other.mu_);
  fields_ = other.fields_;
}

Scope& Scope::operator=(const Scope& other) {
  if (this == &other) return *this;
  internal::Cow<ScopeFields> fields;
  {
    absl::MutexLock lock(&other.mu_);
    fields = other.fields_;
  }
  absl::MutexLock lock(&mu_);
  fields_ = std::move(fields);
  return *this;
}

Scope::~Scope() = default;

template <typename F>
void Scope::Mutate(F&& f) {
  absl::MutexLock lock(&mu_);
  f(fields_.Mut());
}

void Scope::SetTag(absl::string_view key, absl::string_view value) {
  Mutate([&](ScopeFields& f) {
    f.tags.Mut()[std::string(key)].assign(value.data(), value.size());
  });
}

void Scope::RemoveTag(absl::string_view key) {
  Mutate([&](ScopeFields& f) {
    if (f.tags->count(std::string(key)) != 0)
      f.tags.Mut().erase(std::string(key));
  });
}

void Scope::SetExtra(absl::string_view key, google::protobuf::Value value) {
  Mutate([&](ScopeFields& f) {
    f.extra.Mut()[std::string(key)] = std::move(value);
  });
}

void Scope::SetExtra(absl::string_view key, absl::string_view value) {
  google::protobuf::Value v;
  v.set_string_value(std::string(value));
  SetExtra(key, std::move(v));
}

void Scope::SetExtra(absl::string_view key, const char* value) {
  SetExtra(key, absl::string_view(value));
}

void Scope::SetExtra(absl::string_view key, double value) {
  google::protobuf::Value v;
  v.set_number_value(value);
  SetExtra(key, std::move(v));
}

void Scope::SetExtra(absl::string_view key, int value) {
  SetExtra(key, static_cast<double>(value));
}

void Scope::SetExtra(absl::string_view key, int64_t value) {
  SetExtra(key, static_cast<double>(value));
}

void Scope::SetExtra(absl::string_view key, bool value) {
  google::protobuf::Value v;
  v.set_bool_value(value);
  SetExtra(key, std::move(v));
}

void Scope::RemoveExtra(absl::string_view key) {
  Mutate([&](ScopeFields& f) {
    if (f.extra->count(std::string(key)) != 0)
      f.extra.Mut().erase(std::string(key));
  });
}

void Scope::SetContext(absl::string_view key,
                       google::protobuf::Struct context) {
  Mutate([&](ScopeFields& f) {
    f.contexts.Mut()[std::string(key)] = std::move(context);
  });
}

void Scope::RemoveContext(absl::string_view key) {
  Mutate([&](ScopeFields& f) {
    if (f.contexts->count(std::string(key)) != 0) {
      f.contexts.Mut().erase(std::string(key));
    }
  });
}

void Scope::SetUser(protocol::User user) {
  const bool has_user = user.ByteSizeLong() != 0;
  Mutate([&](ScopeFields& f) {
    f.has_user = has_user;
    if (has_user) {
      f.user.Mut() = std::move(user);
    } else {
      f.user.Reset();
    }
  });
}

void Scope::SetLevel(std::optional<Level> level) {
  Mutate([&](ScopeFields& f) { f.level = level; });
}

void Scope::SetFingerprint(std::vector<std::string> fingerprint) {
  Mutate([&](ScopeFields& f) { f.fingerprint.Mut() = std::move(fingerprint); });
}

void Scope::SetTransactionName(absl::string_view name) {
  Mutate(
      [&](ScopeFields& f) { f.transaction.assign(name.data(), name.size()); });
}

void Scope::AddBreadcrumb(protocol::Breadcrumb breadcrumb,
                          size_t max_breadcrumbs) {
  if (max_breadcrumbs == 0) return;
  breadcrumb.set_timestamp(internal::TimestampOrNow(breadcrumb.timestamp()));
  auto crumb =
      std::make_shared<const internal::StoredBreadcrumb>(std::move(breadcrumb));
  Mutate([&](ScopeFields& f) {
    auto& crumbs = f.breadcrumbs.Mut();
    crumbs.push_back(std::move(crumb));
    while (crumbs.size() > max_breadcrumbs) crumbs.pop_front();
  });
}

void Scope::ClearBreadcrumbs() {
  Mutate([](ScopeFields& f) { f.breadcrumbs.Reset(); });
}

void Scope::AddEventProcessor(EventProcessor processor) {
  auto shared = std::make_shared<const EventProcessor>(std::move(processor));
  Mutate(
      [&](ScopeFields& f) { f.processors.Mut().push_back(std::move(shared)); });
}

void Scope::AddAttachment(Attachment attachment) {
  Mutate([&](ScopeFields& f) {
    f.attachments.Mut().push_back(std::move(attachment));
  });
}

void Scope::ClearAttachments() {
  Mutate([](ScopeFields& f) { f.attachments.Reset(); });
}

void Scope::Clear() {
  Mutate([](ScopeFields& f) {
    auto processors = std::move(f.processors);
    f = ScopeFields();
    f.processors = std::move(processors);
  });
}

std::map<std::string, std::string> Scope::tags() const {
  absl::MutexLock lock(&mu_);
  return fields_->tags.get();
}

std::optional<protocol::User> Scope::user() const {
  absl::MutexLock lock(&mu_);
  if (!fields_->has_user) return std::nullopt;
  return fields_->user.get();
}

size_t Scope::breadcrumb_count() const {
  absl::MutexLock lock(&mu_);
  return fields_->breadcrumbs->size();
}

ScopeSnapshot Scope::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return ScopeSnapshot(fields_);
}

Scope& GlobalScope() {
  static Scope* const global = new Scope();
  return *global;
}

namespace internal {

void ScopeSnapshot::ApplyTo(protocol::Event& event,
                            std::vector<Attachment>* attachments) const {
  const ScopeFields& f = fields_.get();
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

absl::string_view StoredBreadcrumb::Json() const {
  absl::call_once(encoded_, [this] { json_ = BreadcrumbJson(crumb_); });
  return json_;
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

}  // namespace internal
}  // namespace sentry
