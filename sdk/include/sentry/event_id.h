// sentry::EventId: the id a capture returns, 32 lowercase hex digits (a
// UUID without dashes), held by value: returning one allocates nothing, as
// a std::string of 32 characters would on every capture.
//
//   sentry::EventId id = sentry::CaptureMessage("disk almost full");
//   if (!id.empty()) LOG(INFO) << "reported as " << id;
//   std::string kept = id;  // where a string is needed
//   absl::string_view digits = id.view();
//
// Empty when nothing was captured (the SDK disabled, the event dropped
// before it was queued).
#ifndef SENTRY_EVENT_ID_H_
#define SENTRY_EVENT_ID_H_

#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"

namespace sentry {

class EventId {
 public:
  static constexpr size_t kSize = 32;

  // The empty id.
  EventId() = default;
  // The id of `hex`, 32 characters (anything else gives the empty id).
  explicit EventId(absl::string_view hex) {
    if (hex.size() == kSize) {
      std::memcpy(hex_, hex.data(), kSize);
      size_ = kSize;
    }
  }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // The digits, empty for the empty id; valid while this object is.
  absl::string_view view() const { return absl::string_view(hex_, size_); }
  std::string str() const { return std::string(view()); }
  operator std::string() const { return str(); }  // NOLINT: an id is text

  friend bool operator==(const EventId& a, const EventId& b) {
    return a.view() == b.view();
  }
  friend bool operator!=(const EventId& a, const EventId& b) {
    return !(a == b);
  }
  friend bool operator==(const EventId& a, absl::string_view b) {
    return a.view() == b;
  }
  friend bool operator==(absl::string_view a, const EventId& b) {
    return a == b.view();
  }
  friend bool operator!=(const EventId& a, absl::string_view b) {
    return !(a == b);
  }
  friend bool operator!=(absl::string_view a, const EventId& b) {
    return !(a == b);
  }
  friend std::ostream& operator<<(std::ostream& out, const EventId& id) {
    return out << id.view();
  }

 private:
  char hex_[kSize] = {};
  uint8_t size_ = 0;
};

}  // namespace sentry

#endif  // SENTRY_EVENT_ID_H_
