// sentry::integrations::SpdlogSink: an spdlog sink that sends the records a
// service already logs to Sentry: as structured logs (sentry/logs.h), and
// optionally as breadcrumbs and, from a chosen level up, as error events.
//
//   auto sink = std::make_shared<sentry::integrations::SpdlogSink>();
//   auto logger = std::make_shared<spdlog::logger>(
//       "billing", spdlog::sinks_init_list{console_sink, sink});
//   logger->info("order {} paid", order_id);  // a Sentry log, same trace
//                                             // as the errors around it
//
// spdlog formats each record once (its `fmt` payload); the sink sends that
// text as the log's body, without a template or parameters, and never runs
// spdlog's pattern formatter. Each log carries `sentry.origin`
// "auto.log.spdlog", `logger.name`, and, when the record has it,
// `code.file.path` and `code.line.number`. The trace is the one of the
// calling thread's scope, as for every log (with spdlog's async loggers the
// sink runs on spdlog's own thread: records then carry that thread's).
//
// Thread-safe without a lock of its own (the SDK's calls are), as spdlog's
// "_mt" sinks must be; with the SDK disabled a record costs one check.
#ifndef SENTRY_INTEGRATIONS_SPDLOG_H_
#define SENTRY_INTEGRATIONS_SPDLOG_H_

#include <memory>

#include "spdlog/sinks/sink.h"

namespace sentry::integrations {

class SpdlogSink : public spdlog::sinks::sink {
 public:
  struct Options {
    // Records at or above this level become Sentry logs.
    spdlog::level::level_enum logs = spdlog::level::info;
    // ... breadcrumbs, below the events' level (off: none).
    spdlog::level::level_enum breadcrumbs = spdlog::level::off;
    // ... events, with the record's text as message (off: none).
    spdlog::level::level_enum events = spdlog::level::off;
  };

  SpdlogSink() : SpdlogSink(Options()) {}
  explicit SpdlogSink(Options options);

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override {}
  // The sink formats nothing: patterns and formatters are ignored.
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  const Options options_;
};

}  // namespace sentry::integrations

#endif  // SENTRY_INTEGRATIONS_SPDLOG_H_
