// sentry::AttributeValue and sentry::LogAttributes: typed key-value data on
// structured logs and metrics (a string, a boolean, a 64-bit integer or a
// double, as Sentry's attributes are).
//
//   sentry::logger::Info(sentry::LogAttributes{{"order_id", 4711},
//                                              {"region", "eu-west-1"}},
//                        "order $0 paid", order_id);
//   sentry::GlobalScope().SetAttribute("service", "billing");
//
// An unsigned value above INT64_MAX is kept as its decimal string (Sentry
// has no unsigned type).
#ifndef SENTRY_ATTRIBUTES_H_
#define SENTRY_ATTRIBUTES_H_

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace sentry {

class AttributeValue {
 public:
  enum class Type { kString, kBool, kInt64, kDouble };

  AttributeValue() = default;  // The empty string.
  AttributeValue(const char* value) : string_(value) {}
  AttributeValue(absl::string_view value) : string_(value) {}
  AttributeValue(std::string value) : string_(std::move(value)) {}
  AttributeValue(bool value) : type_(Type::kBool), bool_(value) {}
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T> &&
                                                    !std::is_same_v<T, bool>>>
  AttributeValue(T value) {
    SetInteger(value);
  }
  AttributeValue(double value) : type_(Type::kDouble), double_(value) {}
  AttributeValue(float value) : AttributeValue(static_cast<double>(value)) {}

  Type type() const { return type_; }
  // The value of its type; the others are empty, false or 0.
  const std::string& string_value() const { return string_; }
  bool bool_value() const { return bool_; }
  int64_t int_value() const { return int_; }
  double double_value() const { return double_; }
  // The value as text ("true", "42", "1.5", or the string itself).
  std::string ToString() const;

  // Setters that keep the string's capacity (the SDK reuses values).
  void SetString(absl::string_view value) {
    type_ = Type::kString;
    if (absl::string_view(string_) != value) {
      string_.assign(value.data(), value.size());
    }
  }
  void SetBool(bool value) {
    type_ = Type::kBool;
    bool_ = value;
  }
  void SetDouble(double value) {
    type_ = Type::kDouble;
    double_ = value;
  }
  template <typename T>
  void SetInteger(T value) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        SetUnsignedAsString(value);
        return;
      }
    }
    type_ = Type::kInt64;
    int_ = static_cast<int64_t>(value);
  }

  bool operator==(const AttributeValue& other) const;
  bool operator!=(const AttributeValue& other) const {
    return !(*this == other);
  }

 private:
  void SetUnsignedAsString(uint64_t value);

  Type type_ = Type::kString;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
};

// Attributes in the order given; a later duplicate key wins.
using LogAttributes = std::vector<std::pair<std::string, AttributeValue>>;

}  // namespace sentry

#endif  // SENTRY_ATTRIBUTES_H_
