#include "sentry/transports/stdout_transport.h"

#include <sstream>

#include "gtest/gtest.h"
#include "sentry/sentry.h"

namespace sentry {
namespace {

TEST(StdoutTransportTest, WritesParseableEnvelopesWithSentAt) {
  std::ostringstream out;
  {
    Options options;
    options.transport = NewStdoutTransport(out);
    InitGuard guard = Init(options);
    CaptureMessage("one");
  }
  auto envelope = Envelope::Parse(out.str());
  ASSERT_TRUE(envelope.ok()) << envelope.status() << "\n" << out.str();
  EXPECT_TRUE(envelope->StringHeader("sent_at").has_value());
  ASSERT_EQ(envelope->items().size(), 1u);
  EXPECT_EQ(envelope->items()[0].type, "event");
  EXPECT_NE(envelope->items()[0].payload.find("\"message\":\"one\""),
            std::string::npos);
}

TEST(StdoutTransportTest, FailingStreamCountsDrops) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto transport = NewStdoutTransport(out);
  auto reports = std::make_shared<ClientReports>();
  transport->Start(reports);
  Envelope envelope;
  envelope.AddItem("event", "{}");
  envelope.AddItem("attachment", "abc");
  transport->SendEnvelope(envelope);
  // One event, and the attachment's three bytes.
  EXPECT_EQ(reports->Count(DiscardReason::kSendError, DataCategory::kError),
            1u);
  EXPECT_EQ(
      reports->Count(DiscardReason::kSendError, DataCategory::kAttachment), 3u);
}

}  // namespace
}  // namespace sentry
