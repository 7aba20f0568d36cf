#include "sentry/testing/test_transport.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace sentry::testing {

void TestTransport::Start(std::shared_ptr<ClientReports> reports) noexcept {
  absl::MutexLock lock(&mu_);
  reports_ = std::move(reports);
}

void TestTransport::SendEnvelope(Envelope envelope) noexcept {
  absl::MutexLock lock(&mu_);
  if (paused_) {
    ++paused_sends_;
    mu_.Await(absl::Condition(
        +[](bool* paused) { return !*paused; }, &paused_));
    --paused_sends_;
  }
  for (const auto& item : envelope.items()) {
    if (item.type == "event") ++event_count_;
    if (item.type == "transaction") ++transaction_count_;
  }
  envelopes_.push_back(std::move(envelope));
}

bool TestTransport::Flush(absl::Duration) noexcept { return true; }

std::vector<Envelope> TestTransport::envelopes() const {
  absl::MutexLock lock(&mu_);
  return envelopes_;
}

std::vector<std::string> TestTransport::raw_envelopes() const {
  std::vector<std::string> raw;
  for (const auto& envelope : envelopes()) raw.push_back(envelope.Serialize());
  return raw;
}

std::vector<std::string> TestTransport::event_payloads() const {
  std::vector<std::string> payloads;
  for (const auto& envelope : envelopes()) {
    for (const auto& item : envelope.items()) {
      if (item.type == "event") payloads.push_back(item.payload);
    }
  }
  return payloads;
}

namespace {

std::vector<protocol::Event> Parse(const std::vector<std::string>& payloads) {
  std::vector<protocol::Event> events;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  for (const auto& payload : payloads) {
    protocol::Event event;
    // A payload that does not parse stays an empty event, which any
    // assertion on its fields then reports.
    (void)google::protobuf::util::JsonStringToMessage(payload, &event, options);
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace

std::vector<protocol::Event> TestTransport::events() const {
  return Parse(event_payloads());
}

std::vector<protocol::Event> TestTransport::transactions() const {
  std::vector<std::string> payloads;
  for (const auto& envelope : envelopes()) {
    for (const auto& item : envelope.items()) {
      if (item.type == "transaction") payloads.push_back(item.payload);
    }
  }
  return Parse(payloads);
}

bool TestTransport::WaitForTransactions(size_t n,
                                        absl::Duration timeout) const {
  return WaitForCount(&transaction_count_, n, timeout);
}

size_t TestTransport::event_count() const {
  absl::MutexLock lock(&mu_);
  return event_count_;
}

std::shared_ptr<ClientReports> TestTransport::client_reports() const {
  absl::MutexLock lock(&mu_);
  return reports_;
}

bool TestTransport::WaitForEvents(size_t n, absl::Duration timeout) const {
  return WaitForCount(&event_count_, n, timeout);
}

bool TestTransport::WaitForCount(const size_t* count, size_t n,
                                 absl::Duration timeout) const {
  struct Arg {
    const size_t* count;
    size_t n;
  } arg{count, n};
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(
                                  +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                    return *a->count >= a->n;
                                  },
                                  &arg),
                              timeout);
}

std::vector<google::protobuf::Struct> TestTransport::logs() const {
  return Records("log");
}

std::vector<google::protobuf::Struct> TestTransport::metrics() const {
  return Records("trace_metric");
}

std::vector<google::protobuf::Struct> TestTransport::Records(
    absl::string_view item_type) const {
  std::vector<google::protobuf::Struct> records;
  for (const auto& envelope : envelopes()) {
    for (const auto& item : envelope.items()) {
      if (item.type != item_type) continue;
      google::protobuf::Struct payload;
      (void)google::protobuf::util::JsonStringToMessage(item.payload, &payload);
      auto it = payload.fields().find("items");
      if (it == payload.fields().end()) continue;
      for (const auto& value : it->second.list_value().values()) {
        records.push_back(value.struct_value());
      }
    }
  }
  return records;
}

void TestTransport::Pause() {
  absl::MutexLock lock(&mu_);
  paused_ = true;
}

void TestTransport::Resume() {
  absl::MutexLock lock(&mu_);
  paused_ = false;
}

bool TestTransport::WaitForPausedSends(size_t n, absl::Duration timeout) const {
  return WaitForCount(&paused_sends_, n, timeout);
}

void TestTransport::Clear() {
  absl::MutexLock lock(&mu_);
  envelopes_.clear();
  event_count_ = 0;
  transaction_count_ = 0;
}

namespace {

std::string ValueText(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case google::protobuf::Value::kNumberValue:
      return absl::StrCat(value.number_value());
    default:
      return "<other>";
  }
}

}  // namespace

std::string RecordField(const google::protobuf::Struct& record,
                        absl::string_view key) {
  auto it = record.fields().find(std::string(key));
  return it == record.fields().end() ? "<absent>" : ValueText(it->second);
}

std::string RecordAttribute(const google::protobuf::Struct& record,
                            absl::string_view key) {
  auto attributes = record.fields().find("attributes");
  if (attributes == record.fields().end()) return "<absent>";
  const auto& fields = attributes->second.struct_value().fields();
  auto it = fields.find(std::string(key));
  if (it == fields.end()) return "<absent>";
  const auto& attribute = it->second.struct_value().fields();
  auto type = attribute.find("type");
  auto value = attribute.find("value");
  if (type == attribute.end() || value == attribute.end()) return "<other>";
  return absl::StrCat(type->second.string_value(), ":",
                      ValueText(value->second));
}

}  // namespace sentry::testing
