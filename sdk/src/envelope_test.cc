#include "sentry/envelope.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace sentry {
namespace {

std::string ReadTestFile(const std::string& name) {
  std::ifstream in("sdk/testdata/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(EnvelopeTest, ItemCountIsTheHeaderElseOne) {
  Envelope envelope;
  envelope.AddItem("log", "{\"items\":[{},{},{}]}", {{"item_count", "3"}});
  envelope.AddItem("event", "{}");
  envelope.AddItem("log", "{}", {{"item_count", "\"3\""}});
  envelope.AddItem("log", "{}", {{"item_count", "0"}});
  EXPECT_EQ(envelope.items()[0].ItemCount(), 3u);
  EXPECT_EQ(envelope.items()[1].ItemCount(), 1u);  // No header.
  EXPECT_EQ(envelope.items()[2].ItemCount(), 1u);  // Not a number.
  EXPECT_EQ(envelope.items()[3].ItemCount(), 1u);  // Not a count.
}

TEST(EnvelopeTest, SerializesEventOnlyEnvelopeExactly) {
  Envelope envelope;
  envelope.SetStringHeader("event_id", "c993afb6-b4ac-48a6-b61b-2558e601d65d");
  envelope.AddItem("event",
                   R"({"event_id":"c993afb6-b4ac-48a6-b61b-2558e601d65d"})");
  EXPECT_EQ(envelope.Serialize(),
            "{\"event_id\":\"c993afb6-b4ac-48a6-b61b-2558e601d65d\"}\n"
            "{\"type\":\"event\",\"length\":51}\n"
            "{\"event_id\":\"c993afb6-b4ac-48a6-b61b-2558e601d65d\"}\n");
}

TEST(EnvelopeTest, SerializesAttachmentItem) {
  Envelope envelope;
  envelope.AddItem("attachment", "Hello World!");
  EXPECT_EQ(envelope.Serialize(),
            "{}\n{\"type\":\"attachment\",\"length\":12}\nHello World!\n");
}

TEST(EnvelopeTest, WritesSentAtExactlyOnce) {
  Envelope envelope;
  envelope.SetStringHeader("sent_at", "2000-01-01T00:00:00Z");
  const std::string bytes =
      envelope.Serialize(absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(bytes, "{\"sent_at\":\"2023-11-14T22:13:20.000000Z\"}\n");
}

TEST(EnvelopeTest, ParsesEveryVector) {
  for (const char* name : {
           "docs-client-report.envelope",
           "docs-empty-attachments-no-trailing-newline.envelope",
           "docs-implicit-length-session-eof.envelope",
           "docs-two-items-bom-crlf-attachment.envelope",
           "rust-all-envelope-headers-with-dsc.envelope",
           "rust-check-in.envelope",
           "rust-event-with-attachment.envelope",
           "rust-event.envelope",
           "rust-session.envelope",
           "rust-transaction.envelope",
       }) {
    const std::string bytes = ReadTestFile(name);
    ASSERT_FALSE(bytes.empty()) << name;
    auto envelope = Envelope::Parse(bytes);
    ASSERT_TRUE(envelope.ok()) << name << ": " << envelope.status();
    EXPECT_FALSE(envelope->items().empty()) << name;
    // Re-serialized and parsed again, nothing changes.
    auto again = Envelope::Parse(envelope->Serialize());
    ASSERT_TRUE(again.ok()) << name;
    ASSERT_EQ(again->items().size(), envelope->items().size());
    for (size_t i = 0; i < again->items().size(); ++i) {
      EXPECT_EQ(again->items()[i].payload, envelope->items()[i].payload);
      EXPECT_EQ(again->items()[i].headers, envelope->items()[i].headers);
    }
    EXPECT_EQ(again->headers(), envelope->headers());
  }
}

TEST(EnvelopeTest, ParsesBomAndCrlfPayload) {
  auto envelope = Envelope::Parse(
      ReadTestFile("docs-two-items-bom-crlf-attachment.envelope"));
  ASSERT_TRUE(envelope.ok());
  ASSERT_EQ(envelope->items().size(), 2u);
  EXPECT_EQ(envelope->items()[0].payload, "\xef\xbb\xbfHello\r\n");
  EXPECT_EQ(envelope->items()[0].StringHeader("filename"), "hello.txt");
  EXPECT_EQ(envelope->items()[1].payload,
            R"({"message":"hello world","level":"error"})");
  EXPECT_EQ(envelope->event_id(), "9ec79c33ec9942ab8353589fcb2e04dc");
}

TEST(EnvelopeTest, ParsesImplicitLengthToEof) {
  auto envelope = Envelope::Parse(
      ReadTestFile("docs-implicit-length-session-eof.envelope"));
  ASSERT_TRUE(envelope.ok());
  ASSERT_EQ(envelope->items().size(), 1u);
  EXPECT_EQ(envelope->items()[0].type, "session");
  EXPECT_EQ(envelope->items()[0].payload.back(), '}');
}

TEST(EnvelopeTest, ParsesEmptyItems) {
  auto envelope = Envelope::Parse(
      "{}\n{\"type\":\"attachment\",\"length\":0}\n\n"
      "{\"type\":\"attachment\",\"length\":0}\n");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  ASSERT_EQ(envelope->items().size(), 2u);
  EXPECT_EQ(envelope->items()[1].payload, "");
}

TEST(EnvelopeTest, RejectsMalformed) {
  struct Case {
    const char* bytes;
    const char* reason;
  };
  for (const Case& c : {
           Case{"", "JSON"},
           Case{"{}\n{\"type\":\"event\",\"length\":10}\nshort", "shorter"},
           Case{"{}\n{\"type\":\"event\",\"length\":2}\n{}x", "newline"},
           Case{"{}\n{\"length\":2}\n{}", "type"},
           Case{"{}\n{\"type\":\"event\",\"length\":-1}\n", "length"},
           Case{"not json\n", "JSON"},
       }) {
    auto envelope = Envelope::Parse(c.bytes);
    ASSERT_FALSE(envelope.ok()) << c.bytes;
    EXPECT_NE(envelope.status().message().find(c.reason), std::string::npos)
        << envelope.status();
  }
}

TEST(EnvelopeTest, Rfc3339MatchesAbslFormatTime) {
  const absl::Time times[] = {
      absl::UnixEpoch(),
      absl::FromUnixMicros(1),
      absl::FromUnixMicros(1764329012345678),
      absl::FromUnixMicros(-1),  // 1969-12-31T23:59:59.999999Z
      absl::FromCivil(absl::CivilSecond(2024, 2, 29, 23, 59, 59),
                      absl::UTCTimeZone()) +
          absl::Nanoseconds(999999999),  // Cut, not rounded, to microseconds.
      absl::FromCivil(absl::CivilSecond(9999, 12, 31, 0, 0, 0),
                      absl::UTCTimeZone()),
      absl::FromCivil(absl::CivilSecond(12345, 1, 1, 0, 0, 0),
                      absl::UTCTimeZone()),
  };
  for (const absl::Time t : times) {
    EXPECT_EQ(FormatRfc3339(t),
              absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone()));
  }
  for (int64_t micros = 0; micros < 400LL * 24 * 3600 * 1000000;
       micros += 7777777777) {
    const absl::Time t = absl::FromUnixMicros(1700000000000000 + micros);
    ASSERT_EQ(FormatRfc3339(t),
              absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone()));
  }
}

}  // namespace
}  // namespace sentry
