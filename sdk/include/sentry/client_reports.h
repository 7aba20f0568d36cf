// sentry::ClientReports: counts what the SDK dropped, by reason and data
// category, for client reports (PROTOCOL.md section 5.4).
//
//   reports->Record(sentry::DiscardReason::kQueueOverflow,
//                   sentry::DataCategory::kError);
//   if (auto report = reports->Take()) { /* send it, counts are now 0 */ }
//
// Thread-safe and lock-free: every counter is an atomic.
#ifndef SENTRY_CLIENT_REPORTS_H_
#define SENTRY_CLIENT_REPORTS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "sentry/envelope.h"
#include "sentry/protocol/client_report.pb.h"

namespace sentry {

enum class DiscardReason {
  kQueueOverflow,
  kCacheOverflow,
  kRatelimitBackoff,
  kNetworkError,
  kSampleRate,
  kBeforeSend,
  kEventProcessor,
  kSendError,
  kInternalSdkError,
  // Spans beyond a transaction's limit, or finished after it was sent.
  kBufferOverflow,
  kCount,  // Not a reason: the number of reasons.
};

enum class DataCategory {
  kDefault,
  kError,
  kTransaction,
  kSession,
  kAttachment,
  kSpan,
  kLogItem,      // A structured log.
  kLogByte,      // Its bytes.
  kTraceMetric,  // A metric.
  kMonitor,      // A cron check-in.
  kFeedback,     // User feedback.
  kInternal,
  kCount,  // Not a category: the number of categories.
};

absl::string_view DiscardReasonName(DiscardReason reason);
absl::string_view DataCategoryName(DataCategory category);
// The category of an envelope item type ("event" -> error, ...).
DataCategory CategoryOfItemType(absl::string_view item_type);

class ClientReports {
 public:
  void Record(DiscardReason reason, DataCategory category,
              uint64_t quantity = 1);
  // One drop of an item of type `item_type` ("event", ...) that holds
  // `item_count` records ("log" and "trace_metric" items hold many) in
  // `bytes` bytes; a transaction also counts `span_count` spans (its
  // children and itself; at least itself). Client reports are not
  // counted: a lost report is not itself reported.
  void RecordItem(DiscardReason reason, absl::string_view item_type,
                  uint64_t item_count = 1, uint64_t bytes = 0,
                  uint64_t span_count = 0);
  // The same for `item` (its count, payload bytes and spans).
  void RecordItem(DiscardReason reason, const EnvelopeItem& item);
  // RecordItem for every item of `envelope`.
  void RecordEnvelope(DiscardReason reason, const Envelope& envelope);

  // Reads and resets all counts at once; nullopt when nothing was dropped.
  std::optional<protocol::ClientReport> Take();
  // Puts the counts of a report that was taken but could not be sent (its
  // JSON) back, to go out with a later envelope. They were counted in
  // Count() already. False when `json` is not a client report.
  bool Restore(absl::string_view json);

  // How many of `category` were dropped for `reason` so far, reported or
  // not (never reset): what a test, or a program's own statistics, checks.
  uint64_t Count(DiscardReason reason, DataCategory category) const;

 private:
  static constexpr size_t kReasons = static_cast<size_t>(DiscardReason::kCount);
  static constexpr size_t kCategories =
      static_cast<size_t>(DataCategory::kCount);
  std::array<std::atomic<uint64_t>, kReasons * kCategories> counts_{};
  // Cumulative counts (never reset), for Count().
  std::array<std::atomic<uint64_t>, kReasons * kCategories> totals_{};
};

}  // namespace sentry

#endif  // SENTRY_CLIENT_REPORTS_H_
