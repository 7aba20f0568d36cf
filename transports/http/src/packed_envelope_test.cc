#include "transports/http/src/packed_envelope.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "transports/http/src/gzip.h"

namespace sentry::internal {
namespace {

const absl::Time kSentAt = absl::FromUnixMicros(1764720000123456);

Envelope EventEnvelope(size_t message_bytes) {
  Envelope envelope;
  envelope.SetHeader("dsn", "\"https://key@o1.ingest.sentry.io/42\"");
  envelope.SetStringHeader("event_id", "0123456789abcdef0123456789abcdef");
  std::string message;
  while (message.size() < message_bytes) message += "step of the request ";
  envelope.AddItem("event", absl::StrCat("{\"message\":\"", message, "\"}"));
  envelope.AddItem("attachment", "log line\n", {{"filename", "\"app.log\""}});
  return envelope;
}

TEST(PackedEnvelopeTest, PlainBodyIsTheEnvelopeWithSentAt) {
  const Envelope envelope = EventEnvelope(100);
  PackedEnvelope packed = PackedEnvelope::Pack(envelope, /*compress=*/false);
  std::string body;
  bool gzipped = true;
  packed.WriteBody(kSentAt, &body, &gzipped);
  EXPECT_FALSE(gzipped);
  EXPECT_EQ(body, envelope.Serialize(kSentAt));
  EXPECT_NE(body.find("\"sent_at\":\"2025-12-03T00:00:00.123456Z\"}\n"),
            std::string::npos);
}

TEST(PackedEnvelopeTest, CompressedBodyGunzipsToTheSameBytes) {
  const Envelope envelope = EventEnvelope(4000);
  PackedEnvelope packed = PackedEnvelope::Pack(envelope, /*compress=*/true);
  ASSERT_TRUE(packed.compressed());
  // Queued, it weighs about its compressed size.
  EXPECT_LT(packed.size(), envelope.Serialize().size() / 4);
  std::string body;
  bool gzipped = false;
  packed.WriteBody(kSentAt, &body, &gzipped);
  EXPECT_TRUE(gzipped);
  auto plain = Inflate(body, /*gzip=*/true);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, envelope.Serialize(kSentAt));
}

TEST(PackedEnvelopeTest, SmallItemsStayPlainEvenWithCompression) {
  const Envelope envelope = EventEnvelope(10);
  PackedEnvelope packed = PackedEnvelope::Pack(envelope, /*compress=*/true);
  EXPECT_FALSE(packed.compressed());
  std::string body;
  bool gzipped = true;
  packed.WriteBody(kSentAt, &body, &gzipped);
  EXPECT_FALSE(gzipped);
  EXPECT_EQ(body, envelope.Serialize(kSentAt));
}

// An envelope read back from a spool file may carry the sent_at of an
// earlier attempt: the body has exactly one, the new one.
TEST(PackedEnvelopeTest, AnEarlierSentAtIsReplaced) {
  Envelope envelope = EventEnvelope(100);
  envelope.SetStringHeader("sent_at", "2020-01-01T00:00:00.000000Z");
  PackedEnvelope packed = PackedEnvelope::Pack(envelope, /*compress=*/false);
  std::string body;
  bool gzipped;
  packed.WriteBody(kSentAt, &body, &gzipped);
  EXPECT_EQ(body.find("2020-01-01"), std::string::npos);
  EXPECT_EQ(body, envelope.Serialize(kSentAt));
}

TEST(PackedEnvelopeTest, AnEnvelopeWithoutHeadersGetsOnlySentAt) {
  Envelope envelope;
  envelope.AddItem("session", "{\"sid\":\"s\"}");
  PackedEnvelope packed = PackedEnvelope::Pack(envelope, /*compress=*/false);
  std::string body;
  bool gzipped;
  packed.WriteBody(kSentAt, &body, &gzipped);
  EXPECT_EQ(body,
            "{\"sent_at\":\"2025-12-03T00:00:00.123456Z\"}\n"
            "{\"type\":\"session\",\"length\":11}\n{\"sid\":\"s\"}\n");
}

TEST(PackedEnvelopeTest, UnpackGivesTheEnvelopeBack) {
  for (const bool compress : {false, true}) {
    const Envelope envelope = EventEnvelope(4000);
    PackedEnvelope packed = PackedEnvelope::Pack(envelope, compress);
    EXPECT_EQ(packed.compressed(), compress);
    auto back = packed.Unpack();
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->Serialize(), envelope.Serialize());
    EXPECT_EQ(packed.event_id(), "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(packed.item_types(),
              (std::vector<absl::string_view>{"event", "attachment"}));
  }
}

}  // namespace
}  // namespace sentry::internal
