#include "sentry/testing/capture.h"

#include <memory>
#include <utility>

#include "sentry/client.h"
#include "sentry/hub.h"
#include "sentry/testing/test_transport.h"

namespace sentry::testing {

Captured Capture(absl::FunctionRef<void()> fn, Options options) {
  auto transport = std::make_shared<TestTransport>();
  options.dsn.clear();
  options.transport = transport;
  options.transport_factory = nullptr;
  // A capture is one run of test code, not a process: no session.
  options.auto_session_tracking = false;
  Captured captured;
  auto client = Client::Create(std::move(options));
  if (!client.ok()) {
    // Options a test passed that the SDK refuses: nothing is captured, as
    // sentry::Init would capture nothing; the code still runs.
    fn();
    return captured;
  }
  {
    HubBinding bind(std::make_shared<Hub>(*client));
    fn();
  }
  (*client)->Close(absl::Seconds(30));
  captured.events = transport->events();
  captured.transactions = transport->transactions();
  captured.logs = transport->logs();
  captured.metrics = transport->metrics();
  captured.envelopes = transport->envelopes();
  captured.client_reports = transport->client_reports();
  return captured;
}

std::vector<protocol::Event> CaptureEvents(absl::FunctionRef<void()> fn) {
  return Capture(fn).events;
}

}  // namespace sentry::testing
