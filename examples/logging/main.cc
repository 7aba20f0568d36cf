// Logs through spdlog, linked to the error they explain: a payment job logs
// its steps through an spdlog logger (to the console and, through the
// Sentry sink, as Sentry logs), records a metric, and captures the error it
// ends with. In Sentry the error's trace shows those log lines.
//
//   logging            # prints the envelopes (or sends them to SENTRY_DSN)
//
// The console shows each line with the trace id it was sent with; the
// error's envelope (on stdout) carries the same id.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "sentry/integrations/spdlog.h"
#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"
#include "spdlog/logger.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace {

// Charges `amount` cents; fails for amounts over the card's limit.
bool Charge(spdlog::logger& log, const std::string& order, int amount) {
  log.info("charging order {} for {} cents", order, amount);
  sentry::metrics::Distribution("payment.amount", amount, "cent",
                                {{"currency", "EUR"}});
  if (amount > 10000) {
    log.warn("order {} is over the card's limit", order);
    return false;
  }
  return true;
}

}  // namespace

int main() {
  sentry::Options options;
  options.release = "logging-example@0.1.0";
  options.auto_session_tracking = false;
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }

  // The console gets every line; Sentry gets info and above as logs, and
  // (as breadcrumbs of the error) the same lines.
  sentry::integrations::SpdlogSink::Options sink_options;
  sink_options.breadcrumbs = spdlog::level::info;
  auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  console->set_pattern("[%l] %v");
  spdlog::logger log(
      "payments", {console, std::make_shared<sentry::integrations::SpdlogSink>(
                                sink_options)});

  sentry::ConfigureScope([](sentry::Scope& scope) {
    scope.SetTag("job", "nightly-charges");
    scope.SetAttribute("job", "nightly-charges");
  });
  sentry::logger::Info("job started with $0 orders", 2);
  Charge(log, "A-1001", 2500);
  if (!Charge(log, "A-1002", 25000)) {
    const std::string id =
        sentry::CaptureMessage("payment failed", sentry::Level::kError);
    std::cerr << "error " << id << " captured\n";
  }
  // The trace the log lines and the error share (also in the envelopes).
  std::cerr << "trace " << sentry::GetTraceHeaders().sentry_trace.substr(0, 32)
            << "\n";
  return 0;
}
