#include "sdk/src/json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "sdk/src/message_json.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::internal {
namespace {

std::string Escaped(absl::string_view s, size_t max = 1000) {
  std::string out;
  AppendJsonEscaped(s, max, &out);
  return out;
}

std::string FormatDouble(double value) {
  char buffer[kMaxJsonDouble];
  return std::string(buffer, FormatJsonDouble(value, buffer));
}

TEST(JsonTest, EscapesControlCharactersAndQuotes) {
  EXPECT_EQ(Escaped("a\"b\\c\n\t\x01"), "a\\\"b\\\\c\\n\\t\\u0001");
}

TEST(JsonTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(Escaped("ok\xff!"), "ok\xEF\xBF\xBD!");
  EXPECT_EQ(Escaped("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(Escaped("\xED\xA0\x80"),                           // surrogate
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escaped("h\xC3\xA9llo \xF0\x9F\x98\x80"),
            "h\xC3\xA9llo \xF0\x9F\x98\x80");
}

TEST(JsonTest, TruncatesOnCharacterBoundaryWithinTheLimit) {
  // The limit includes the marker: 7 bytes are "xxxx...".
  EXPECT_EQ(Escaped(std::string(10, 'x'), 7), "xxxx...");
  EXPECT_EQ(Escaped(std::string(7, 'x'), 7), "xxxxxxx");  // fits: as is
  // "é" is two bytes; cutting after 2 bytes must not split it.
  EXPECT_EQ(Escaped("a\xC3\xA9zzz", 5), "a...");
  // A limit too small for the marker cuts without one.
  EXPECT_EQ(Escaped("abcdef", 2), "ab");
}

TEST(JsonTest, WriterProducesNullForNaN) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.Double(std::nan(""));
  w.Double(std::numeric_limits<double>::infinity());
  w.Double(1.5);
  w.Int(-3);
  w.EndArray();
  EXPECT_EQ(out, "[null,null,1.5,-3]");
}

// The scan that copies plain runs at once (eight bytes at a time) finds a
// byte needing care at every position of a word and of the tail.
TEST(JsonTest, FindsEveryByteThatNeedsEscapingWhereverItIs) {
  const std::pair<std::string, std::string> cases[] = {
      {"\"", "\\\""},          {"\\", "\\\\"}, {"\x01", "\\u0001"},
      {"\x1f", "\\u001f"},     {"\n", "\\n"},  {"\xc3\xa9", "\xc3\xa9"},
      {"\xff", "\xEF\xBF\xBD"}};
  for (const auto& [special, escaped] : cases) {
    for (size_t at = 0; at < 20; ++at) {
      std::string text(20, 'a');
      text.replace(at, 1, special);
      std::string expected(20, 'a');
      expected.replace(at, 1, escaped);
      EXPECT_EQ(Escaped(text), expected) << "at " << at;
      EXPECT_FALSE(IsPlainJson(text)) << "at " << at;
      std::string json;
      JsonWriter writer(&json);
      writer.BeginObject();
      writer.Key(text);
      writer.String(text);
      writer.EndObject();
      EXPECT_EQ(json, "{\"" + expected + "\":\"" + expected + "\"}");
    }
  }
  EXPECT_TRUE(IsPlainJson(" azAZ09~\x7f!#[]{}:,.-_/"));
}

// Numbers read back as the same double; whole microseconds (the SDK's
// timestamps) are written as seconds with at most six decimals.
TEST(JsonTest, DoublesReadBackExactly) {
  EXPECT_EQ(FormatDouble(1796343445.590253), "1796343445.590253");
  EXPECT_EQ(FormatDouble(1796343445.59025), "1796343445.59025");
  EXPECT_EQ(FormatDouble(1796343445.0), "1796343445");
  EXPECT_EQ(FormatDouble(0.5), "0.5");
  EXPECT_EQ(FormatDouble(0.000001), "0.000001");
  for (double value :
       {1796343445.590253, 0.1, 1.0 / 3, 1e-7, 1e11 + 0.5, 3.0, -2.5, 0.0,
        123456.0000005, 1e300, 9007199254.740993, 4.9e-324}) {
    const std::string text = FormatDouble(value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
  }
}

TEST(JsonTest, ParseObjectKeepsRawValues) {
  auto members = ParseJsonObject(
      R"({"type":"attachment","length":10,"x":{"a":[1,2,{"b":null}]},"s":"\u00e9\ud83d\ude00"})");
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->size(), 4u);
  EXPECT_EQ((*members)[1].second, "10");
  EXPECT_EQ((*members)[2].second, R"({"a":[1,2,{"b":null}]})");
  EXPECT_EQ(DecodeJsonString((*members)[3].second), "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonTest, ParseObjectRejectsMalformed) {
  for (const char* bad :
       {"", "[]", "{", R"({"a":})", R"({"a":1,})", R"({"a":01})",
        R"({"a":"\x"})", R"({} x)", R"({"a":tru})"}) {
    EXPECT_FALSE(ParseJsonObject(bad).ok()) << bad;
  }
}

TEST(JsonTest, ParseObjectBoundsNesting) {
  std::string deep =
      R"({"a":)" + std::string(1000, '[') + std::string(1000, ']') + "}";
  EXPECT_FALSE(ParseJsonObject(deep).ok());
}

TEST(MessageJsonTest, WritesSentryShapes) {
  protocol::Event event;
  event.set_event_id("0123456789abcdef0123456789abcdef");
  event.set_timestamp(1514103120.5);
  (*event.mutable_tags())["b"] = "2";
  (*event.mutable_tags())["a"] = "1";
  auto* frame = event.mutable_exception()
                    ->add_values()
                    ->mutable_stacktrace()
                    ->add_frames();
  frame->set_instruction_addr("0x2a");
  frame->set_lineno(0);  // optional: present even when 0
  auto* image = event.mutable_debug_meta()->add_images();
  image->set_image_size(uint64_t{1} << 40);
  EXPECT_EQ(MessageToJson(event),
            R"({"event_id":"0123456789abcdef0123456789abcdef",)"
            R"("timestamp":1514103120.5,"tags":{"a":"1","b":"2"},)"
            R"("exception":{"values":[{"stacktrace":{"frames":[)"
            R"({"lineno":0,"instruction_addr":"0x2a"}]}}]},)"
            R"("debug_meta":{"images":[{"image_size":1099511627776}]}})");
}

TEST(MessageJsonTest, LimitsTagValuesAndDepth) {
  protocol::Event event;
  (*event.mutable_tags())["long"] = std::string(500, 'v');
  google::protobuf::Value deep;
  google::protobuf::Value* v = &deep;
  for (int i = 0; i < 50; ++i) {
    v = (*v->mutable_struct_value()->mutable_fields())["d"]
            .mutable_list_value()
            ->add_values();
  }
  v->set_number_value(std::nan(""));
  (*event.mutable_extra())["deep"] = deep;
  const std::string json = MessageToJson(event);
  // 200 bytes in all, the marker included.
  EXPECT_NE(json.find("\"" + std::string(197, 'v') + "...\""),
            std::string::npos);
  EXPECT_EQ(json.find(std::string(198, 'v')), std::string::npos);
  EXPECT_NE(json.find("[depth limit reached]"), std::string::npos);
  EXPECT_EQ(json.find("nan"), std::string::npos);
}

}  // namespace
}  // namespace sentry::internal
