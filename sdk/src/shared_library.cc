// Entry points that pull the whole SDK into libsentry_cpp.so (the shared
// object the symbol-export test inspects).
#include "sentry/sentry.h"

extern "C" int sentry_cpp_capture_message(const char* message) {
  return sentry::CaptureMessage(message).empty() ? 0 : 1;
}
