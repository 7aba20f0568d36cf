// sentry::Integration: an extension that hooks into the SDK when a client is
// created (signal handlers, framework middleware, ...).
//
//   class MyIntegration : public sentry::Integration {
//    public:
//     absl::string_view name() const override { return "my-integration"; }
//     bool ProcessEvent(sentry::protocol::Event& event) override {
//       event.mutable_tags()->insert({"integrated", "yes"});
//       return true;
//     }
//   };
//   options.integrations.push_back(std::make_shared<MyIntegration>());
//
// Thread-safety: ProcessEvent runs on the SDK's worker thread; SetupOnce and
// Setup run on the thread that calls sentry::Init. No method may throw; an
// exception from ProcessEvent drops the event and is logged.
#ifndef SENTRY_INTEGRATION_H_
#define SENTRY_INTEGRATION_H_

#include "absl/strings/string_view.h"
#include "sentry/protocol/event.pb.h"

namespace sentry {

class Client;

class Integration {
 public:
  virtual ~Integration() = default;

  // A stable name, listed in the event's sdk.integrations.
  virtual absl::string_view name() const = 0;

  // Called once per process for each integration name (global hooks).
  virtual void SetupOnce() {}

  // Called for every client the integration is given to.
  virtual void Setup(Client& client) { (void)client; }

  // Runs on every event after the scopes' event processors; false drops it.
  virtual bool ProcessEvent(protocol::Event& event) {
    (void)event;
    return true;
  }

  // False for an integration whose ProcessEvent does nothing: when no code
  // looks at an event, the SDK writes the scopes' breadcrumbs and its own
  // contexts from JSON encoded once instead of copying them into the event.
  virtual bool processes_events() const { return true; }
};

}  // namespace sentry

#endif  // SENTRY_INTEGRATION_H_
