// sentry::Span: a unit of work in a trace (a transaction, or a child of
// one), as a cheap copyable handle to shared state. Spans are thread-safe:
// children may be started, changed and finished on any thread, at once.
//
//   sentry::Span transaction = sentry::StartTransaction({"checkout", "task"});
//   sentry::Span query = transaction.StartChild("db.query", "SELECT ...");
//   query.SetData("db.rows", 3);
//   query.Finish();
//   transaction.SetStatus(sentry::SpanStatus::kOk);
//   transaction.Finish();  // the transaction, with its spans, is sent
//
// A default-constructed span does nothing. An unsampled span records
// nothing either (its children cost a copy of the handle) but carries its
// trace's ids, so that propagation works the same.
#ifndef SENTRY_SPAN_H_
#define SENTRY_SPAN_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace sentry {

namespace internal {
struct SpanRecord;
class SpanAccess;
}  // namespace internal

// Span statuses (TELEMETRY.md section 4).
enum class SpanStatus {
  kOk,
  kCancelled,
  kUnknown,
  kInvalidArgument,
  kDeadlineExceeded,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kInternalError,
  kUnavailable,
  kDataLoss,
  kUnauthenticated,
};

// "ok", "deadline_exceeded", ...
absl::string_view SpanStatusName(SpanStatus status);
// The status of an HTTP response code (200 -> ok, 404 -> not_found, ...).
SpanStatus SpanStatusFromHttpCode(int code);

class Span {
 public:
  Span() = default;

  // A child of this span, started now. Children of an unsampled or
  // default-constructed span record nothing.
  Span StartChild(absl::string_view op,
                  absl::string_view description = "") const;

  void SetStatus(SpanStatus status) const;
  void SetTag(absl::string_view key, absl::string_view value) const;
  void SetData(absl::string_view key, google::protobuf::Value value) const;
  void SetData(absl::string_view key, absl::string_view value) const;
  void SetData(absl::string_view key, const char* value) const;
  void SetData(absl::string_view key, int64_t value) const;
  void SetData(absl::string_view key, int value) const;
  void SetData(absl::string_view key, double value) const;
  void SetData(absl::string_view key, bool value) const;

  // Ends the span now; later calls do nothing. Finishing a transaction sends
  // it with its finished children; children still open are included as
  // they are (status deadline_exceeded, ending with the transaction), and a
  // child finished after its transaction was sent is counted as dropped.
  void Finish() const;

  // "" for a default-constructed span.
  std::string trace_id() const;
  std::string span_id() const;
  bool sampled() const;
  // Whether this is a transaction (the root span of its service).
  bool is_transaction() const;

  // The propagation headers for a request made within this span.
  std::string ToSentryTrace() const;
  std::string ToBaggage() const;

 private:
  friend class internal::SpanAccess;
  explicit Span(std::shared_ptr<internal::SpanRecord> record,
                bool borrowed = false)
      : record_(std::move(record)), borrowed_(borrowed) {}

  std::shared_ptr<internal::SpanRecord> record_;
  // A child of an unsampled span (or beyond the span limit): it shares its
  // parent's record, for the ids, and changes nothing.
  bool borrowed_ = false;
};

}  // namespace sentry

#endif  // SENTRY_SPAN_H_
