#include "sentry/attributes.h"

#include <charconv>

#include "absl/strings/str_cat.h"

namespace sentry {

std::string AttributeValue::ToString() const {
  switch (type_) {
    case Type::kString:
      return string_;
    case Type::kBool:
      return bool_ ? "true" : "false";
    case Type::kInt64:
      return absl::StrCat(int_);
    case Type::kDouble: {
      char buffer[32];
      auto result = std::to_chars(buffer, buffer + sizeof(buffer), double_);
      return std::string(buffer, result.ptr);
    }
  }
  return "";
}

bool AttributeValue::operator==(const AttributeValue& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kString:
      return string_ == other.string_;
    case Type::kBool:
      return bool_ == other.bool_;
    case Type::kInt64:
      return int_ == other.int_;
    case Type::kDouble:
      return double_ == other.double_;
  }
  return false;
}

void AttributeValue::SetUnsignedAsString(uint64_t value) {
  type_ = Type::kString;
  string_.clear();
  absl::StrAppend(&string_, value);
}

}  // namespace sentry
