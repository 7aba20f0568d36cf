// A user's plugin that reports through the SDK.
#include "sentry/sentry.h"

extern "C" __attribute__((visibility("default"))) void PluginReport() {
  sentry::CaptureMessage("from the plugin");
}
