// The quick start: captures a message with tags, user and breadcrumbs, a
// std::exception with the user's feedback about it, and an event changed by
// before_send.
//
// With SENTRY_DSN unset it prints the envelopes to stdout. With SENTRY_DSN set
// it sends them there over HTTP (sentry::Init picks the HTTP transport).
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"

namespace {

void ParseConfig(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("empty configuration");
}

}  // namespace

int main() {
  sentry::Options options;
  options.release = "quickstart@0.1.0";
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  options.before_send = [](sentry::protocol::Event& event) {
    // The SDK has filtered secrets already (Options::scrub_data): a
    // password's value is "[Filtered]" here. Mark the events it touched.
    const auto password = event.extra().find("password");
    if (password != event.extra().end() &&
        password->second.string_value() == "[Filtered]") {
      (*event.mutable_tags())["scrubbed"] = "yes";
    }
    return true;
  };
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }

  sentry::ConfigureScope([](sentry::Scope& scope) {
    scope.SetTag("component", "quickstart");
    scope.SetTag("region", "eu-west-1");
    sentry::protocol::User user;
    user.set_id("42");
    user.set_username("ada");
    user.set_email("ada@example.com");
    scope.SetUser(user);
  });
  sentry::AddBreadcrumb("loaded settings", "config");
  sentry::AddBreadcrumb("connected to database", "db");

  // 1. A message.
  sentry::CaptureMessage("quickstart started", sentry::Level::kInfo);

  // 2. An exception.
  try {
    ParseConfig("");
  } catch (const std::exception& e) {
    const std::string error_id = sentry::CaptureException(e);
    // 4. What the user said about it.
    sentry::Feedback feedback;
    feedback.message = "The settings page stays blank";
    feedback.contact_email = "ada@example.com";
    feedback.associated_event_id = error_id;
    sentry::CaptureFeedback(std::move(feedback));
  }

  // 3. An event that before_send changes.
  sentry::WithScope([](sentry::Scope& scope) {
    scope.SetExtra("password", "hunter2");
    sentry::CaptureMessage("login failed", sentry::Level::kWarning);
  });

  if (!sentry::Flush(absl::Seconds(5))) {
    std::cerr << "flush timed out\n";
    return 1;
  }
  return 0;
}
