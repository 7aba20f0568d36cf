#include "sentry/scope.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

#include "absl/base/attributes.h"
#include "sdk/src/scope_data.h"
#include "sdk/src/span_record.h"
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

namespace {

using FieldsCow = internal::Cow<ScopeFields>;

const ScopeFields& Read(const internal::CowNode<ScopeFields>* node) {
  static const ScopeFields* const empty = new ScopeFields();
  return node != nullptr ? node->value : *empty;
}

// Set once the global scope gets an attribute: until then logs and metrics
// do not take its lock (the one lock every thread would share).
std::atomic<bool> global_has_attributes{false};

}  // namespace

Scope::Scope() {
  ScopeFields fields;
  fields.propagation = internal::PropagationContext::New();
  fields_ = FieldsCow(std::move(fields)).ReleaseNode();
}

Scope::Scope(const Scope& other) {
  absl::MutexLock lock(&other.mu_);
  fields_ = FieldsCow::Share(other.fields_).ReleaseNode();
}

Scope& Scope::operator=(const Scope& other) {
  if (this == &other) return *this;
  FieldsCow fields;
  {
    absl::MutexLock lock(&other.mu_);
    fields = FieldsCow::Share(other.fields_);
  }
  FieldsCow old;  // Released after the lock.
  absl::MutexLock lock(&mu_);
  old = FieldsCow::Adopt(std::exchange(fields_, fields.ReleaseNode()));
  return *this;
}

Scope::~Scope() { FieldsCow::Adopt(fields_); }

template <typename F>
void Scope::Mutate(F&& f) {
  absl::MutexLock lock(&mu_);
  FieldsCow fields = FieldsCow::Adopt(std::exchange(fields_, nullptr));
  f(fields.Mut());
  fields_ = fields.ReleaseNode();
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
    auto propagation = std::move(f.propagation);
    f = ScopeFields();
    f.processors = std::move(processors);
    f.propagation = std::move(propagation);
  });
}

std::map<std::string, std::string> Scope::tags() const {
  absl::MutexLock lock(&mu_);
  return Read(fields_).tags.get();
}

std::optional<protocol::User> Scope::user() const {
  absl::MutexLock lock(&mu_);
  if (!Read(fields_).has_user) return std::nullopt;
  return Read(fields_).user.get();
}

size_t Scope::breadcrumb_count() const {
  absl::MutexLock lock(&mu_);
  return Read(fields_).breadcrumbs->size();
}

void Scope::SetAttribute(absl::string_view key, AttributeValue value) {
  if (this == &GlobalScope()) {
    global_has_attributes.store(true, std::memory_order_release);
  }
  Mutate([&](ScopeFields& f) {
    LogAttributes& attributes = f.attributes.Mut();
    for (auto& [k, v] : attributes) {
      if (k == key) {
        v = std::move(value);
        return;
      }
    }
    attributes.emplace_back(std::string(key), std::move(value));
  });
}

void Scope::RemoveAttribute(absl::string_view key) {
  Mutate([&](ScopeFields& f) {
    const LogAttributes& attributes = f.attributes.get();
    if (std::none_of(attributes.begin(), attributes.end(),
                     [&](const auto& a) { return a.first == key; })) {
      return;
    }
    LogAttributes& mut = f.attributes.Mut();
    mut.erase(std::remove_if(mut.begin(), mut.end(),
                             [&](const auto& a) { return a.first == key; }),
              mut.end());
  });
}

LogAttributes Scope::attributes() const {
  absl::MutexLock lock(&mu_);
  return Read(fields_).attributes.get();
}

void Scope::SetSpan(Span span) {
  Mutate([&](ScopeFields& f) { f.span = std::move(span); });
}

Span Scope::GetSpan() const {
  absl::MutexLock lock(&mu_);
  return Read(fields_).span;
}

namespace internal {

PropagationContext ScopeAccess::Propagation(const Scope& scope) {
  absl::MutexLock lock(&scope.mu_);
  return Read(scope.fields_).propagation;
}

void ScopeAccess::SetPropagation(Scope& scope, PropagationContext context) {
  scope.Mutate([&](ScopeFields& f) { f.propagation = std::move(context); });
}

namespace {
// `own` into `*to` unless it has none (checked without Cow's empty value,
// whose static's guard is one more line for a paced call).
void ShareAttributes(const Cow<LogAttributes>& own, Cow<LogAttributes>* to) {
  if (own.has_value() && !own->empty()) *to = own;
}
}  // namespace

bool ScopeAccess::ReadForTelemetry(const Scope& scope, char (&trace_id)[32],
                                   uint64_t* span_id,
                                   Cow<LogAttributes>* attributes) {
  absl::MutexLock lock(&scope.mu_);
  *span_id = 0;
  // Without fields, neither attributes nor a trace (read without the empty
  // fields' static, whose guard is one more line for a paced call).
  if (scope.fields_ == nullptr) return false;
  const ScopeFields& f = scope.fields_->value;
  ShareAttributes(f.attributes, attributes);
  const auto& record = SpanAccess::Record(f.span);
  const std::string* id = &f.propagation.trace_id;
  if (record != nullptr) {
    id = &record->txn->trace_id;
    *span_id = record->data.span_id;
  }
  if (id->size() != sizeof(trace_id)) return false;
  std::memcpy(trace_id, id->data(), sizeof(trace_id));
  return true;
}

void ScopeAccess::ReadAttributes(const Scope& scope,
                                 Cow<LogAttributes>* attributes) {
  absl::MutexLock lock(&scope.mu_);
  if (scope.fields_ != nullptr) {
    ShareAttributes(scope.fields_->value.attributes, attributes);
  }
}

bool ScopeAccess::GlobalHasAttributes() {
  return global_has_attributes.load(std::memory_order_acquire);
}

namespace {
// Made at load time: a crash handler reading an empty scope initializes
// nothing.
const ScopeFields* const kNoFields = new ScopeFields();
}  // namespace

const ScopeFields& ScopeAccess::FieldsUnlocked(const Scope& scope) {
  return scope.fields_ != nullptr ? scope.fields_->value : *kNoFields;
}

void ScopeAccess::WhileLocked(const Scope& scope, void (*fn)(void*),
                              void* arg) {
  absl::MutexLock lock(&scope.mu_);
  fn(arg);
}

ABSL_ATTRIBUTE_HOT ScopeSnapshot ScopeAccess::Snapshot(const Scope& scope) {
  absl::MutexLock lock(&scope.mu_);
  return ScopeSnapshot(FieldsCow::Share(scope.fields_));
}

}  // namespace internal

ABSL_ATTRIBUTE_HOT Scope& GlobalScope() {
  static Scope* const global = new Scope();
  return *global;
}

namespace internal {}  // namespace internal
}  // namespace sentry
