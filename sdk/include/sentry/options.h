// sentry::Options: configuration for sentry::Init and sentry::Client.
//
//   sentry::Options options;
//   options.dsn = "https://key@o1.ingest.sentry.io/42";  // or SENTRY_DSN
//   options.release = "my-app@1.2.3";                     // or SENTRY_RELEASE
//   options.before_send = [](sentry::protocol::Event& event) {
//     event.mutable_tags()->erase("secret");
//     return true;  // false drops the event
//   };
//   auto guard = sentry::Init(std::move(options));
//
// A plain struct: fill it on one thread, then hand it over.
#ifndef SENTRY_OPTIONS_H_
#define SENTRY_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sentry/integration.h"
#include "sentry/logs.h"
#include "sentry/metrics.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/tracing.h"
#include "sentry/transport.h"

namespace sentry {

struct Options {
  // Where events go. Empty (and no SENTRY_DSN): nothing is sent unless a
  // transport is set. An invalid DSN disables the SDK with an error status.
  std::string dsn;
  std::string release;  // Falls back to SENTRY_RELEASE.
  std::string
      environment;  // Falls back to SENTRY_ENVIRONMENT, then "production".
  std::string dist;
  std::string server_name;  // Defaults to the host name.

  // Share of error events kept, in [0, 1].
  double sample_rate = 1.0;
  // Breadcrumbs kept per scope and sent per event, in [0, 1000].
  int max_breadcrumbs = 100;
  // Attaches the calling thread's stack to messages too (exceptions always
  // carry one).
  bool attach_stacktrace = false;
  // Stack frames whose function or module path starts with one of these are
  // the application's (in_app), or not. By default frames of the standard
  // library, the SDK, Abseil, Protobuf and system libraries are not.
  std::vector<std::string> in_app_include;
  std::vector<std::string> in_app_exclude;
  // Whether integrations may add personal data (IP addresses, cookies, ...).
  bool send_default_pii = false;
  // Data scrubbing, on the SDK's threads before anything is sent: the value
  // of every key that names a secret becomes "[Filtered]" in tags, extras,
  // contexts, breadcrumb data, the request's headers, cookies, query string
  // and data, span data and tags, and log and metric attributes; without
  // send_default_pii the user's ip_address and email are removed. A key
  // names a secret when, lowercased and with '-' read as '_', it is in the
  // README's list (password, token, authorization, cookie, session, ...) or
  // in scrub_keys, or ends in "_password", "_secret", "_token", "_api_key",
  // ... Runs after event processors, before before_send (which may put
  // back what it must).
  bool scrub_data = true;
  std::vector<std::string> scrub_keys;
  // String values that one of these matches (a substring, or an ECMAScript
  // regular expression that matches somewhere, e.g. a card number) become
  // "[Filtered]" too, whatever their key.
  std::vector<std::string> scrub_value_patterns;
  // Release health (needs a release): one session per process run, or, in
  // request mode (servers), one per HTTP request handled by the
  // //integrations/http_server middleware, sent as per-minute aggregates.
  bool auto_session_tracking = true;
  enum class SessionMode { kApplication, kRequest };
  SessionMode session_mode = SessionMode::kApplication;
  // Reports an exception that reaches std::terminate as a fatal event
  // (mechanism "terminate"), then lets the previous terminate handler run.
  bool capture_terminate = true;
  // Writes the SDK's debug log to stderr.
  bool debug = false;
  // How long the guard returned by Init waits for pending events.
  absl::Duration shutdown_timeout = absl::Seconds(2);
  // Events captured but not yet processed; beyond it new events are dropped
  // and counted as queue_overflow.
  size_t max_queue_size = 1000;
  // Sends counts of dropped events (client reports) along with envelopes.
  bool send_client_reports = true;

  // Last chance to change or drop an error event (false drops it). Runs on
  // the SDK's worker thread, never under an SDK lock.
  std::function<bool(protocol::Event& event)> before_send;

  // Noise control. Error events to drop before any user callback sees them
  // (counted as event_processor drops): an entry drops an event when it is
  // the type of one of its exceptions ("std::bad_alloc", "app::Timeout"),
  // or when it matches the event's message or an exception's value as a
  // pattern (a substring, or an ECMAScript regular expression that matches
  // somewhere).
  std::vector<std::string> ignore_errors;
  // Finished transactions whose name an entry matches as such a pattern
  // ("/health", "^GET /metrics$") are dropped the same way, with their spans.
  std::vector<std::string> ignore_transactions;
  // The sample rate of one error event, instead of sample_rate; runs after
  // before_send, on the SDK's worker thread, never under an SDK lock. A rate
  // outside [0, 1] or a throw: sample_rate applies (the debug log says so).
  std::function<double(const protocol::Event& event)> error_sampler;
  // An exception object captured again on the same thread (rethrown with
  // `throw;` or std::rethrow_exception on its way up the stack, and caught
  // and captured at each level) is sent once; the later captures are
  // counted as event_processor drops and return "". The thread keeps the
  // last exception it captured alive until it captures another.
  bool dedupe = true;

  // Changes or drops user feedback (sentry/feedback.h; false drops it),
  // on the SDK's worker thread, never under an SDK lock.
  std::function<bool(protocol::Event& feedback)> before_send_feedback;

  // Tracing (sentry/tracing.h). Share of transactions kept, in [0, 1];
  // unset (and no traces_sampler) turns performance monitoring off (0 keeps
  // none but still decides, and propagates that decision).
  std::optional<double> traces_sample_rate;
  // Decides the rate of each transaction instead (from its context and its
  // parent's decision); runs on the thread that starts the transaction,
  // never under an SDK lock. A rate outside [0, 1] or a throw keeps none.
  std::function<double(const SamplingContext& context)> traces_sampler;
  // Changes or drops a finished transaction (false drops it), as
  // before_send does for errors (which transactions do not go through).
  std::function<bool(protocol::Event& transaction)> before_send_transaction;
  // Which outgoing URLs the integrations add trace headers to: an entry
  // matches a URL that contains it, or that it matches somewhere as an
  // ECMAScript regular expression. Empty: every URL.
  std::vector<std::string> trace_propagation_targets;
  // Also send W3C traceparent on outgoing requests.
  bool propagate_traceparent = false;
  // Continue an incoming trace only when both sides' org ids are known and
  // equal (otherwise: only when they do not differ).
  bool strict_trace_continuation = false;
  // This organization's id, for the rule above and the DSC; by default
  // parsed from the DSN host (o{N}.ingest.sentry.io).
  std::optional<uint64_t> org_id;
  // Structured logs (sentry/logs.h): sent unless off.
  bool enable_logs = true;
  // Changes or drops a log (false drops it; so does a throw). Runs on the
  // SDK's thread that sends logs, never under an SDK lock.
  std::function<bool(Log& log)> before_send_log;
  // Trace metrics (sentry/metrics.h): sent unless off.
  bool enable_metrics = true;
  // Changes or drops a metric, as before_send_log does for logs.
  std::function<bool(Metric& metric)> before_send_metric;

  // Changes or drops a breadcrumb (false drops it). Runs on the calling
  // thread, never under an SDK lock.
  std::function<bool(protocol::Breadcrumb& breadcrumb)> before_breadcrumb;

  // Where envelopes go. Keep a copy of the pointer to inspect a test
  // transport. When null and a DSN is set, sentry::Init asks
  // `transport_factory` for one; when that is empty too, the default
  // factory: HTTP with the settings below, when the program links
  // //sdk:sentry (the core alone, //sdk:core, has no default, and a DSN
  // without a transport is then an error).
  std::shared_ptr<Transport> transport;
  // Makes the transport from the final options (DSN included, also when it
  // came from SENTRY_DSN); an error status disables the SDK with it.
  std::function<absl::StatusOr<std::shared_ptr<Transport>>(const Options&)>
      transport_factory;

  // HTTP transport (read by its factory). A PEM file of CA certificates to
  // trust instead of the system's (TLS peer verification is always on).
  std::string ca_certs;
  // Proxies; when empty, the usual environment variables apply.
  std::string http_proxy;
  std::string https_proxy;
  // gzip request bodies when that makes them smaller.
  bool compress_envelopes = true;
  // Envelopes waiting for the network; beyond either bound the newest is
  // dropped and counted as queue_overflow.
  size_t max_transport_queue = 1000;
  size_t max_transport_queue_bytes = 16 << 20;
  // Offline spool: envelopes that could not be delivered (network down,
  // shutdown timeout) are kept there and sent by the next Init. Empty: none.
  // A directory that cannot be used is logged and the SDK runs without it.
  std::string cache_dir;
  size_t max_cache_files = 10000;  // a minute of 100 events/s (64 MiB cap)

  // Spotlight, Sentry's local development UI: every envelope also goes to
  // its sidecar (npx @spotlightjs/spotlight), with or without a DSN. Unset:
  // on when spotlight_url is set, else the SENTRY_SPOTLIGHT environment
  // variable decides ("1", "true", "on" or a URL turn it on; "0", "false",
  // "off" or nothing leave it off). Needs //sdk:sentry (the HTTP transport).
  std::optional<bool> spotlight;
  // The sidecar's URL; empty: SENTRY_SPOTLIGHT when it is a URL, else
  // http://localhost:8969/stream.
  std::string spotlight_url;

  std::vector<std::shared_ptr<Integration>> integrations;
};

}  // namespace sentry

#endif  // SENTRY_OPTIONS_H_
