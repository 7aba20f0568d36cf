#include "sdk/src/message_json.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"

namespace sentry::internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr absl::string_view kDepthMarker = "[depth limit reached]";

void WriteValue(const Value& value, JsonWriter& out, int depth);

void WriteStruct(const Struct& s, JsonWriter& out, int depth) {
  if (depth > kMaxValueDepth) {
    out.String(kDepthMarker);
    return;
  }
  std::vector<const google::protobuf::MapPair<std::string, Value>*> entries;
  entries.reserve(s.fields_size());
  for (const auto& entry : s.fields()) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](auto* a, auto* b) { return a->first < b->first; });
  out.BeginObject();
  for (const auto* entry : entries) {
    out.Key(entry->first);
    WriteValue(entry->second, out, depth + 1);
  }
  out.EndObject();
}

void WriteList(const ListValue& list, JsonWriter& out, int depth) {
  if (depth > kMaxValueDepth) {
    out.String(kDepthMarker);
    return;
  }
  out.BeginArray();
  for (const Value& v : list.values()) WriteValue(v, out, depth + 1);
  out.EndArray();
}

void WriteValue(const Value& value, JsonWriter& out, int depth) {
  switch (value.kind_case()) {
    case Value::kNumberValue:
      out.Double(value.number_value());
      break;
    case Value::kStringValue:
      out.String(value.string_value());
      break;
    case Value::kBoolValue:
      out.Bool(value.bool_value());
      break;
    case Value::kStructValue:
      WriteStruct(value.struct_value(), out, depth);
      break;
    case Value::kListValue:
      WriteList(value.list_value(), out, depth);
      break;
    default:
      out.Null();
  }
}

bool IsTagsEntry(const Descriptor* descriptor) {
  // Cached per descriptor: comparing full names on every string costs more
  // than writing the string. Descriptors live as long as the process.
  thread_local const Descriptor* last = nullptr;
  thread_local bool last_result = false;
  if (descriptor != last) {
    last = descriptor;
    last_result = descriptor->full_name() == "sentry.protocol.Event.TagsEntry";
  }
  return last_result;
}

size_t StringLimit(const FieldDescriptor* field) {
  // Tag values must stay under 200 characters (PROTOCOL.md section 3.1).
  return IsTagsEntry(field->containing_type()) ? kMaxTagValueBytes
                                               : JsonWriter::kDefaultMaxString;
}

void WriteMessageImpl(const Message& message, JsonWriter& out, int depth);

void WriteSingular(const Message& message, const FieldDescriptor* field,
                   JsonWriter& out, int depth) {
  const Reflection* r = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      out.Int(r->GetInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      out.Int(r->GetInt64(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      out.Uint(r->GetUInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      out.Uint(r->GetUInt64(message, field));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      out.Double(r->GetDouble(message, field));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      out.Double(r->GetFloat(message, field));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out.Bool(r->GetBool(message, field));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      out.String(r->GetEnum(message, field)->name());
      break;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      out.String(r->GetStringReference(message, field, &scratch),
                 StringLimit(field));
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      WriteMessageImpl(r->GetMessage(message, field), out, depth + 1);
      break;
  }
}

void WriteRepeatedElement(const Message& message, const FieldDescriptor* field,
                          int index, JsonWriter& out, int depth) {
  const Reflection* r = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      out.Int(r->GetRepeatedInt32(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      out.Int(r->GetRepeatedInt64(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      out.Uint(r->GetRepeatedUInt32(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      out.Uint(r->GetRepeatedUInt64(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      out.Double(r->GetRepeatedDouble(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      out.Double(r->GetRepeatedFloat(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out.Bool(r->GetRepeatedBool(message, field, index));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      out.String(r->GetRepeatedEnum(message, field, index)->name());
      break;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      out.String(
          r->GetRepeatedStringReference(message, field, index, &scratch));
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      WriteMessageImpl(r->GetRepeatedMessage(message, field, index), out,
                       depth + 1);
      break;
  }
}

void WriteMap(const Message& message, const FieldDescriptor* field,
              JsonWriter& out, int depth) {
  const Reflection* r = message.GetReflection();
  const int size = r->FieldSize(message, field);
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  // Keys are string fields of the entries: referenced, not copied.
  std::vector<std::pair<absl::string_view, const Message*>> entries;
  entries.reserve(size);
  std::string scratch;
  for (int i = 0; i < size; ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    entries.emplace_back(
        entry.GetReflection()->GetStringReference(entry, key_field, &scratch),
        &entry);
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t key_limit = IsTagsEntry(field->message_type())
                               ? kMaxTagKeyBytes
                               : JsonWriter::kDefaultMaxString;
  out.BeginObject();
  for (const auto& [key, entry] : entries) {
    out.Key(key, key_limit);
    WriteSingular(*entry, value_field, out, depth);
  }
  out.EndObject();
}

void WriteMessageImpl(const Message& message, JsonWriter& out, int depth) {
  const Descriptor* descriptor = message.GetDescriptor();
  if (descriptor == Value::descriptor()) {
    WriteValue(static_cast<const Value&>(message), out, 0);
    return;
  }
  if (descriptor == Struct::descriptor()) {
    WriteStruct(static_cast<const Struct&>(message), out, 0);
    return;
  }
  if (descriptor == ListValue::descriptor()) {
    WriteList(static_cast<const ListValue&>(message), out, 0);
    return;
  }
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  out.BeginObject();
  for (const FieldDescriptor* field : fields) {
    out.Key(field->name());
    if (field->is_map()) {
      WriteMap(message, field, out, depth);
    } else if (field->is_repeated()) {
      out.BeginArray();
      const int size = message.GetReflection()->FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        WriteRepeatedElement(message, field, i, out, depth);
      }
      out.EndArray();
    } else {
      WriteSingular(message, field, out, depth);
    }
  }
  out.EndObject();
}

}  // namespace

void WriteMessage(const Message& message, JsonWriter& out) {
  WriteMessageImpl(message, out, 0);
}

std::string MessageToJson(const Message& message) {
  std::string json;
  json.reserve(1024);
  JsonWriter writer(&json);
  WriteMessage(message, writer);
  return json;
}

}  // namespace sentry::internal
