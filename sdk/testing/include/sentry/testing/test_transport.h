// sentry::testing::TestTransport: keeps every envelope in memory, for tests.
//
//   auto transport = std::make_shared<sentry::testing::TestTransport>();
//   sentry::Options options;
//   options.transport = transport;          // the test keeps its pointer
//   auto guard = sentry::Init(std::move(options));
//   sentry::CaptureMessage("hello");
//   ASSERT_TRUE(transport->WaitForEvents(1, absl::Seconds(5)));
//   EXPECT_EQ(transport->events()[0].logentry().message(), "hello");
//
// Thread-safe.
#ifndef SENTRY_TESTING_TEST_TRANSPORT_H_
#define SENTRY_TESTING_TEST_TRANSPORT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/transport.h"

namespace sentry::testing {

class TestTransport : public Transport {
 public:
  TestTransport() = default;

  void Start(std::shared_ptr<ClientReports> reports) noexcept override;
  void SendEnvelope(Envelope envelope) noexcept override;
  bool Flush(absl::Duration timeout) noexcept override;

  // The envelopes received so far, in order, as the transport got them.
  std::vector<Envelope> envelopes() const;
  // Each envelope serialized to the wire format (what HTTP would send,
  // without "sent_at").
  std::vector<std::string> raw_envelopes() const;
  // The "event" items' JSON payloads, in order.
  std::vector<std::string> event_payloads() const;
  // The "event" items parsed back into typed events.
  std::vector<protocol::Event> events() const;
  // The "transaction" items parsed back, in order.
  std::vector<protocol::Event> transactions() const;
  size_t event_count() const;
  // The records of every "log" / "trace_metric" item, in order, each as
  // its JSON object ({"body": ..., "attributes": {...}, ...}).
  std::vector<google::protobuf::Struct> logs() const;
  std::vector<google::protobuf::Struct> metrics() const;
  // The client's drop counters (what the client gave Start): Count(reason,
  // category) is every drop so far, whether or not a client report carried
  // it yet. What was sent is in envelopes(), as client_report items.
  std::shared_ptr<ClientReports> client_reports() const;

  // Waits until at least `n` events arrived; false on timeout.
  bool WaitForEvents(size_t n, absl::Duration timeout) const;
  // Waits until at least `n` transactions arrived; false on timeout.
  bool WaitForTransactions(size_t n, absl::Duration timeout) const;
  // Forgets everything received.
  void Clear();

  // A transport that stalls, as one behind a slow network does: after
  // Pause, SendEnvelope waits (holding up its caller) until Resume.
  void Pause();
  void Resume();
  // Waits until `n` calls are waiting in a paused SendEnvelope.
  bool WaitForPausedSends(size_t n, absl::Duration timeout) const;

 private:
  std::vector<google::protobuf::Struct> Records(
      absl::string_view item_type) const;
  // Waits until `*count` (guarded by mu_) reaches `n`.
  bool WaitForCount(const size_t* count, size_t n,
                    absl::Duration timeout) const;

  mutable absl::Mutex mu_;
  std::vector<Envelope> envelopes_ ABSL_GUARDED_BY(mu_);
  size_t event_count_ ABSL_GUARDED_BY(mu_) = 0;
  size_t transaction_count_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  size_t paused_sends_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<ClientReports> reports_ ABSL_GUARDED_BY(mu_);
};

// A field of a log or metric record (from logs() / metrics()) as text:
// strings as they are, numbers as absl::StrCat prints them; "<absent>"
// when the record has no such field.
std::string RecordField(const google::protobuf::Struct& record,
                        absl::string_view key);
// One of its attributes as "type:value" ("integer:42", "string:eu"), or
// "<absent>".
std::string RecordAttribute(const google::protobuf::Struct& record,
                            absl::string_view key);

}  // namespace sentry::testing

#endif  // SENTRY_TESTING_TEST_TRANSPORT_H_
