#include "sentry/client_reports.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"

namespace sentry {

absl::string_view DiscardReasonName(DiscardReason reason) {
  switch (reason) {
    case DiscardReason::kQueueOverflow:
      return "queue_overflow";
    case DiscardReason::kCacheOverflow:
      return "cache_overflow";
    case DiscardReason::kRatelimitBackoff:
      return "ratelimit_backoff";
    case DiscardReason::kNetworkError:
      return "network_error";
    case DiscardReason::kSampleRate:
      return "sample_rate";
    case DiscardReason::kBeforeSend:
      return "before_send";
    case DiscardReason::kEventProcessor:
      return "event_processor";
    case DiscardReason::kSendError:
      return "send_error";
    case DiscardReason::kBufferOverflow:
      return "buffer_overflow";
    case DiscardReason::kInternalSdkError:
    case DiscardReason::kCount:
      break;
  }
  return "internal_sdk_error";
}

absl::string_view DataCategoryName(DataCategory category) {
  switch (category) {
    case DataCategory::kDefault:
      return "default";
    case DataCategory::kError:
      return "error";
    case DataCategory::kTransaction:
      return "transaction";
    case DataCategory::kSession:
      return "session";
    case DataCategory::kAttachment:
      return "attachment";
    case DataCategory::kSpan:
      return "span";
    case DataCategory::kLogItem:
      return "log_item";
    case DataCategory::kLogByte:
      return "log_byte";
    case DataCategory::kTraceMetric:
      return "trace_metric";
    case DataCategory::kMonitor:
      return "monitor";
    case DataCategory::kFeedback:
      return "feedback";
    case DataCategory::kInternal:
    case DataCategory::kCount:
      break;
  }
  return "internal";
}

DataCategory CategoryOfItemType(absl::string_view item_type) {
  if (item_type == "event") return DataCategory::kError;
  if (item_type == "transaction") return DataCategory::kTransaction;
  if (item_type == "attachment") return DataCategory::kAttachment;
  if (item_type == "session" || item_type == "sessions") {
    return DataCategory::kSession;
  }
  if (item_type == "log") return DataCategory::kLogItem;
  if (item_type == "trace_metric") return DataCategory::kTraceMetric;
  if (item_type == "check_in") return DataCategory::kMonitor;
  if (item_type == "feedback") return DataCategory::kFeedback;
  if (item_type == "client_report") return DataCategory::kInternal;
  return DataCategory::kDefault;
}

void ClientReports::RecordItem(DiscardReason reason,
                               absl::string_view item_type, uint64_t item_count,
                               uint64_t bytes, uint64_t span_count) {
  if (item_type == "client_report") return;
  const DataCategory category = CategoryOfItemType(item_type);
  // Attachments are counted in bytes (PROTOCOL.md section 5.3).
  Record(reason, category,
         category == DataCategory::kAttachment ? bytes : item_count);
  if (category == DataCategory::kLogItem) {
    Record(reason, DataCategory::kLogByte, bytes);
  }
  if (category == DataCategory::kTransaction) {
    Record(reason, DataCategory::kSpan, std::max<uint64_t>(span_count, 1));
  }
}

void ClientReports::RecordItem(DiscardReason reason, const EnvelopeItem& item) {
  RecordItem(reason, item.type, item.ItemCount(), item.payload.size(),
             item.SpanCount());
}

void ClientReports::RecordEnvelope(DiscardReason reason,
                                   const Envelope& envelope) {
  for (const auto& item : envelope.items()) RecordItem(reason, item);
}

void ClientReports::Record(DiscardReason reason, DataCategory category,
                           uint64_t quantity) {
  const size_t r = static_cast<size_t>(reason);
  const size_t c = static_cast<size_t>(category);
  if (r >= kReasons || c >= kCategories || quantity == 0) return;
  counts_[r * kCategories + c].fetch_add(quantity, std::memory_order_relaxed);
  totals_[r * kCategories + c].fetch_add(quantity, std::memory_order_relaxed);
}

std::optional<protocol::ClientReport> ClientReports::Take() {
  protocol::ClientReport report;
  for (size_t r = 0; r < kReasons; ++r) {
    for (size_t c = 0; c < kCategories; ++c) {
      const uint64_t n =
          counts_[r * kCategories + c].exchange(0, std::memory_order_relaxed);
      if (n == 0) continue;
      auto* discarded = report.add_discarded_events();
      discarded->set_reason(
          std::string(DiscardReasonName(static_cast<DiscardReason>(r))));
      discarded->set_category(
          std::string(DataCategoryName(static_cast<DataCategory>(c))));
      discarded->set_quantity(n);
    }
  }
  if (report.discarded_events_size() == 0) return std::nullopt;
  report.set_timestamp(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  return report;
}

bool ClientReports::Restore(absl::string_view json) {
  protocol::ClientReport report;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(json.data(), json.size()), &report)
           .ok()) {
    return false;
  }
  for (const auto& discarded : report.discarded_events()) {
    for (size_t r = 0; r < kReasons; ++r) {
      if (DiscardReasonName(static_cast<DiscardReason>(r)) !=
          discarded.reason()) {
        continue;
      }
      for (size_t c = 0; c < kCategories; ++c) {
        if (DataCategoryName(static_cast<DataCategory>(c)) ==
            discarded.category()) {
          counts_[r * kCategories + c].fetch_add(discarded.quantity(),
                                                 std::memory_order_relaxed);
          break;
        }
      }
      break;
    }
  }
  return true;
}

uint64_t ClientReports::Count(DiscardReason reason,
                              DataCategory category) const {
  const size_t r = static_cast<size_t>(reason);
  const size_t c = static_cast<size_t>(category);
  return r < kReasons && c < kCategories
             ? totals_[r * kCategories + c].load(std::memory_order_relaxed)
             : 0;
}

}  // namespace sentry
