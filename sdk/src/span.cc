#include "sentry/span.h"

#include <algorithm>
#include <utility>

#include "absl/base/attributes.h"
#include "sdk/src/propagation.h"
#include "sdk/src/random.h"
#include "sdk/src/span_record.h"
#include "sdk/src/timestamps.h"

namespace sentry {
namespace internal {
namespace {

google::protobuf::Struct TraceContext(const std::string& trace_id,
                                      const SpanData& data) {
  google::protobuf::Struct trace;
  auto& fields = *trace.mutable_fields();
  fields["trace_id"].set_string_value(trace_id);
  fields["span_id"].set_string_value(SpanIdHex(data.span_id));
  if (data.parent_span_id != 0) {
    fields["parent_span_id"].set_string_value(SpanIdHex(data.parent_span_id));
  }
  if (!data.op.empty()) fields["op"].set_string_value(data.op);
  fields["status"].set_string_value(std::string(
      SpanStatusName(data.status < 0 ? SpanStatus::kOk
                                     : static_cast<SpanStatus>(data.status))));
  if (!data.attributes.data.empty()) {
    *fields["data"].mutable_struct_value() = data.attributes.DataStruct();
  }
  return trace;
}

// Finishes a child with txn.mu held; false when its transaction was already
// sent (the caller counts it).
bool FinishChildLocked(TransactionState& txn, SpanRecord& record, double end)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(txn.mu) {
  record.finished = true;
  auto it = std::find(txn.open.begin(), txn.open.end(), &record);
  if (it == txn.open.end()) {
    // Not open: started after its transaction was sent.
    return !txn.finished;
  }
  *it = txn.open.back();
  txn.open.pop_back();
  if (txn.finished) return false;
  record.data.end = end;
  txn.spans.push_back(std::move(record.data));
  // Events captured inside the span may still be on their way to the
  // worker, which reads its op (ApplyTrace).
  record.data.op = txn.spans.back().op;
  return true;
}

ABSL_ATTRIBUTE_HOT void FinishTransaction(SpanRecord& record) {
  TransactionState& txn = *record.txn;
  const double end = NowSeconds();
  {
    absl::MutexLock lock(&txn.mu);
    if (record.finished) return;
    record.finished = true;
    txn.finished = true;
    if (txn.sampled) {
      // Children still open are recorded as they are, ending now.
      for (SpanRecord* open : txn.open) {
        SpanData data = std::move(open->data);
        if (data.status < 0) {
          data.status = static_cast<int>(SpanStatus::kDeadlineExceeded);
        }
        data.end = end;
        txn.spans.push_back(std::move(data));
        open->finished = true;  // Recorded: a later Finish does nothing.
      }
      txn.open.clear();
      record.data.end = end;
      txn.root = std::move(record.data);
      record.data.op = txn.root.op;  // As for a child (above).
    }
  }
  if (!txn.sampled) {
    if (txn.reports) {
      txn.reports->Record(DiscardReason::kSampleRate,
                          DataCategory::kTransaction);
      // Its children were never recorded: it is the one span lost.
      txn.reports->Record(DiscardReason::kSampleRate, DataCategory::kSpan);
    }
    return;
  }
  // Queued as it is (a sampled transaction has a sink unless its client
  // records no traces): the worker takes its spans out.
  if (txn.sink) txn.sink(record.txn);
}

ABSL_ATTRIBUTE_HOT void Finish(SpanRecord& record) {
  if (record.is_transaction) return FinishTransaction(record);
  bool counted;
  {
    TransactionState& txn = *record.txn;
    absl::MutexLock lock(&txn.mu);
    if (record.finished) return;
    counted = FinishChildLocked(txn, record, NowSeconds());
  }
  if (!counted && record.txn->reports) {
    record.txn->reports->Record(DiscardReason::kBufferOverflow,
                                DataCategory::kSpan);
  }
}

// The position of `key` in `entries` (sorted by key), and whether it is
// there.
template <typename V>
std::pair<typename std::vector<std::pair<std::string, V>>::iterator, bool> Find(
    std::vector<std::pair<std::string, V>>& entries, absl::string_view key) {
  auto it = std::lower_bound(
      entries.begin(), entries.end(), key,
      [](const auto& entry, absl::string_view k) { return entry.first < k; });
  return {it, it != entries.end() && it->first == key};
}

}  // namespace

void SpanAttributes::SetTag(absl::string_view key, absl::string_view value) {
  auto [it, found] = Find(tags, key);
  if (found) {
    it->second.assign(value.data(), value.size());
  } else {
    tags.emplace(it, std::string(key), std::string(value));
  }
}

void SpanAttributes::SetData(absl::string_view key, SpanValue value) {
  auto [it, found] = Find(data, key);
  if (found) {
    it->second = std::move(value);
  } else {
    data.emplace(it, std::string(key), std::move(value));
  }
}

google::protobuf::Value ToProtoValue(const SpanValue& value) {
  google::protobuf::Value v;
  if (const auto* s = std::get_if<std::string>(&value)) {
    v.set_string_value(*s);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    v.set_number_value(static_cast<double>(*i));
  } else if (const auto* d = std::get_if<double>(&value)) {
    v.set_number_value(*d);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    v.set_bool_value(*b);
  } else {
    v = std::get<google::protobuf::Value>(value);
  }
  return v;
}

google::protobuf::Struct SpanAttributes::DataStruct() const {
  google::protobuf::Struct s;
  auto& fields = *s.mutable_fields();
  for (const auto& [key, value] : data) fields[key] = ToProtoValue(value);
  return s;
}

absl::string_view SpanIdHex(uint64_t id, char (&buffer)[16]) {
  if (id == 0) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, id >>= 4) buffer[i] = kHex[id & 0xf];
  return absl::string_view(buffer, 16);
}

std::string SpanIdHex(uint64_t id) {
  char buffer[16];
  return std::string(SpanIdHex(id, buffer));
}

protocol::Span SpanData::ToProto(const std::string& trace_id) const {
  protocol::Span span;
  for (const auto& [key, value] : attributes.tags) {
    (*span.mutable_tags())[key] = value;
  }
  if (!attributes.data.empty()) *span.mutable_data() = attributes.DataStruct();
  span.set_trace_id(trace_id);
  span.set_span_id(SpanIdHex(span_id));
  if (parent_span_id != 0) span.set_parent_span_id(SpanIdHex(parent_span_id));
  span.set_op(op);
  if (!description.empty()) span.set_description(description);
  span.set_start_timestamp(start);
  span.set_timestamp(end);
  if (status >= 0) {
    span.set_status(
        std::string(SpanStatusName(static_cast<SpanStatus>(status))));
  }
  return span;
}

protocol::Event RecordedSpans::TransactionEvent() const {
  protocol::Event event;
  event.set_type("transaction");
  event.set_transaction(transaction->name);
  event.mutable_transaction_info()->set_source(transaction->source);
  event.set_start_timestamp(root.start);
  event.set_timestamp(root.end);
  (*event.mutable_contexts())["trace"] =
      TraceContext(transaction->trace_id, root);
  for (const auto& [key, value] : root.attributes.tags) {
    (*event.mutable_tags())[key] = value;
  }
  return event;
}

RecordedSpans TransactionState::TakeRecorded() {
  RecordedSpans recorded;
  recorded.transaction = this;
  absl::MutexLock lock(&mu);
  recorded.spans.swap(spans);
  recorded.root = std::move(root);
  return recorded;
}

void RecordedSpans::MoveInto(protocol::Event& event) {
  event.mutable_spans()->Reserve(event.spans_size() +
                                 static_cast<int>(spans.size()));
  for (const SpanData& span : spans)
    *event.add_spans() = span.ToProto(transaction->trace_id);
  spans.clear();
}

SpanRecord::SpanRecord(std::shared_ptr<TransactionState> transaction,
                       uint64_t span_id, uint64_t parent_span_id,
                       bool transaction_span)
    : txn(std::move(transaction)), is_transaction(transaction_span) {
  data.span_id = span_id;
  data.parent_span_id = parent_span_id;
}

SpanRecord::~SpanRecord() {
  if (txn == nullptr) return;
  bool unfinished;
  {
    absl::MutexLock lock(&txn->mu);
    unfinished = !finished;
  }
  if (unfinished) Finish(*this);
}

}  // namespace internal

using internal::SpanRecord;

absl::string_view SpanStatusName(SpanStatus status) {
  switch (status) {
    case SpanStatus::kOk:
      return "ok";
    case SpanStatus::kCancelled:
      return "cancelled";
    case SpanStatus::kUnknown:
      return "unknown";
    case SpanStatus::kInvalidArgument:
      return "invalid_argument";
    case SpanStatus::kDeadlineExceeded:
      return "deadline_exceeded";
    case SpanStatus::kNotFound:
      return "not_found";
    case SpanStatus::kAlreadyExists:
      return "already_exists";
    case SpanStatus::kPermissionDenied:
      return "permission_denied";
    case SpanStatus::kResourceExhausted:
      return "resource_exhausted";
    case SpanStatus::kFailedPrecondition:
      return "failed_precondition";
    case SpanStatus::kAborted:
      return "aborted";
    case SpanStatus::kOutOfRange:
      return "out_of_range";
    case SpanStatus::kUnimplemented:
      return "unimplemented";
    case SpanStatus::kInternalError:
      return "internal_error";
    case SpanStatus::kUnavailable:
      return "unavailable";
    case SpanStatus::kDataLoss:
      return "data_loss";
    case SpanStatus::kUnauthenticated:
      return "unauthenticated";
  }
  return "unknown";
}

SpanStatus SpanStatusFromHttpCode(int code) {
  if (code < 400) return SpanStatus::kOk;
  switch (code) {
    case 400:
      return SpanStatus::kInvalidArgument;
    case 401:
      return SpanStatus::kUnauthenticated;
    case 403:
      return SpanStatus::kPermissionDenied;
    case 404:
      return SpanStatus::kNotFound;
    case 409:
      return SpanStatus::kAlreadyExists;
    case 413:
      return SpanStatus::kFailedPrecondition;
    case 429:
      return SpanStatus::kResourceExhausted;
    case 499:
      return SpanStatus::kCancelled;
    case 501:
      return SpanStatus::kUnimplemented;
    case 503:
      return SpanStatus::kUnavailable;
    case 504:
      return SpanStatus::kDeadlineExceeded;
  }
  return code < 500 ? SpanStatus::kInvalidArgument : SpanStatus::kInternalError;
}

Span Span::StartChild(absl::string_view op,
                      absl::string_view description) const {
  if (record_ == nullptr) return Span();
  internal::TransactionState& txn = *record_->txn;
  if (borrowed_ || !txn.sampled) return Span(record_, /*borrowed=*/true);
  auto child = std::make_shared<SpanRecord>(
      record_->txn, internal::NewSpanIdBits(), record_->data.span_id,
      /*is_transaction=*/false);
  child->data.op.assign(op.data(), op.size());
  child->data.description.assign(description.data(), description.size());
  child->data.start = internal::NowSeconds();
  {
    absl::MutexLock lock(&txn.mu);
    if (txn.children < internal::kMaxSpansPerTransaction) {
      ++txn.children;
      txn.open.push_back(child.get());
      return Span(std::move(child));
    }
    child->finished = true;  // Not recorded: its destructor does nothing.
  }
  if (txn.reports) {
    txn.reports->Record(DiscardReason::kBufferOverflow, DataCategory::kSpan);
  }
  return Span(record_, /*borrowed=*/true);
}

void Span::SetStatus(SpanStatus status) const {
  if (record_ == nullptr || borrowed_ || !record_->txn->sampled) return;
  absl::MutexLock lock(&record_->txn->mu);
  record_->data.status = static_cast<int>(status);
}

void Span::SetTag(absl::string_view key, absl::string_view value) const {
  if (record_ == nullptr || borrowed_ || !record_->txn->sampled) return;
  absl::MutexLock lock(&record_->txn->mu);
  record_->data.attributes.SetTag(key, value);
}

namespace {

// Sets `key` to `make()` on a recording span (nothing is built for another).
template <typename Make>
void SetSpanData(const std::shared_ptr<SpanRecord>& record, bool borrowed,
                 absl::string_view key, Make make) {
  if (record == nullptr || borrowed || !record->txn->sampled) return;
  internal::SpanValue value = make();
  absl::MutexLock lock(&record->txn->mu);
  record->data.attributes.SetData(key, std::move(value));
}

}  // namespace

void Span::SetData(absl::string_view key, google::protobuf::Value value) const {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return SetData(key, value.string_value());
    case google::protobuf::Value::kNumberValue:
      return SetData(key, value.number_value());
    case google::protobuf::Value::kBoolValue:
      return SetData(key, value.bool_value());
    default:
      return SetSpanData(record_, borrowed_, key, [&]() -> internal::SpanValue {
        return std::move(value);
      });
  }
}

void Span::SetData(absl::string_view key, absl::string_view value) const {
  SetSpanData(record_, borrowed_, key,
              [&]() -> internal::SpanValue { return std::string(value); });
}

void Span::SetData(absl::string_view key, const char* value) const {
  SetData(key, absl::string_view(value != nullptr ? value : ""));
}

void Span::SetData(absl::string_view key, int64_t value) const {
  SetSpanData(record_, borrowed_, key,
              [&]() -> internal::SpanValue { return value; });
}

void Span::SetData(absl::string_view key, int value) const {
  SetData(key, static_cast<int64_t>(value));
}

void Span::SetData(absl::string_view key, double value) const {
  SetSpanData(record_, borrowed_, key,
              [&]() -> internal::SpanValue { return value; });
}

void Span::SetData(absl::string_view key, bool value) const {
  SetSpanData(record_, borrowed_, key,
              [&]() -> internal::SpanValue { return value; });
}

ABSL_ATTRIBUTE_HOT void Span::Finish() const {
  if (record_ == nullptr || borrowed_) return;
  internal::Finish(*record_);
}

std::string Span::trace_id() const {
  return record_ != nullptr ? record_->txn->trace_id : "";
}

std::string Span::span_id() const {
  return record_ != nullptr ? internal::SpanIdHex(record_->data.span_id) : "";
}

bool Span::sampled() const {
  return record_ != nullptr && record_->txn->sampled;
}

bool Span::is_transaction() const {
  return record_ != nullptr && !borrowed_ && record_->is_transaction;
}

std::string Span::ToSentryTrace() const {
  if (record_ == nullptr) return "";
  return internal::FormatSentryTrace(record_->txn->trace_id,
                                     internal::SpanIdHex(record_->data.span_id),
                                     record_->txn->sampled);
}

std::string Span::ToBaggage() const {
  if (record_ == nullptr || record_->txn->dsc == nullptr) return "";
  return record_->txn->dsc->ToBaggage();
}

}  // namespace sentry
