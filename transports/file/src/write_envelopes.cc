// Writes a message, an exception and an event with an attachment through the
// file transport into the directory given as the only argument (used by
// sentry_cli_test.sh).
#include <iostream>
#include <stdexcept>

#include "sentry/sentry.h"
#include "sentry/transports/file_transport.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_envelopes DIRECTORY\n";
    return 2;
  }
  auto transport = sentry::NewFileTransport(argv[1]);
  if (!transport.ok()) {
    std::cerr << transport.status() << "\n";
    return 1;
  }
  sentry::Options options;
  options.transport = *transport;
  options.release = "write-envelopes@1.0.0";
  sentry::InitGuard guard = sentry::Init(std::move(options));
  sentry::ConfigureScope([](sentry::Scope& scope) {
    scope.SetTag("tool", "write_envelopes");
    scope.SetExtra("invalid utf-8", "caf\xC3");
    scope.SetExtra("nan", 0.0 / 0.0);
  });
  sentry::AddBreadcrumb("starting", "app");
  sentry::CaptureMessage("spooled message", sentry::Level::kWarning);
  sentry::CaptureException(std::runtime_error("spooled exception"));
  sentry::WithScope([](sentry::Scope& scope) {
    scope.AddAttachment(sentry::Attachment::FromBytes(
        "notes.txt", "line one\r\nline two\n", "text/plain"));
    sentry::CaptureMessage("with attachment");
  });
  return guard.Close() ? 0 : 1;
}
