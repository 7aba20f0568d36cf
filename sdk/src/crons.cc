#include "sentry/crons.h"

#include <exception>
#include <utility>

#include "absl/time/time.h"
#include "sdk/src/check_in_item.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/propagation.h"
#include "sdk/src/scope_data.h"
#include "sdk/src/span_record.h"

namespace sentry {

EventId Hub::CaptureCheckIn(CheckIn check_in) {
  if (internal::InForkedChild()) return {};
  if (absl::Status status = internal::ValidateCheckIn(check_in); !status.ok()) {
    internal::Log(internal::LogLevel::kWarning,
                  "check-in not sent: ", status.message());
    return {};
  }
  std::string trace_id, span_id;
  ConfigureScope([&](Scope& scope) {
    const Span span = scope.GetSpan();
    if (internal::SpanAccess::Record(span) != nullptr) {
      trace_id = span.trace_id();
      span_id = span.span_id();
    } else {
      internal::PropagationContext trace =
          internal::ScopeAccess::Propagation(scope);
      trace_id = std::move(trace.trace_id);
      span_id = std::move(trace.span_id);
    }
  });
  std::shared_ptr<Client> client = this->client();
  if (client == nullptr) return {};
  return client->CaptureCheckIn(std::move(check_in), std::move(trace_id),
                                std::move(span_id));
}

EventId CaptureCheckIn(CheckIn check_in) {
  return Hub::Current()->CaptureCheckIn(std::move(check_in));
}

MonitorGuard::MonitorGuard(std::string monitor_slug,
                           std::optional<MonitorConfig> config)
    : hub_(Hub::Current()),
      monitor_slug_(std::move(monitor_slug)),
      config_(std::move(config)),
      start_(std::chrono::steady_clock::now()),
      uncaught_exceptions_(std::uncaught_exceptions()) {
  scope_.emplace(hub_->PushScope());
  hub_->StartNewTrace();
  hub_->ConfigureScope([&](Scope& scope) {
    trace_id_ = internal::ScopeAccess::Propagation(scope).trace_id;
  });
  CheckIn check_in;
  check_in.monitor_slug = monitor_slug_;
  check_in.status = CheckInStatus::kInProgress;
  check_in.monitor_config = config_;
  check_in_id_ = hub_->CaptureCheckIn(std::move(check_in));
}

MonitorGuard::~MonitorGuard() {
  CheckIn check_in;
  check_in.monitor_slug = std::move(monitor_slug_);
  check_in.status = failed_ || std::uncaught_exceptions() > uncaught_exceptions_
                        ? CheckInStatus::kError
                        : CheckInStatus::kOk;
  // Without the in_progress one (it was dropped), a new check-in.
  check_in.check_in_id = check_in_id_;
  check_in.duration =
      absl::FromChrono(std::chrono::steady_clock::now() - start_);
  check_in.monitor_config = std::move(config_);
  hub_->CaptureCheckIn(std::move(check_in));
  scope_.reset();
}

}  // namespace sentry
