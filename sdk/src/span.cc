#include "sentry/span.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "sdk/src/propagation.h"
#include "sdk/src/random.h"
#include "sdk/src/span_record.h"
#include "sdk/src/timestamps.h"

namespace sentry {
namespace internal {
namespace {

double NowSeconds() { return absl::ToUnixMicros(absl::Now()) / 1e6; }

// Records an open child as it is, ending with its transaction.
protocol::Span RecordOpen(const SpanRecord& record, double end) {
  protocol::Span span = record.data;
  if (!record.status_set) span.set_status("deadline_exceeded");
  span.set_timestamp(end);
  return span;
}

void FillIds(const SpanRecord& record, protocol::Span& span) {
  span.set_trace_id(record.trace_id);
  span.set_span_id(record.span_id);
  if (!record.parent_span_id.empty()) {
    span.set_parent_span_id(record.parent_span_id);
  }
}

google::protobuf::Struct TraceContext(const SpanRecord& record) {
  google::protobuf::Struct trace;
  auto& fields = *trace.mutable_fields();
  fields["trace_id"].set_string_value(record.trace_id);
  fields["span_id"].set_string_value(record.span_id);
  if (!record.parent_span_id.empty()) {
    fields["parent_span_id"].set_string_value(record.parent_span_id);
  }
  if (!record.data.op().empty()) {
    fields["op"].set_string_value(record.data.op());
  }
  fields["status"].set_string_value(
      record.data.status().empty() ? "ok" : record.data.status());
  if (!record.data.origin().empty()) {
    fields["origin"].set_string_value(record.data.origin());
  }
  if (record.data.has_data()) {
    *fields["data"].mutable_struct_value() = record.data.data();
  }
  return trace;
}

// Finishes `record` (not the transaction's own) with txn->mu held; false
// when its transaction was already sent (the caller counts it).
bool FinishChildLocked(TransactionState& txn, SpanRecord& record, double end)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(txn.mu) {
  record.finished = true;
  auto it = std::find(txn.open.begin(), txn.open.end(), &record);
  if (it == txn.open.end()) {
    // Not open: recorded when its transaction finished, or started after.
    return !txn.finished;
  }
  *it = txn.open.back();
  txn.open.pop_back();
  if (txn.finished) return false;
  record.data.set_timestamp(end);
  FillIds(record, record.data);
  txn.spans.push_back(std::move(record.data));
  return true;
}

void FinishTransaction(SpanRecord& record) {
  TransactionState& txn = *record.txn;
  const double end = NowSeconds();
  protocol::Event event;
  {
    absl::MutexLock lock(&txn.mu);
    if (record.finished) return;
    record.finished = true;
    txn.finished = true;
    if (!txn.sampled) {
      // Counted once, below; nothing else is kept.
    } else {
      for (SpanRecord* open : txn.open) {
        protocol::Span span = RecordOpen(*open, end);
        FillIds(*open, span);
        txn.spans.push_back(std::move(span));
        open->finished = true;  // Recorded: a later Finish does nothing.
      }
      txn.open.clear();
      event.set_type("transaction");
      event.set_transaction(txn.name);
      event.mutable_transaction_info()->set_source(txn.source);
      event.set_start_timestamp(record.data.start_timestamp());
      event.set_timestamp(end);
      (*event.mutable_contexts())["trace"] = TraceContext(record);
      for (const auto& [key, value] : record.data.tags()) {
        (*event.mutable_tags())[key] = value;
      }
      for (auto& span : txn.spans) *event.add_spans() = std::move(span);
      txn.spans.clear();
    }
  }
  if (!txn.sampled) {
    if (txn.reports) {
      txn.reports->Record(DiscardReason::kSampleRate,
                          DataCategory::kTransaction);
    }
    return;
  }
  if (txn.sink) {
    txn.sink(std::move(event), txn.dsc);
  } else if (txn.reports) {  // No client to send it with.
    txn.reports->Record(DiscardReason::kInternalSdkError,
                        DataCategory::kTransaction);
  }
}

void Finish(SpanRecord& record) {
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

}  // namespace

SpanRecord::SpanRecord(std::shared_ptr<TransactionState> transaction,
                       std::string trace, std::string span, std::string parent,
                       bool transaction_span)
    : txn(std::move(transaction)),
      trace_id(std::move(trace)),
      span_id(std::move(span)),
      parent_span_id(std::move(parent)),
      is_transaction(transaction_span) {}

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
      record_->txn, record_->trace_id, internal::NewSpanId(), record_->span_id,
      /*is_transaction=*/false);
  child->data.set_op(std::string(op));
  if (!description.empty())
    child->data.set_description(std::string(description));
  child->data.set_start_timestamp(internal::NowSeconds());
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
  record_->data.set_status(std::string(SpanStatusName(status)));
  record_->status_set = true;
}

void Span::SetTag(absl::string_view key, absl::string_view value) const {
  if (record_ == nullptr || borrowed_ || !record_->txn->sampled) return;
  absl::MutexLock lock(&record_->txn->mu);
  (*record_->data.mutable_tags())[std::string(key)] = std::string(value);
}

void Span::SetData(absl::string_view key, google::protobuf::Value value) const {
  if (record_ == nullptr || borrowed_ || !record_->txn->sampled) return;
  absl::MutexLock lock(&record_->txn->mu);
  (*record_->data.mutable_data()->mutable_fields())[std::string(key)] =
      std::move(value);
}

void Span::SetData(absl::string_view key, absl::string_view value) const {
  google::protobuf::Value v;
  v.set_string_value(std::string(value));
  SetData(key, std::move(v));
}

void Span::SetData(absl::string_view key, const char* value) const {
  SetData(key, absl::string_view(value != nullptr ? value : ""));
}

void Span::SetData(absl::string_view key, int64_t value) const {
  google::protobuf::Value v;
  v.set_number_value(static_cast<double>(value));
  SetData(key, std::move(v));
}

void Span::SetData(absl::string_view key, int value) const {
  SetData(key, static_cast<int64_t>(value));
}

void Span::SetData(absl::string_view key, double value) const {
  google::protobuf::Value v;
  v.set_number_value(value);
  SetData(key, std::move(v));
}

void Span::SetData(absl::string_view key, bool value) const {
  google::protobuf::Value v;
  v.set_bool_value(value);
  SetData(key, std::move(v));
}

void Span::Finish() const {
  if (record_ == nullptr || borrowed_) return;
  internal::Finish(*record_);
}

std::string Span::trace_id() const {
  return record_ != nullptr ? record_->trace_id : "";
}

std::string Span::span_id() const {
  return record_ != nullptr ? record_->span_id : "";
}

bool Span::sampled() const {
  return record_ != nullptr && record_->txn->sampled;
}

bool Span::is_transaction() const {
  return record_ != nullptr && !borrowed_ && record_->is_transaction;
}

std::string Span::ToSentryTrace() const {
  if (record_ == nullptr) return "";
  return internal::FormatSentryTrace(record_->trace_id, record_->span_id,
                                     record_->txn->sampled);
}

std::string Span::ToBaggage() const {
  if (record_ == nullptr || record_->txn->dsc == nullptr) return "";
  return record_->txn->dsc->ToBaggage();
}

}  // namespace sentry
