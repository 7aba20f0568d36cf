#include "sdk/src/crash_scope.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "sdk/src/current_hubs.h"
#include "sdk/src/propagation.h"
#include "sdk/src/scope_data.h"
#include "sdk/src/span_record.h"
#include "sentry/hub.h"
#include "sentry/level.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/scope.h"

namespace sentry::internal {
namespace {

// Bounds for data that a stopped writer may have left half-changed.
constexpr size_t kMaxEntries = 1000;
constexpr int kMaxDepth = 10;

// JSON into a fixed buffer; remembers when it ran out of room.
class Writer {
 public:
  Writer(char* out, size_t capacity) : out_(out), capacity_(capacity) {}

  void Raw(const char* s, size_t n) {
    if (n > capacity_ - len_) {
      full_ = true;
      return;
    }
    std::memcpy(out_ + len_, s, n);
    len_ += n;
  }
  void Raw(const char* s) { Raw(s, std::strlen(s)); }
  void Char(char c) { Raw(&c, 1); }

  // A JSON string: quotes, backslashes and control characters escaped,
  // invalid UTF-8 replaced by U+FFFD.
  void Str(absl::string_view s) {
    Char('"');
    size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        Char('\\');
        Char(static_cast<char>(c));
        ++i;
      } else if (c < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u',          '0',
                                '0',  kHex[c >> 4], kHex[c & 15]};
        Raw(escaped, sizeof(escaped));
        ++i;
      } else if (c < 0x80) {
        Char(static_cast<char>(c));
        ++i;
      } else {
        const size_t n = Utf8Length(s, i);
        if (n == 0) {
          Raw("\xef\xbf\xbd");
          ++i;
        } else {
          Raw(s.data() + i, n);
          i += n;
        }
      }
    }
    Char('"');
  }

  void Unsigned(uint64_t v, int width = 0) {
    char buf[24];
    int i = 0;
    do {
      buf[i++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (i < width) buf[i++] = '0';
    while (i > 0) Char(buf[--i]);
  }

  // Up to six decimals (a timestamp's microseconds); null for NaN and the
  // infinities, which JSON has no spelling for.
  void Number(double v) {
    if (!(v == v) || v > 1e18 || v < -1e18) {
      Raw("null");
      return;
    }
    if (v < 0) {
      Char('-');
      v = -v;
    }
    uint64_t whole = static_cast<uint64_t>(v);
    uint64_t micros = static_cast<uint64_t>((v - whole) * 1e6 + 0.5);
    if (micros >= 1000000) {
      ++whole;
      micros -= 1000000;
    }
    Unsigned(whole);
    if (micros == 0) return;
    int width = 6;
    while (micros % 10 == 0) {
      micros /= 10;
      --width;
    }
    Char('.');
    Unsigned(micros, width);
  }

  // `"key":` after a comma unless it is the first member.
  void Key(absl::string_view key, bool* first) {
    if (!*first) Char(',');
    *first = false;
    Str(key);
    Char(':');
  }

  size_t Finish() const { return full_ ? 0 : len_; }

 private:
  // The length of the UTF-8 sequence at `i`, or 0 when it is invalid.
  static size_t Utf8Length(absl::string_view s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t min;
    if ((c & 0xe0) == 0xc0) {
      n = 2, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 3, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 4, min = 0x10000;
    } else {
      return 0;
    }
    if (i + n > s.size()) return 0;
    uint32_t code = c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return 0;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return 0;
    }
    return n;
  }

  char* out_;
  size_t capacity_;
  size_t len_ = 0;
  bool full_ = false;
};

void WriteValue(Writer& w, const google::protobuf::Value& value, int depth);

void WriteStruct(Writer& w, const google::protobuf::Struct& s, int depth) {
  w.Char('{');
  bool first = true;
  size_t n = 0;
  for (const auto& [key, value] : s.fields()) {
    if (++n > kMaxEntries) break;
    w.Key(key, &first);
    WriteValue(w, value, depth + 1);
  }
  w.Char('}');
}

void WriteValue(Writer& w, const google::protobuf::Value& value, int depth) {
  if (depth > kMaxDepth) {
    w.Raw("null");
    return;
  }
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue:
      w.Number(value.number_value());
      break;
    case google::protobuf::Value::kStringValue:
      w.Str(value.string_value());
      break;
    case google::protobuf::Value::kBoolValue:
      w.Raw(value.bool_value() ? "true" : "false");
      break;
    case google::protobuf::Value::kStructValue:
      WriteStruct(w, value.struct_value(), depth);
      break;
    case google::protobuf::Value::kListValue: {
      w.Char('[');
      size_t n = 0;
      for (const auto& item : value.list_value().values()) {
        if (n >= kMaxEntries) break;
        if (n++ > 0) w.Char(',');
        WriteValue(w, item, depth + 1);
      }
      w.Char(']');
      break;
    }
    default:
      w.Raw("null");
  }
}

// A string member, left out when empty.
void Member(Writer& w, const char* key, const std::string& value, bool* first) {
  if (value.empty()) return;
  w.Key(key, first);
  w.Str(value);
}

void WriteUser(Writer& w, const protocol::User& user) {
  w.Char('{');
  bool first = true;
  Member(w, "id", user.id(), &first);
  Member(w, "username", user.username(), &first);
  Member(w, "email", user.email(), &first);
  Member(w, "ip_address", user.ip_address(), &first);
  Member(w, "name", user.name(), &first);
  if (user.has_geo()) {
    w.Key("geo", &first);
    w.Char('{');
    bool geo_first = true;
    Member(w, "city", user.geo().city(), &geo_first);
    Member(w, "country_code", user.geo().country_code(), &geo_first);
    Member(w, "region", user.geo().region(), &geo_first);
    w.Char('}');
  }
  if (user.has_data()) {
    w.Key("data", &first);
    WriteStruct(w, user.data(), 1);
  }
  w.Char('}');
}

void WriteBreadcrumb(Writer& w, const protocol::Breadcrumb& crumb) {
  w.Char('{');
  bool first = true;
  w.Key("timestamp", &first);
  w.Number(crumb.timestamp());
  Member(w, "type", crumb.type(), &first);
  Member(w, "category", crumb.category(), &first);
  Member(w, "message", crumb.message(), &first);
  if (crumb.has_data()) {
    w.Key("data", &first);
    WriteStruct(w, crumb.data(), 1);
  }
  Member(w, "level", crumb.level(), &first);
  Member(w, "origin", crumb.origin(), &first);
  w.Char('}');
}

// The members of `local`, then those of `global` that `local` lacks (the
// hub's scope wins, as in ApplyScopes).
template <typename V, typename F>
void WriteMerged(Writer& w, const std::map<std::string, V>& local,
                 const std::map<std::string, V>& global, F write_value,
                 bool* first) {
  size_t n = 0;
  for (const auto& [key, value] : local) {
    if (++n > kMaxEntries) break;
    w.Key(key, first);
    write_value(value);
  }
  n = 0;
  for (const auto& [key, value] : global) {
    if (++n > kMaxEntries) break;
    if (local.find(key) != local.end()) continue;
    w.Key(key, first);
    write_value(value);
  }
}

// The newest `max` breadcrumbs of both scopes, merged by time, oldest
// first (SelectBreadcrumbs without its vector).
void WriteBreadcrumbs(Writer& w, const Breadcrumbs* global_or_null,
                      const Breadcrumbs& local, size_t max) {
  const Breadcrumbs& global = global_or_null ? *global_or_null : local;
  const size_t g_size =
      global_or_null && global.size() < kMaxEntries ? global.size() : 0;
  const size_t l_size = local.size() < kMaxEntries ? local.size() : 0;
  const size_t total = g_size + l_size;
  size_t skip = total > max ? total - max : 0;
  size_t g = 0, l = 0, written = 0;
  w.Char('[');
  while (g < g_size || l < l_size) {
    const StoredBreadcrumb* next;
    if (l >= l_size ||
        (g < g_size && global[g]->timestamp() <= local[l]->timestamp())) {
      next = global[g++].get();
    } else {
      next = local[l++].get();
    }
    if (skip > 0) {
      --skip;
      continue;
    }
    if (next == nullptr) continue;
    if (written++ > 0) w.Char(',');
    WriteBreadcrumb(w, next->crumb());
  }
  w.Char(']');
}

// The attachments of both scopes (the global's first), as the crash
// handler reads them: a file by its path, bytes by where they are in this
// process's memory (it reads them while the process is stopped).
void WriteAttachments(Writer& w, const std::vector<Attachment>* global_or_null,
                      const std::vector<Attachment>& local) {
  w.Char('[');
  bool first = true;
  for (const std::vector<Attachment>* list : {global_or_null, &local}) {
    if (list == nullptr) continue;
    for (const Attachment& attachment : *list) {
      if (!first) w.Char(',');
      first = false;
      bool member = true;
      w.Char('{');
      Member(w, "filename", attachment.filename, &member);
      Member(w, "content_type", attachment.content_type, &member);
      if (!attachment.path.empty()) {
        Member(w, "path", attachment.path, &member);
      } else {
        w.Key("address", &member);
        w.Unsigned(reinterpret_cast<uintptr_t>(attachment.bytes.data()));
        w.Key("length", &member);
        w.Unsigned(attachment.bytes.size());
      }
      w.Char('}');
    }
  }
  w.Char(']');
}

// What a crash reads: the two scopes' fields.
struct Fields {
  const ScopeFields& local;
  const ScopeFields& global;
};

}  // namespace

// Reads the hub's layers without the hub's lock (see the header).
class CrashScope::Reader {
 public:
  static Fields Current() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    const ScopeFields& global = ScopeAccess::FieldsUnlocked(GlobalScope());
    const Hub* hub = PeekCurrentHub();
    if (hub == nullptr) return {global, global};
    const Scope* top = hub->pushed_.empty() ? &hub->root_scope_
                                            : hub->pushed_.back().scope.get();
    if (top == nullptr) return {global, global};
    return {ScopeAccess::FieldsUnlocked(*top), global};
  }
};

size_t CrashScope::Write(char* out, size_t capacity, size_t max_breadcrumbs) {
  const Fields f = Reader::Current();
  const bool same = &f.local == &f.global;
  Writer w(out, capacity);
  bool first = true;
  w.Char('{');
  const std::optional<Level>& level =
      f.local.level ? f.local.level : f.global.level;
  if (level) {
    w.Key("level", &first);
    const absl::string_view name = LevelName(*level);
    w.Str(name);
  }
  const std::string& transaction =
      !f.local.transaction.empty() ? f.local.transaction : f.global.transaction;
  Member(w, "transaction", transaction, &first);

  if (!f.local.tags->empty() || !f.global.tags->empty()) {
    w.Key("tags", &first);
    w.Char('{');
    bool tags_first = true;
    WriteMerged(
        w, f.local.tags.get(), f.global.tags.get(),
        [&](const std::string& v) { w.Str(v); }, &tags_first);
    w.Char('}');
  }
  if (!f.local.extra->empty() || !f.global.extra->empty()) {
    w.Key("extra", &first);
    w.Char('{');
    bool extra_first = true;
    WriteMerged(
        w, f.local.extra.get(), f.global.extra.get(),
        [&](const google::protobuf::Value& v) { WriteValue(w, v, 1); },
        &extra_first);
    w.Char('}');
  }

  w.Key("contexts", &first);
  w.Char('{');
  bool contexts_first = true;
  WriteMerged(
      w, f.local.contexts.get(), f.global.contexts.get(),
      [&](const google::protobuf::Struct& v) { WriteStruct(w, v, 1); },
      &contexts_first);
  // contexts.trace: the active span's, else the propagation context's.
  const Span* span = nullptr;
  for (const ScopeFields* s : {&f.local, &f.global}) {
    if (SpanAccess::Record(s->span) != nullptr) {
      span = &s->span;
      break;
    }
  }
  if (f.local.contexts->count("trace") == 0 &&
      f.global.contexts->count("trace") == 0) {
    char span_id[16], parent_id[16];
    absl::string_view trace_id, own_id, parent, op;
    if (span != nullptr) {
      const auto& record = SpanAccess::Record(*span);
      trace_id = record->txn->trace_id;
      own_id = SpanIdHex(record->data.span_id, span_id);
      if (record->data.parent_span_id != 0) {
        parent = SpanIdHex(record->data.parent_span_id, parent_id);
      }
      op = record->data.op;
    } else {
      const PropagationContext* context = &f.local.propagation;
      if (context->trace_id.empty()) context = &f.global.propagation;
      trace_id = context->trace_id;
      own_id = context->span_id;
      parent = context->parent_span_id;
    }
    if (!trace_id.empty()) {
      w.Key("trace", &contexts_first);
      w.Char('{');
      bool trace_first = true;
      const std::pair<const char*, absl::string_view> members[] = {
          {"op", op},
          {"parent_span_id", parent},
          {"span_id", own_id},
          {"trace_id", trace_id}};
      for (const auto& [key, value] : members) {
        if (value.empty()) continue;
        w.Key(key, &trace_first);
        w.Str(value);
      }
      w.Char('}');
    }
  }
  w.Char('}');

  const ScopeFields& user_from = f.local.has_user ? f.local : f.global;
  if (user_from.has_user) {
    w.Key("user", &first);
    WriteUser(w, user_from.user.get());
  }
  const auto& fingerprint = !f.local.fingerprint->empty()
                                ? f.local.fingerprint.get()
                                : f.global.fingerprint.get();
  if (!fingerprint.empty() && fingerprint.size() < kMaxEntries) {
    w.Key("fingerprint", &first);
    w.Char('[');
    for (size_t i = 0; i < fingerprint.size(); ++i) {
      if (i > 0) w.Char(',');
      w.Str(fingerprint[i]);
    }
    w.Char(']');
  }
  const Breadcrumbs& global_crumbs = f.global.breadcrumbs.get();
  if (!f.local.breadcrumbs->empty() || !global_crumbs.empty()) {
    w.Key("breadcrumbs", &first);
    w.Raw("{\"values\":");
    WriteBreadcrumbs(w, same ? nullptr : &global_crumbs,
                     f.local.breadcrumbs.get(), max_breadcrumbs);
    w.Char('}');
  }
  const std::vector<Attachment>& global_attachments =
      f.global.attachments.get();
  if (!f.local.attachments->empty() || (!same && !global_attachments.empty())) {
    // Not an event field: the crash handler takes it out.
    w.Key("attachments", &first);
    WriteAttachments(w, same ? nullptr : &global_attachments,
                     f.local.attachments.get());
  }
  w.Char('}');
  return w.Finish();
}

size_t CrashScope::WriteDsc(char* out, size_t capacity) {
  const Fields f = Reader::Current();
  const Dsc* dsc = nullptr;
  bool from_span = false;
  for (const ScopeFields* s : {&f.local, &f.global}) {
    const auto& record = SpanAccess::Record(s->span);
    if (record != nullptr) {
      dsc = record->txn->dsc.get();
      from_span = true;
      break;
    }
  }
  if (!from_span) {
    dsc = !f.local.propagation.trace_id.empty()
              ? f.local.propagation.dsc.get()
              : f.global.propagation.dsc.get();
  }
  if (dsc == nullptr || dsc->fields.size() >= kMaxEntries) return 0;
  Writer w(out, capacity);
  w.Char('{');
  bool first = true;
  for (const auto& [key, value] : dsc->fields) {
    w.Key(key, &first);
    w.Str(value);
  }
  w.Char('}');
  return w.Finish();
}

}  // namespace sentry::internal
