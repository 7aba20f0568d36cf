// The fast event encoder must write exactly what the reflection encoder
// writes: checked on an event with every field of every message set, and on
// many events with random fields set (sanitized strings, long tag values,
// NaN, -0.0 included).
#include "sdk/src/event_json.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "sdk/src/message_json.h"
#include "sdk/src/span_record.h"

namespace sentry::internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class Filler {
 public:
  // Each field is set with probability `p` (1: all of them).
  Filler(uint32_t seed, double p) : rng_(seed), p_(p) {}

  void Fill(Message* message, int depth = 0) {
    const Descriptor* d = message->GetDescriptor();
    if (d == google::protobuf::Value::descriptor()) {
      return FillValue(static_cast<google::protobuf::Value*>(message), depth);
    }
    if (d == google::protobuf::Struct::descriptor()) {
      return FillStruct(static_cast<google::protobuf::Struct*>(message), depth);
    }
    const Reflection* r = message->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* field = d->field(i);
      if (!Chance()) continue;
      if (field->is_map()) {
        const int n = 1 + Pick(3);
        for (int k = 0; k < n; ++k) {
          Message* entry = r->AddMessage(message, field);
          const Descriptor* ed = entry->GetDescriptor();
          entry->GetReflection()->SetString(entry, ed->map_key(),
                                            absl::StrCat("key", n - k));
          SetSingular(entry, ed->map_value(), depth);
        }
      } else if (field->is_repeated()) {
        const int n = 1 + Pick(3);
        for (int k = 0; k < n; ++k) AddRepeated(message, field, depth);
      } else {
        SetSingular(message, field, depth);
      }
    }
  }

 private:
  bool Chance() {
    return p_ >= 1 || std::uniform_real_distribution<>()(rng_) < p_;
  }
  int Pick(int n) { return std::uniform_int_distribution<>(0, n - 1)(rng_); }

  std::string RandomString() {
    switch (Pick(6)) {
      case 0:
        return "plain";
      case 1:
        return "quote \" backslash \\ newline \n tab \t bell \x07";
      case 2:
        return "invalid \xff\xfe utf-8 and \xc3\xa9 valid";
      case 3:
        return std::string(300, 't');  // Over the 200-byte tag limit.
      case 4:
        return std::string(9000, 's');  // Over the 8 KiB limit.
      default:
        return absl::StrCat("value-", Pick(1000));
    }
  }

  double RandomDouble() {
    switch (Pick(5)) {
      case 0:
        return -0.0;
      case 1:
        return std::nan("");
      case 2:
        return 1700000000.123456;
      default:
        return Pick(100) - 50;
    }
  }

  void FillValue(google::protobuf::Value* value, int depth) {
    switch (depth > 12 ? Pick(3) : Pick(6)) {
      case 0:
        value->set_string_value(RandomString());
        break;
      case 1:
        value->set_number_value(RandomDouble());
        break;
      case 2:
        value->set_bool_value(Pick(2) == 1);
        break;
      case 3:
        FillStruct(value->mutable_struct_value(), depth + 1);
        break;
      case 4: {
        auto* list = value->mutable_list_value();
        for (int k = Pick(3); k >= 0; --k)
          FillValue(list->add_values(), depth + 1);
        break;
      }
      default:
        value->set_null_value(google::protobuf::NULL_VALUE);
    }
  }

  void FillStruct(google::protobuf::Struct* s, int depth) {
    for (int k = Pick(3); k >= 0; --k) {
      FillValue(&(*s->mutable_fields())[absl::StrCat("f", Pick(5))], depth + 1);
    }
  }

  void SetSingular(Message* m, const FieldDescriptor* f, int depth) {
    const Reflection* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->SetInt32(m, f, Pick(200) - 100);
      case FieldDescriptor::CPPTYPE_INT64:
        return r->SetInt64(m, f, int64_t{1} << 40);
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->SetUInt32(m, f, static_cast<uint32_t>(Pick(100)));
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->SetUInt64(m, f, uint64_t{1} << 63);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->SetDouble(m, f, RandomDouble());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->SetFloat(m, f, 1.5f);
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->SetBool(m, f, Pick(2) == 1);
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->SetEnum(m, f, f->enum_type()->value(0));
      case FieldDescriptor::CPPTYPE_STRING:
        return r->SetString(m, f, RandomString());
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Fill(r->MutableMessage(m, f), depth + 1);
    }
  }

  void AddRepeated(Message* m, const FieldDescriptor* f, int depth) {
    const Reflection* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->AddInt32(m, f, Pick(200) - 100);
      case FieldDescriptor::CPPTYPE_INT64:
        return r->AddInt64(m, f, -(int64_t{1} << 40));
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->AddUInt32(m, f, 7);
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->AddUInt64(m, f, 9);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->AddDouble(m, f, RandomDouble());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->AddFloat(m, f, 2.5f);
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->AddBool(m, f, true);
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->AddEnum(m, f, f->enum_type()->value(0));
      case FieldDescriptor::CPPTYPE_STRING:
        return r->AddString(m, f, RandomString());
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Fill(r->AddMessage(m, f), depth + 1);
    }
  }

  std::mt19937 rng_;
  double p_;
};

TEST(EventJsonTest, EveryFieldSetMatchesTheReflectionEncoder) {
  protocol::Event event;
  Filler(1, 1.0).Fill(&event);
  // Guards the hand-written encoder against fields added to the proto later.
  std::vector<const FieldDescriptor*> set;
  event.GetReflection()->ListFields(event, &set);
  ASSERT_EQ(static_cast<int>(set.size()),
            protocol::Event::descriptor()->field_count());
  ASSERT_GT(event.breadcrumbs().values_size(), 0);
  ASSERT_GT(event.tags_size(), 0);
  EXPECT_EQ(EventToJson(event), MessageToJson(event));
}

TEST(EventJsonTest, RandomEventsMatchTheReflectionEncoder) {
  for (uint32_t seed = 0; seed < 300; ++seed) {
    protocol::Event event;
    Filler(seed, 0.5).Fill(&event);
    ASSERT_EQ(EventToJson(event), MessageToJson(event)) << "seed " << seed;
  }
}

TEST(EventJsonTest, EncodedBreadcrumbsStandInForTheEventsOwn) {
  for (uint32_t seed = 0; seed < 100; ++seed) {
    protocol::Event event;
    Filler(seed, 0.5).Fill(&event);
    protocol::Breadcrumbs& crumbs = *event.mutable_breadcrumbs();
    if (crumbs.values().empty()) Filler(seed, 1.0).Fill(crumbs.add_values());
    std::vector<std::string> encoded;
    for (const auto& crumb : crumbs.values()) {
      encoded.push_back(BreadcrumbJson(crumb));
      EXPECT_EQ(encoded.back(), MessageToJson(crumb));
    }
    const std::string expected = MessageToJson(event);
    event.clear_breadcrumbs();
    const std::vector<absl::string_view> views(encoded.begin(), encoded.end());
    EXPECT_EQ(EventToJson(event, {views, {}}), expected) << "seed " << seed;
  }
}

TEST(EventJsonTest, EncodedContextsJoinTheEventsOwn) {
  google::protobuf::Struct os;
  (*os.mutable_fields())["name"].set_string_value("Linux");
  google::protobuf::Struct runtime;
  (*runtime.mutable_fields())["name"].set_string_value("libstdc++");
  const std::string os_json = MessageToJson(os);
  const std::string runtime_json = MessageToJson(runtime);
  const std::vector<std::pair<absl::string_view, absl::string_view>> encoded = {
      {"os", os_json}, {"runtime", runtime_json}};
  for (uint32_t seed = 0; seed < 100; ++seed) {
    protocol::Event event;
    Filler(seed, 0.5).Fill(&event);
    // Sometimes the event has its own "os", which must win.
    const bool own_os = seed % 3 == 0;
    if (own_os) (*event.mutable_contexts())["os"].Clear();
    protocol::Event expected_event = event;
    auto& contexts = *expected_event.mutable_contexts();
    if (!own_os) contexts["os"] = os;
    contexts["runtime"] = runtime;
    EXPECT_EQ(EventToJson(event, {{}, encoded}), MessageToJson(expected_event))
        << "seed " << seed;
  }
}

// A recorded span is written from its record (built on the stack when it
// can be) exactly as its protobuf form is written: plain, with text to
// escape, with a list in its data, and too long for the stack.
TEST(EventJsonTest, RecordedSpansAreWrittenAsTheirProtobufForm) {
  const std::string trace_id = "771a43a4192642f0b136d5159a501700";
  auto base = [] {
    SpanData span;
    span.span_id = 0xb0e6f15b45c36b12;
    span.parent_span_id = 0x0000000000000042;
    span.op = "db.query";
    span.description = "SELECT * FROM items";
    span.start = 1796343445.590203;
    span.end = 1796343445.59025;
    span.status = 0;
    span.attributes.SetTag("db.system", "sqlite");
    span.attributes.SetData("db.rows", int64_t{7});
    span.attributes.SetData("cached", false);
    span.attributes.SetData("ratio", 0.25);
    span.attributes.SetData("user", std::string("ana"));
    return span;
  };
  std::vector<SpanData> spans;
  spans.push_back(base());
  spans.push_back(base());
  spans.back().description = "SELECT \"name\" FROM caf\xc3\xa9 WHERE x = '\n'";
  spans.back().attributes.SetTag("t\xc3\xa9", "caf\xc3\xa9");
  spans.push_back(base());
  google::protobuf::Value list;
  list.mutable_list_value()->add_values()->set_string_value("a");
  spans.back().attributes.SetData("ids", list);
  spans.push_back(base());
  spans.back().description = std::string(3000, 'x');
  spans.push_back(base());
  spans.back().parent_span_id = 0;
  spans.back().status = -1;
  spans.back().attributes = SpanAttributes();
  for (const SpanData& span : spans) {
    std::string recorded;
    JsonWriter recorded_writer(&recorded);
    WriteSpan(span, trace_id, recorded_writer);
    std::string proto;
    JsonWriter proto_writer(&proto);
    WriteSpan(span.ToProto(trace_id), proto_writer);
    EXPECT_EQ(recorded, proto);
  }
  std::string plain;
  JsonWriter writer(&plain);
  WriteSpan(spans[0], trace_id, writer);
  EXPECT_EQ(
      plain,
      R"({"trace_id":"771a43a4192642f0b136d5159a501700",)"
      R"("span_id":"b0e6f15b45c36b12","parent_span_id":"0000000000000042",)"
      R"("op":"db.query","description":"SELECT * FROM items",)"
      R"("start_timestamp":1796343445.590203,"timestamp":1796343445.59025,)"
      R"("status":"ok","tags":{"db.system":"sqlite"},"data":{"cached":false,)"
      R"("db.rows":7,"ratio":0.25,"user":"ana"}})");
}

}  // namespace
}  // namespace sentry::internal
