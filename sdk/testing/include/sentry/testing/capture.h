// sentry::testing::CaptureEvents: runs code under a hub of its own, bound to
// a fresh test transport, and returns what that code sent. No sentry::Init,
// no global state: tests that use it can run in parallel, in one process.
//
//   TEST(Checkout, ReportsDeclinedCards) {
//     auto events = sentry::testing::CaptureEvents([] { Checkout(declined); });
//     EXPECT_THAT(events, ElementsAre(AllOf(
//         sentry::testing::HasMessage("card declined"),
//         sentry::testing::HasTag("payment", "visa"))));
//   }
//
// The hub is current on the calling thread while `fn` runs; work `fn` hands
// to sentry::Thread, BindHub or the other integrations goes to it as well
// (they fork the current hub). A plain std::thread started inside forks the
// main hub instead, as always. When `fn` returns, the client is closed
// (every event processed, logs and metrics flushed) before the results are
// read. The matchers for the results are in sentry/testing/matchers.h.
#ifndef SENTRY_TESTING_CAPTURE_H_
#define SENTRY_TESTING_CAPTURE_H_

#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "google/protobuf/struct.pb.h"
#include "sentry/client_reports.h"
#include "sentry/envelope.h"
#include "sentry/options.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::testing {

// Everything a capture sent.
struct Captured {
  std::vector<protocol::Event> events;
  std::vector<protocol::Event> transactions;
  // Log and metric records, each as its JSON object.
  std::vector<google::protobuf::Struct> logs;
  std::vector<google::protobuf::Struct> metrics;
  // Every envelope, in order, as the transport got it.
  std::vector<Envelope> envelopes;
  // What the client dropped (sampling, before_send, ...): Count(reason,
  // category), every drop, whether or not a client report carried it.
  std::shared_ptr<ClientReports> client_reports;
};

// Runs `fn` with a fresh hub current and returns the error events it sent.
std::vector<protocol::Event> CaptureEvents(absl::FunctionRef<void()> fn);

// The same with `options` (its transport and DSN are replaced by the test
// transport), returning everything sent.
Captured Capture(absl::FunctionRef<void()> fn, Options options = {});

}  // namespace sentry::testing

#endif  // SENTRY_TESTING_CAPTURE_H_
