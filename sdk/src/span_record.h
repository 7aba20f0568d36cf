// The shared state behind sentry::Span handles: one TransactionState per
// transaction (its lock, trace id, finished children, open children,
// limits), one SpanRecord per span. Every change to a span of a transaction
// happens under that transaction's lock, so that finishing the transaction
// sees each child whole, whichever thread is changing it. A span is kept
// light until its transaction is sent (ids as integers, no protobuf): a
// child costs one allocation when its op and description are short.
//
//   auto state = std::make_shared<internal::TransactionState>();
//   auto record = std::make_shared<internal::SpanRecord>(state, span_id,
//                                                        parent_id, true);
//   Span transaction = internal::SpanAccess::Make(record);
#ifndef SENTRY_SDK_SRC_SPAN_RECORD_H_
#define SENTRY_SDK_SRC_SPAN_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/struct.pb.h"
#include "sdk/src/propagation.h"
#include "sentry/client_reports.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/span.h"

namespace sentry::internal {

// Children recorded per transaction; more are counted as dropped.
inline constexpr size_t kMaxSpansPerTransaction = 1000;

// 16 lowercase hex digits; "" for 0 (no span).
std::string SpanIdHex(uint64_t id);
// The same written into `buffer`, without an allocation.
absl::string_view SpanIdHex(uint64_t id, char (&buffer)[16]);

// A value of Span::SetData: scalars as they are, anything else (lists,
// objects) as protobuf.
using SpanValue =
    std::variant<std::string, int64_t, double, bool, google::protobuf::Value>;

// A span's tags and data, each sorted by key; setting a key again replaces
// its value. Plain vectors: a span usually has a few, and they are written
// as JSON without a protobuf map to build and free.
struct SpanAttributes {
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::pair<std::string, SpanValue>> data;

  void SetTag(absl::string_view key, absl::string_view value);
  void SetData(absl::string_view key, SpanValue value);
  // `data` as a protobuf Struct (user code and the trace context see that).
  google::protobuf::Struct DataStruct() const;
};

// `value` as protobuf.
google::protobuf::Value ToProtoValue(const SpanValue& value);

// What a span records.
struct SpanData {
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;  // 0: none.
  std::string op;
  std::string description;
  double start = 0;
  double end = 0;
  int status = -1;  // A SpanStatus, or -1 when not set.
  SpanAttributes attributes;

  // The span as sent, in the trace `trace_id`.
  protocol::Span ToProto(const std::string& trace_id) const;
};

struct TransactionState;

// A finished transaction as recorded: its children and its own span, taken
// out of its TransactionState on the worker thread. Its event is built from
// them there, and the children are written as JSON (or become protocol::Spans,
// when user code is to see them); no protobuf is touched on the thread that
// finishes the transaction.
struct RecordedSpans {
  // Its trace id, name, source and DSC (read-only since its start); the
  // state outlives this.
  const TransactionState* transaction = nullptr;
  std::vector<SpanData> spans;
  // The transaction's own span.
  SpanData root;

  // Moves the children into `event` as protocol::Spans.
  void MoveInto(protocol::Event& event);
  // The transaction's event without its children: type, name, source,
  // times, contexts.trace and the root span's tags.
  protocol::Event TransactionEvent() const;
};

struct SpanRecord;

struct TransactionState {
  // Set when the transaction starts, then read-only.
  std::string trace_id;
  std::string name;
  std::string source;  // custom, url, route, view, component, task.
  bool sampled = false;
  // The envelope's "trace" header, and the baggage this trace propagates.
  std::shared_ptr<const Dsc> dsc;
  // Takes the finished transaction, this state itself: the client's queue
  // keeps a reference, and the worker takes the recorded spans out
  // (TakeRecorded). The finishing thread allocates nothing, and copies
  // only its op (events captured in it still read the op from its record).
  std::function<void(std::shared_ptr<TransactionState> finished)> sink;
  // Where drops are counted (may be null).
  std::shared_ptr<ClientReports> reports;

  absl::Mutex mu;
  bool finished ABSL_GUARDED_BY(mu) = false;
  size_t children ABSL_GUARDED_BY(mu) = 0;          // Recorded or open.
  std::vector<SpanData> spans ABSL_GUARDED_BY(mu);  // Finished children.
  // The transaction's own span, moved here from its record when it
  // finished.
  SpanData root ABSL_GUARDED_BY(mu);
  std::vector<SpanRecord*> open ABSL_GUARDED_BY(mu);

  // The finished transaction as recorded, its children and its own span
  // moved out (on the worker, which builds its event from them, or where
  // it is dropped).
  RecordedSpans TakeRecorded() ABSL_LOCKS_EXCLUDED(mu);
};

struct SpanRecord {
  SpanRecord(std::shared_ptr<TransactionState> transaction, uint64_t span_id,
             uint64_t parent_span_id, bool is_transaction);
  // A span whose last handle goes away unfinished is finished then.
  ~SpanRecord();

  const std::shared_ptr<TransactionState> txn;
  const bool is_transaction;

  // Guarded by txn->mu (not annotated: the analysis cannot name it), except
  // the ids, which never change.
  SpanData data;
  bool finished = false;
};

class SpanAccess {
 public:
  static Span Make(std::shared_ptr<SpanRecord> record, bool borrowed = false) {
    return Span(std::move(record), borrowed);
  }
  static const std::shared_ptr<SpanRecord>& Record(const Span& span) {
    return span.record_;
  }
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_SPAN_RECORD_H_
