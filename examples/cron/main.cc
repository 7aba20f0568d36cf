// Cron monitoring: a scheduled job reports each run to Sentry (check-ins),
// so that Sentry raises an issue when a run fails, overruns or does not
// happen. Here the job "invoice-sync" runs three times; the second run
// fails, and its error is linked to that run's check-ins by their trace.
//
//   cron            # prints the envelopes (or sends them to SENTRY_DSN)
//
// The console says, for each run, its check-in id, its trace and how it
// ended; the check-ins (and the error) on stdout carry the same ids.
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "sentry/sentry.h"
#include "sentry/transports/stdout_transport.h"

namespace {

// The job: the second run finds the ledger service down.
void SyncInvoices(int run) {
  sentry::AddBreadcrumb("fetching invoices", "job");
  if (run == 2) throw std::runtime_error("ledger service unavailable");
  sentry::AddBreadcrumb("invoices synced", "job");
}

}  // namespace

int main() {
  sentry::Options options;
  options.release = "cron-example@0.1.0";
  options.auto_session_tracking = false;
  if (std::getenv("SENTRY_DSN") == nullptr) {
    options.transport = sentry::NewStdoutTransport(std::cout);
  }
  sentry::InitGuard guard = sentry::Init(std::move(options));
  if (!guard.status().ok()) {
    std::cerr << "sentry disabled: " << guard.status() << "\n";
    return 1;
  }

  // Sent with every check-in: Sentry creates the monitor on the first one.
  sentry::MonitorConfig config;
  config.schedule = sentry::MonitorSchedule::Crontab("*/5 * * * *");
  config.checkin_margin_minutes = 1;
  config.max_runtime_minutes = 10;
  config.timezone = "Europe/Vienna";
  config.failure_issue_threshold = 1;

  for (int run = 1; run <= 3; ++run) {
    std::string id, trace;
    try {
      // in_progress now; ok, or error if an exception leaves the block.
      sentry::MonitorGuard job("invoice-sync", config);
      id = job.check_in_id();
      trace = job.trace_id();
      try {
        SyncInvoices(run);
      } catch (const std::exception& e) {
        sentry::CaptureException(e);  // in the run's trace
        throw;
      }
      std::cerr << "run " << run << " check-in " << id << " trace " << trace
                << " ok\n";
    } catch (const std::exception& e) {
      std::cerr << "run " << run << " check-in " << id << " trace " << trace
                << " error: " << e.what() << "\n";
    }
  }
  return 0;
}
