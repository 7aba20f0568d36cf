#include "sentry/client.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <utility>
#include <variant>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/types/span.h"
#include "sdk/src/apply_scopes.h"
#include "sdk/src/check_in_item.h"
#include "sdk/src/chunked_queue.h"
#include "sdk/src/event_filters.h"
#include "sdk/src/event_json.h"
#include "sdk/src/fork.h"
#include "sdk/src/log.h"
#include "sdk/src/message_json.h"
#include "sdk/src/os_context.h"
#include "sdk/src/propagation.h"
#include "sdk/src/random.h"
#include "sdk/src/request_sessions.h"
#include "sdk/src/scrubber.h"
#include "sdk/src/sdk_thread.h"
#include "sdk/src/session.h"
#include "sdk/src/span_record.h"
#include "sdk/src/stacktrace.h"
#include "sdk/src/telemetry.h"
#include "sdk/src/telemetry_buffer.h"
#include "sdk/src/timestamps.h"
#include "sdk/src/user_callback.h"
#include "sentry/version.h"

namespace sentry {
namespace internal {

struct alignas(64) CaptureWork {
  // Not value-initialized: the slot's text room is written only as far as
  // a message fills it.
  CaptureWork() {}
  // The event; null for a message captured without a stack, which the
  // worker builds from its text, `level`, `event_id` and `timestamp`, and
  // for a transaction, which it builds from `spans`. The capturing thread
  // touches no protobuf code then: at the rates servers capture at, each
  // capture finds its caches cold, and protobuf's code and an Event's
  // memory were the largest part of its cost (BENCHMARKS.md, paced runs).
  std::unique_ptr<protocol::Event> event;
  CapturedScopes scopes;
  // A finished transaction's state: its trace, DSC, children and own span
  // (the worker takes the spans out).
  std::shared_ptr<TransactionState> transaction;
  // A message's text when longer than kInlineText bytes.
  std::string message;
  double timestamp = 0;
  // A cron check-in (then nothing else is set but `event_id`, its id) or
  // user feedback (then `scopes`, `event_id` and `timestamp` are set too):
  // rare, so both behind one pointer.
  struct CheckInWork {
    CheckIn check_in;
    std::string trace_id;
    std::string span_id;
  };
  using Other = std::variant<CheckInWork, Feedback>;
  std::unique_ptr<Other> other;
  const CheckInWork* check_in() const {
    return other != nullptr ? std::get_if<CheckInWork>(other.get()) : nullptr;
  }
  const Feedback* feedback() const {
    return other != nullptr ? std::get_if<Feedback>(other.get()) : nullptr;
  }
  char event_id[32] = {};
  // A message's text in the slot itself, up to kInlineText bytes (most
  // messages): capturing it allocates nothing on the calling thread for the
  // worker to free (BENCHMARKS.md, the sixth change). Unsigned: a copy of
  // the slot copies the room's unwritten bytes too.
  static constexpr size_t kInlineText = 128;
  unsigned char inline_text[kInlineText];
  uint8_t inline_size = 0;
  static_assert(kInlineText <= UINT8_MAX, "inline_size holds the length");
  // An event about an earlier run (CapturePreviousRunEvent): not counted
  // in this run's session.
  bool previous_run = false;
  Level level = Level::kInfo;
};
// A capture writes its work into a queue slot that the worker wrote last
// (cold, or in the other CPU's cache): the rare parts are behind pointers,
// so that a message's slot, its text included, is four cache lines (with
// libstdc++; BENCHMARKS.md, paced runs).
static_assert(sizeof(CaptureWork) <= 256);

// The worker takes all of it at once and gives the emptied chunks back, so
// that in a steady state nothing is allocated by capturing threads and freed
// by the worker (which would contend for the allocator's lock of the other
// thread), and after a burst its memory is returned.
// Up to 64 chunks (4,096 events, about 3 MB) are kept spare: with fewer,
// the capturing thread allocated fresh chunks whenever the worker still held
// the last batch's (BM_CaptureMessage and BM_Pipeline both slower).
using CaptureChunks = ChunkedQueue<CaptureWork, 64, 64>;

struct CaptureQueue {
  CaptureChunks items;
};

}  // namespace internal

namespace {

using DebugLevel = internal::LogLevel;  // (sentry::LogLevel is for logs)

// Events above this many bytes of JSON are shrunk, then dropped
// (PROTOCOL.md section 2.6: 1 MiB per event).
constexpr size_t kMaxEventBytes = 1 << 20;
constexpr int kMaxBreadcrumbsLimit = 1000;
// A feedback's message (PROTOCOL.md section 2.5).
constexpr size_t kMaxFeedbackMessage = 4096;
// Request-mode session aggregates go out at least this often (PROTOCOL.md
// section 6.3: every 30-60 s, and on flush and close).
constexpr absl::Duration kAggregateInterval = absl::Seconds(60);

// Keeps the first `max` UTF-8 characters of `text`.
void CutToCharacters(std::string* text, size_t max) {
  size_t characters = 0;
  for (size_t i = 0; i < text->size(); ++i) {
    if ((static_cast<unsigned char>((*text)[i]) & 0xC0) == 0x80) continue;
    if (characters++ == max) {
      text->resize(i);
      return;
    }
  }
}

std::string EnvOr(const std::string& value, const char* variable) {
  if (!value.empty()) return value;
  const char* env = std::getenv(variable);
  return env != nullptr ? env : "";
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = std::move(buffer).str();
  return !in.bad();
}

absl::Mutex setup_once_mu(absl::kConstInit);
absl::flat_hash_set<std::string>& SetupOnceDone()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(setup_once_mu) {
  static auto* const done = new absl::flat_hash_set<std::string>();
  return *done;
}

}  // namespace

absl::StatusOr<std::shared_ptr<Client>> Client::Create(Options options) {
  internal::WatchForForks();
  options.dsn = EnvOr(options.dsn, "SENTRY_DSN");
  options.release = EnvOr(options.release, "SENTRY_RELEASE");
  options.environment = EnvOr(options.environment, "SENTRY_ENVIRONMENT");
  if (options.environment.empty()) options.environment = "production";

  std::optional<Dsn> dsn;
  if (!options.dsn.empty()) {
    auto parsed = Dsn::Parse(options.dsn);
    if (!parsed.ok()) return parsed.status();
    dsn = *std::move(parsed);
  }
  if (!(options.sample_rate >= 0.0 && options.sample_rate <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid sample_rate ", options.sample_rate, ": must be in [0, 1]"));
  }
  if (options.max_breadcrumbs < 0 ||
      options.max_breadcrumbs > kMaxBreadcrumbsLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid max_breadcrumbs ", options.max_breadcrumbs,
                     ": must be in [0, ", kMaxBreadcrumbsLimit, "]"));
  }
  if (options.shutdown_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("invalid shutdown_timeout: negative");
  }
  if (options.traces_sample_rate.has_value() &&
      !(*options.traces_sample_rate >= 0.0 &&
        *options.traces_sample_rate <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid traces_sample_rate ", *options.traces_sample_rate,
                     ": must be in [0, 1]"));
  }
  if (options.max_queue_size == 0) {
    return absl::InvalidArgumentError("invalid max_queue_size: must be > 0");
  }
  if (dsn && options.transport == nullptr) {
    return absl::FailedPreconditionError(
        "a DSN is set but no transport is: set Options::transport");
  }

  std::shared_ptr<Client> client(new Client(std::move(options)));
  if (dsn) client->dsn_header_ = internal::JsonQuote(dsn->raw());
  client->propagation_targets_ = std::make_unique<internal::PropagationTargets>(
      client->options_.trace_propagation_targets);
  client->filters_ = std::make_unique<internal::EventFilters>(
      client->options_.ignore_errors, client->options_.ignore_transactions);
  client->scrubber_ =
      std::make_unique<internal::Scrubber>(internal::Scrubber::Config{
          client->options_.scrub_data, client->options_.scrub_keys,
          client->options_.scrub_value_patterns,
          client->options_.send_default_pii});
  client->dsn_ = std::move(dsn);
  for (const auto& integration : client->options_.integrations) {
    if (integration == nullptr) continue;
    const std::string name(integration->name());
    bool first;
    {
      absl::MutexLock lock(&setup_once_mu);
      first = SetupOnceDone().insert(name).second;
    }
    if (first) integration->SetupOnce();
    integration->Setup(*client);
    client->integration_names_.push_back(name);
  }
  return client;
}

Client::Client(Options options)
    : options_(std::move(options)),
      reports_(std::make_shared<ClientReports>()),
      integrations_process_events_(std::any_of(
          options_.integrations.begin(), options_.integrations.end(),
          [](const auto& i) { return i != nullptr && i->processes_events(); })),
      os_context_(internal::ReadOsContext()),
      os_context_json_(internal::MessageToJson(os_context_)),
      sdk_header_(absl::StrCat("{\"name\":\"", kSdkName, "\",\"version\":\"",
                               kSdkVersion, "\"}")),
      server_name_(options_.server_name.empty() ? internal::HostName()
                                                : options_.server_name),
      has_transport_(options_.transport != nullptr),
      attach_stacktrace_(options_.attach_stacktrace),
      max_queue_size_(options_.max_queue_size),
      queue_(std::make_unique<internal::CaptureQueue>()) {
  // What a capture touches of the client ends on mu_'s cache line (client.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  static_assert(offsetof(Client, enqueued_) + sizeof(enqueued_) <=
                offsetof(Client, mu_) + 64);
#pragma GCC diagnostic pop
  if (options_.auto_session_tracking && !options_.release.empty() &&
      options_.transport != nullptr) {
    if (options_.session_mode == Options::SessionMode::kRequest) {
      aggregator_ = std::make_unique<internal::SessionAggregator>(
          options_.release, options_.environment);
    } else {
      session_ = std::make_unique<internal::SessionTracker>(
          options_.release, options_.environment, options_.cache_dir);
    }
  }
  if (options_.transport != nullptr) {
    using internal::TelemetryAccess;
    using internal::TelemetryBuffer;
    using Batch = absl::Span<internal::TelemetryRecord* const>;
    if (options_.enable_logs) {
      logs_ = std::make_unique<TelemetryBuffer>(
          TelemetryBuffer::Limits{},
          [this](Batch batch) { TelemetryAccess::SendLogs(*this, batch); });
    }
    if (options_.enable_metrics) {
      metrics_ = std::make_unique<TelemetryBuffer>(
          TelemetryBuffer::Limits{},
          [this](Batch batch) { TelemetryAccess::SendMetrics(*this, batch); });
    }
    options_.transport->Start(reports_);
    worker_ = std::thread([this] {
      internal::BecomeSdkThread("sentry-client");
      WorkerLoop();
    });
  }
}

Client::~Client() { Close(absl::ZeroDuration()); }

bool Client::IsEnabled() const {
  if (internal::InForkedChild()) return false;
  absl::MutexLock lock(&mu_);
  return !closed_ && has_transport_;
}

template <typename Fill>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline EventId Client::EnqueueFilled(
    Fill&& fill, absl::string_view id, DataCategory category) {
  bool queued = false;
  bool half_full = false;
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || !has_transport_) return {};
    if (queue_->items.size() < max_queue_size_) {
      fill(EmplaceLocked());
      queued = true;
      half_full = queue_->items.size() == max_queue_size_ / 2 + 1;
    }
  }
  if (queued) {
    if (half_full) Wake();  // A burst: the worker does not wait for its look.
    return EventId(id);
  }
  DropOverflow(id, category);
  return {};
}

EventId Client::CaptureEvent(protocol::Event event, const Scope* scope) {
  if (internal::InForkedChild()) return {};
  if (event.event_id().empty()) {
    event.set_event_id(internal::NewEventId());
  } else if (!internal::NormalizeEventId(event.mutable_event_id())) {
    // Relay would reject the whole envelope.
    const std::string id = internal::NewEventId();
    internal::Log(DebugLevel::kWarning, "event id \"", event.event_id(),
                  "\" is not a UUID: replaced by ", id);
    event.set_event_id(id);
  }
  event.set_timestamp(internal::TimestampOrNow(event.timestamp()));
  if (event.has_breadcrumbs()) {
    for (auto& crumb : *event.mutable_breadcrumbs()->mutable_values()) {
      if (!internal::IsUsableTimestamp(crumb.timestamp())) {
        crumb.set_timestamp(event.timestamp());
      }
    }
  }
  std::string id = event.event_id();
  internal::CaptureWork work;
  work.event = std::make_unique<protocol::Event>(std::move(event));
  work.scopes = internal::CapturedScopes::Of(scope);
  return Enqueue(std::move(work), id);
}

ABSL_ATTRIBUTE_HOT EventId Client::CaptureMessage(absl::string_view message,
                                                  Level level,
                                                  const Scope* scope) {
  if (internal::InForkedChild()) return {};
  // Allocated before the queue's lock when it does not fit in the slot.
  std::string text;
  const bool fits = message.size() <= internal::CaptureWork::kInlineText;
  if (!fits) text.assign(message.data(), message.size());
  char id[32];
  internal::NewEventIdInto(id);
  const double timestamp = internal::NowSeconds();
  internal::CapturedScopes scopes = internal::CapturedScopes::Of(scope);
  return EnqueueFilled(
      [&](internal::CaptureWork& work) {
        if (fits) {
          std::memcpy(work.inline_text, message.data(), message.size());
          work.inline_size = static_cast<uint8_t>(message.size());
        } else {
          work.message = std::move(text);
        }
        work.level = level;
        std::memcpy(work.event_id, id, sizeof(work.event_id));
        work.timestamp = timestamp;
        work.scopes = std::move(scopes);
      },
      absl::string_view(id, sizeof(id)), DataCategory::kError);
}

EventId Client::Enqueue(internal::CaptureWork&& work, absl::string_view id,
                        DataCategory category) {
  return EnqueueFilled(
      [&](internal::CaptureWork& slot) { slot = std::move(work); }, id,
      category);
}

// Out of EnqueueFilled's line: the debug log's formatting would make that
// function's stack frame span more cache lines, which every capture would
// touch (BENCHMARKS.md, the seventh change).
ABSL_ATTRIBUTE_NOINLINE void Client::DropOverflow(absl::string_view id,
                                                  DataCategory category) {
  reports_->Record(DiscardReason::kQueueOverflow, category);
  internal::Log(DebugLevel::kWarning, "queue full: dropped ",
                DataCategoryName(category), " ", id);
}

ABSL_ATTRIBUTE_HOT internal::CaptureWork& Client::EmplaceLocked() {
  internal::CaptureWork& work = queue_->items.emplace_back();
  ++enqueued_;
  // Written only when it changes: a burst does not write the line at every
  // capture while the worker reads it.
  if (!queued_.load(std::memory_order_relaxed)) {
    queued_.store(true, std::memory_order_relaxed);
  }
  return work;
}

EventId Client::CaptureCheckIn(CheckIn check_in, std::string trace_id,
                               std::string span_id) {
  if (internal::InForkedChild()) return {};
  std::string id = check_in.check_in_id.empty() ? internal::NewEventId()
                                                : check_in.check_in_id;
  internal::CaptureWork work;
  std::memcpy(work.event_id, id.data(), sizeof(work.event_id));
  work.other = std::make_unique<internal::CaptureWork::Other>(
      internal::CaptureWork::CheckInWork{
          std::move(check_in), std::move(trace_id), std::move(span_id)});
  return Enqueue(std::move(work), id, DataCategory::kMonitor);
}

EventId Client::CaptureFeedback(Feedback feedback, const Scope* scope) {
  if (internal::InForkedChild()) return {};
  if (feedback.message.empty()) {
    internal::Log(DebugLevel::kWarning, "feedback not sent: no message");
    return {};
  }
  if (!feedback.associated_event_id.empty() &&
      !internal::NormalizeEventId(&feedback.associated_event_id)) {
    internal::Log(DebugLevel::kWarning,
                  "feedback not sent: associated_event_id \"",
                  feedback.associated_event_id, "\" is not an event id");
    return {};
  }
  internal::CaptureWork work;
  std::string id = internal::NewEventId();
  std::memcpy(work.event_id, id.data(), sizeof(work.event_id));
  work.timestamp = internal::NowSeconds();
  work.scopes = internal::CapturedScopes::Of(scope);
  work.other =
      std::make_unique<internal::CaptureWork::Other>(std::move(feedback));
  return Enqueue(std::move(work), id, DataCategory::kFeedback);
}

// Feedback: an event of type "feedback" with the scopes' data (no
// breadcrumbs) and contexts.feedback, then before_send_feedback.
void Client::ProcessFeedback(internal::CaptureWork& work) {
  protocol::Event event;
  event.set_event_id(work.event_id, sizeof(work.event_id));
  event.set_timestamp(work.timestamp);
  event.set_type("feedback");
  event.set_level("info");
  ApplyOptions(event);
  internal::AppliedScopes applied = internal::ApplyScopes(
      work.scopes, /*max_breadcrumbs=*/0, /*copy_breadcrumbs=*/false, event);
  scrubber_->Scrub(event);
  // After scrubbing: the contact address is given to be sent.
  google::protobuf::Struct& context = (*event.mutable_contexts())["feedback"];
  const Feedback& feedback = *work.feedback();
  const std::pair<const char*, const std::string*> fields[] = {
      {"message", &feedback.message},
      {"contact_email", &feedback.contact_email},
      {"name", &feedback.name},
      {"associated_event_id", &feedback.associated_event_id},
      {"url", &feedback.url}};
  for (const auto& [key, value] : fields) {
    if (!value->empty()) {
      (*context.mutable_fields())[key].set_string_value(*value);
    }
  }
  std::string& message =
      *(*context.mutable_fields())["message"].mutable_string_value();
  CutToCharacters(&message, kMaxFeedbackMessage);
  if (options_.before_send_feedback &&
      !internal::CallUserCallback("before_send_feedback", [&] {
        return options_.before_send_feedback(event);
      })) {
    reports_->Record(DiscardReason::kBeforeSend, DataCategory::kFeedback);
    return;
  }
  std::optional<std::string> json =
      EncodeEvent(event, {}, /*os_context_encoded=*/true, applied.trace_json);
  if (!json) {
    reports_->Record(DiscardReason::kInternalSdkError, DataCategory::kFeedback);
    return;
  }
  const std::shared_ptr<const internal::Dsc> dsc =
      applied.dsc != nullptr ? applied.dsc
                             : NewDsc(applied.trace_id, applied.sample_rand,
                                      std::nullopt, std::nullopt, "");
  Envelope envelope = NewEnvelope();
  envelope.SetStringHeader("event_id", event.event_id());
  if (!dsc->fields.empty()) envelope.SetHeader("trace", dsc->ToJson());
  envelope.AddItem("feedback", *std::move(json));
  AddPendingClientReport(envelope);
  options_.transport->SendEnvelope(std::move(envelope));
}

// A check-in: its JSON and envelope, with pending client reports.
void Client::ProcessCheckIn(internal::CaptureWork& work) {
  const internal::CaptureWork::CheckInWork& c = *work.check_in();
  internal::CheckInFields fields;
  fields.check_in_id = absl::string_view(work.event_id, sizeof(work.event_id));
  fields.release = options_.release;
  fields.environment = options_.environment;
  fields.trace_id = c.trace_id;
  fields.span_id = c.span_id;
  Envelope envelope = NewEnvelope();
  envelope.AddItem("check_in", internal::CheckInJson(c.check_in, fields));
  AddPendingClientReport(envelope);
  options_.transport->SendEnvelope(std::move(envelope));
}

void Client::WorkerLoop() {
  // How the worker waits decides what a capture costs its caller: waking a
  // sleeping worker is a system call, and on a busy machine the worker was
  // scheduled in the caller's place (the worker is SCHED_BATCH now, which
  // never preempts; see sdk_thread.h). So captures never wake it while it
  // expects more:
  // - after a batch it looks again every kPoll (a burst goes on);
  // - after a look that found nothing it looks every kLingerPoll, until
  //   kLinger has passed since the last capture it found (the rates
  //   servers capture at: the next capture is found within kLingerPoll);
  // - then it sleeps until a capture wakes it (an idle program pays
  //   nothing, and a capture after a long silence pays one wake).
  // A half-full queue, a flush or a stop wakes it at once in every state.
  // While it looks periodically it sleeps on wake_mu_, not on mu_: a thread
  // waiting on an absl::Mutex with a condition makes every unlock of that
  // mutex evaluate the condition (Abseil's slow unlock path), and every
  // capture unlocks mu_.
  // A look that was not woken reads queued_ alone (see client.h).
  bool polling = false;
  absl::Time last_found = absl::InfinitePast();
  for (;;) {
    const bool looking = polling || absl::Now() - last_found < kLinger;
    if (looking && !WaitForWake(polling ? kPoll : kLingerPoll) &&
        !queued_.load(std::memory_order_relaxed) && aggregator_ == nullptr) {
      polling = false;
      continue;
    }
    internal::CaptureChunks::Batch batch;
    {
      absl::MutexLock lock(&mu_);
      if (!looking) {
        // In request mode, wakes every second to send aggregates when due.
        mu_.AwaitWithTimeout(
            absl::Condition(
                +[](Client* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
                  return !c->queue_->items.empty() || c->stopping_;
                },
                this),
            aggregator_ != nullptr ? absl::Seconds(1)
                                   : absl::InfiniteDuration());
      }
      polling = !queue_->items.empty();
      if (!polling) {
        if (stopping_) return;
        if (aggregator_ == nullptr ||
            !aggregator_->Due(absl::Now(), kAggregateInterval)) {
          continue;
        }
      }
      batch = queue_->items.TakeAll();
      queued_.store(false, std::memory_order_relaxed);
    }
    if (batch.empty()) {
      SendSessionAggregates();
      continue;
    }
    last_found = absl::Now();
    const size_t count = batch.size();
    // Each capture becomes an envelope only when the transport has room for
    // it: until then it waits here (and the next ones in the queue) as the
    // capture, with the scopes it shares with the others, not as an
    // envelope of its own. At a stop it no longer waits: the transport
    // keeps what it can (the HTTP transport spools it when it has a
    // cache_dir) and counts the rest.
    bool waiting = true;
    batch.Drain([&](internal::CaptureWork& work) {
      waiting = waiting && WaitForTransport();
      Process(work);
    });
    absl::MutexLock lock(&mu_);
    queue_->items.Recycle(std::move(batch));
    processed_ += count;
  }
}

bool Client::WaitForTransport() {
  while (options_.transport->Backlogged()) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return false;
    }
    WaitForWake(kBacklogPoll);  // Close wakes it.
  }
  return true;
}

bool Client::WaitForWake(absl::Duration timeout) {
  absl::MutexLock lock(&wake_mu_);
  const bool woken =
      wake_mu_.AwaitWithTimeout(absl::Condition(&wake_), timeout);
  wake_ = false;
  return woken;
}

void Client::Wake() {
  absl::MutexLock lock(&wake_mu_);
  wake_ = true;
}

void Client::Abandon(const internal::CaptureWork& work) {
  if (work.transaction) {
    DropTransaction(DiscardReason::kQueueOverflow,
                    work.transaction->TakeRecorded(), work.event.get());
  } else if (work.check_in() != nullptr) {
    reports_->Record(DiscardReason::kQueueOverflow, DataCategory::kMonitor);
  } else if (work.feedback() != nullptr) {
    reports_->Record(DiscardReason::kQueueOverflow, DataCategory::kFeedback);
  } else {
    reports_->Record(DiscardReason::kQueueOverflow, DataCategory::kError);
  }
}

bool Client::SampleError(const protocol::Event& event) const {
  double rate = options_.sample_rate;
  if (options_.error_sampler) {
    std::string failure;
    try {
      const double sampled = options_.error_sampler(event);
      if (sampled >= 0.0 && sampled <= 1.0) {
        rate = sampled;
      } else {
        failure = absl::StrCat("returned ", sampled, ", not a rate in [0, 1]");
      }
    } catch (const std::exception& e) {
      failure = absl::StrCat("threw ", e.what());
    } catch (...) {
      failure = "threw";
    }
    if (!failure.empty()) {
      internal::Log(DebugLevel::kWarning, "error_sampler ", failure,
                    ": sample_rate applies to event ", event.event_id());
    }
  }
  return rate >= 1.0 || internal::RandomUnit() < rate;
}

void Client::Drop(DiscardReason reason, const protocol::Event& event) {
  reports_->Record(reason, DataCategory::kError);
  internal::Log(DebugLevel::kDebug, "dropped event ", event.event_id(), " (",
                DiscardReasonName(reason), ")");
}

void Client::DropTransaction(DiscardReason reason,
                             const internal::RecordedSpans& spans,
                             const protocol::Event* event) {
  reports_->Record(reason, DataCategory::kTransaction);
  // Its spans (those moved into its event, those still recorded) and itself
  // as one are lost with it.
  const uint64_t in_event =
      event != nullptr ? static_cast<uint64_t>(event->spans_size()) : 0;
  reports_->Record(reason, DataCategory::kSpan,
                   in_event + spans.spans.size() + 1);
  internal::Log(DebugLevel::kDebug, "dropped transaction \"",
                spans.transaction->name, "\" (", DiscardReasonName(reason),
                ")");
}

bool Client::UserCodeSees(const internal::CaptureWork& work) const {
  return !work.scopes.scope.processors().empty() ||
         !work.scopes.global.processors().empty() ||
         integrations_process_events_ ||
         (work.transaction ? options_.before_send_transaction != nullptr
                           : options_.before_send != nullptr);
}

// The event pipeline, on the worker thread: the options' defaults, the
// scopes, stack traces, user code, sessions and sampling, then the envelope.
void Client::Process(internal::CaptureWork& work) {
  if (work.transaction) return ProcessTransaction(work);
  if (work.check_in() != nullptr) return ProcessCheckIn(work);
  if (work.feedback() != nullptr) return ProcessFeedback(work);
  if (work.event == nullptr) {  // A message: built here, off the caller.
    work.event = std::make_unique<protocol::Event>();
    work.event->set_event_id(work.event_id, sizeof(work.event_id));
    work.event->set_timestamp(work.timestamp);
    work.event->set_level(std::string(LevelName(work.level)));
    if (work.inline_size > 0) {
      work.event->mutable_logentry()->set_message(
          reinterpret_cast<const char*>(work.inline_text), work.inline_size);
    } else {
      work.event->mutable_logentry()->set_message(std::move(work.message));
    }
  }
  protocol::Event& event = *work.event;
  ApplyOptions(event);
  // When no user code will see the event, the scopes' breadcrumbs and the
  // "os" context are not copied into it: their JSON, encoded once (per
  // breadcrumb, per client), is written with the event's.
  const bool user_code_sees_event = UserCodeSees(work);
  internal::AppliedScopes applied = internal::ApplyScopes(
      work.scopes, static_cast<size_t>(options_.max_breadcrumbs),
      /*copy_breadcrumbs=*/user_code_sees_event, event);
  // The "os" context is a default: the event's or a scope's own wins.
  if (user_code_sees_event) {
    event.mutable_contexts()->insert({"os", os_context_});
  }
  internal::CompleteStacktraces(
      {options_.in_app_include, options_.in_app_exclude}, &event);
  if (filters_->IgnoresError(event)) {
    return Drop(DiscardReason::kEventProcessor, event);
  }
  if (auto dropped = RunUserCode(work.scopes, event)) {
    return Drop(*dropped, event);
  }
  // The session counts events that passed before_send, sampled or not.
  std::optional<std::string> session_update;
  if (session_ != nullptr && !work.previous_run) {
    session_update = session_->OnEvent(event);
  }
  if (!SampleError(event)) {
    if (session_update) SendSessionUpdate(*std::move(session_update));
    return Drop(DiscardReason::kSampleRate, event);
  }
  std::optional<std::string> json = EncodeEvent(
      event, applied.breadcrumbs,
      /*os_context_encoded=*/!user_code_sees_event, applied.trace_json);
  if (!json) return Drop(DiscardReason::kInternalSdkError, event);
  const std::shared_ptr<const internal::Dsc> dsc =
      applied.dsc != nullptr ? applied.dsc
                             : NewDsc(applied.trace_id, applied.sample_rand,
                                      std::nullopt, std::nullopt, "");
  options_.transport->SendEnvelope(EventEnvelope(
      event.event_id(), *std::move(json), std::move(applied.attachments),
      std::move(session_update), *dsc));
}

// A finished transaction: the options' defaults and the scopes' data (no
// breadcrumbs), event processors and integrations, before_send_transaction
// (not before_send); sampled already, when it started.
void Client::ProcessTransaction(internal::CaptureWork& work) {
  internal::RecordedSpans spans = work.transaction->TakeRecorded();
  // Its spans' tags and data are scrubbed as recorded (they are written
  // from the records unless user code is to see them).
  if (scrubber_->enabled()) {
    scrubber_->Scrub(spans.root.attributes);
    for (internal::SpanData& span : spans.spans) {
      scrubber_->Scrub(span.attributes);
    }
  }
  // Built here, off the thread that finished it.
  work.event = std::make_unique<protocol::Event>(spans.TransactionEvent());
  protocol::Event& event = *work.event;
  event.set_event_id(internal::NewEventId());
  ApplyOptions(event);
  internal::AppliedScopes applied = internal::ApplyScopes(
      work.scopes, /*max_breadcrumbs=*/0, /*copy_breadcrumbs=*/false, event);
  event.set_level("");  // Transactions have no level.
  // The children become protocol::Spans only when user code is to see
  // them; otherwise they are written as JSON from their records.
  if (filters_->IgnoresTransaction(event.transaction())) {
    return DropTransaction(DiscardReason::kEventProcessor, spans, &event);
  }
  if (UserCodeSees(work)) spans.MoveInto(event);
  if (auto dropped = RunUserCode(work.scopes, event)) {
    return DropTransaction(*dropped, spans, &event);
  }
  std::optional<std::string> json =
      EncodeEvent(event, {}, /*os_context_encoded=*/false, "", &spans);
  if (!json) {
    return DropTransaction(DiscardReason::kInternalSdkError, spans, &event);
  }
  const std::shared_ptr<const internal::Dsc> dsc =
      spans.transaction->dsc != nullptr ? spans.transaction->dsc : applied.dsc;
  Envelope envelope = NewEnvelope();
  envelope.SetStringHeader("event_id", event.event_id());
  if (dsc != nullptr) envelope.SetHeader("trace", dsc->ToJson());
  envelope.AddItem("transaction", *std::move(json)).span_count =
      static_cast<uint64_t>(event.spans_size()) + spans.spans.size() + 1;
  AddPendingClientReport(envelope);
  options_.transport->SendEnvelope(std::move(envelope));
}

ABSL_ATTRIBUTE_HOT void Client::CaptureTransaction(
    std::shared_ptr<internal::TransactionState> transaction,
    const Scope* scope) {
  if (internal::InForkedChild()) return;
  internal::CapturedScopes scopes = internal::CapturedScopes::Of(scope);
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || !has_transport_) return;
    if (queue_->items.size() < max_queue_size_) {
      // Filled in its slot: the transaction's parts stay where they were
      // built.
      internal::CaptureWork& work = EmplaceLocked();
      work.scopes = std::move(scopes);
      work.transaction = std::move(transaction);
      return;
    }
  }
  DropTransaction(DiscardReason::kQueueOverflow, transaction->TakeRecorded(),
                  nullptr);
}

std::shared_ptr<const internal::Dsc> Client::NewDsc(
    const std::string& trace_id, double sample_rand,
    std::optional<double> sample_rate, std::optional<bool> sampled,
    absl::string_view transaction) const {
  {
    absl::MutexLock lock(&dsc_mu_);
    const DscKey& last = last_dsc_key_;
    if (last_dsc_ != nullptr && last.trace_id == trace_id &&
        last.sample_rand == sample_rand && last.sample_rate == sample_rate &&
        last.sampled == sampled && last.transaction == transaction) {
      return last_dsc_;
    }
  }
  DscKey key{trace_id, sample_rand, sample_rate, sampled,
             std::string(transaction)};
  internal::HeadDscFields fields;
  fields.trace_id = trace_id;
  fields.sample_rand = sample_rand;
  fields.sample_rate = sample_rate;
  fields.sampled = sampled;
  fields.transaction = transaction;
  if (dsn_) fields.public_key = dsn_->public_key();
  fields.release = options_.release;
  fields.environment = options_.environment;
  fields.org_id = org_id();
  internal::Dsc dsc = internal::HeadDsc(fields);
  dsc.Freeze();
  auto shared = std::make_shared<const internal::Dsc>(std::move(dsc));
  absl::MutexLock lock(&dsc_mu_);
  last_dsc_key_ = std::move(key);
  last_dsc_ = shared;
  return shared;
}

std::optional<uint64_t> Client::org_id() const {
  if (options_.org_id) return options_.org_id;
  return dsn_ ? dsn_->org_id() : std::nullopt;
}

bool Client::ShouldPropagateTrace(absl::string_view url) const {
  return propagation_targets_ == nullptr || propagation_targets_->Matches(url);
}

void Client::ApplyOptions(protocol::Event& event) const {
  if (event.platform().empty()) event.set_platform("native");
  if (event.release().empty() && !options_.release.empty()) {
    event.set_release(options_.release);
  }
  if (event.environment().empty()) event.set_environment(options_.environment);
  if (event.dist().empty() && !options_.dist.empty()) {
    event.set_dist(options_.dist);
  }
  if (event.server_name().empty() && !server_name_.empty()) {
    event.set_server_name(server_name_);
  }
  auto* sdk = event.mutable_sdk();
  if (sdk->name().empty()) {
    sdk->set_name(kSdkName);
    sdk->set_version(kSdkVersion);
    for (const auto& name : integration_names_) sdk->add_integrations(name);
  }
}

// Event processors (the hub's scope, then the global scope), integrations,
// then before_send (before_send_transaction for a transaction): user code,
// run with no SDK lock held.
std::optional<DiscardReason> Client::RunUserCode(
    const internal::CapturedScopes& scopes, protocol::Event& event) const {
  for (const EventProcessor* processor : scopes.processors()) {
    if (!internal::CallUserCallback("an event processor",
                                    [&] { return (*processor)(event); })) {
      return DiscardReason::kEventProcessor;
    }
  }
  for (const auto& integration : options_.integrations) {
    if (integration != nullptr &&
        !internal::CallUserCallback(integration->name(), [&] {
          return integration->ProcessEvent(event);
        })) {
      return DiscardReason::kEventProcessor;
    }
  }
  scrubber_->Scrub(event);
  // Transactions have their own last callback.
  const bool transaction = event.type() == "transaction";
  const auto& last =
      transaction ? options_.before_send_transaction : options_.before_send;
  if (last && !internal::CallUserCallback(
                  transaction ? "before_send_transaction" : "before_send",
                  [&] { return last(event); })) {
    return DiscardReason::kBeforeSend;
  }
  return std::nullopt;
}

std::optional<std::string> Client::EncodeEvent(
    protocol::Event& event,
    const std::vector<const internal::StoredBreadcrumb*>& breadcrumbs,
    bool os_context_encoded, absl::string_view trace_json,
    const internal::RecordedSpans* spans) const {
  std::vector<absl::string_view> breadcrumbs_json;
  breadcrumbs_json.reserve(breadcrumbs.size());
  const auto encode = [this](const protocol::Breadcrumb& crumb) {
    if (!scrubber_->enabled() || !crumb.has_data()) {
      return internal::BreadcrumbJson(crumb);
    }
    protocol::Breadcrumb scrubbed = crumb;
    scrubber_->Scrub(scrubbed);
    return internal::BreadcrumbJson(scrubbed);
  };
  for (const auto* crumb : breadcrumbs) {
    breadcrumbs_json.push_back(crumb->Json(encode));
  }
  std::pair<absl::string_view, absl::string_view> contexts[2];
  size_t count = 0;
  if (os_context_encoded) contexts[count++] = {"os", os_context_json_};
  if (!trace_json.empty()) contexts[count++] = {"trace", trace_json};
  internal::EncodedParts encoded;
  encoded.breadcrumbs = breadcrumbs_json;
  encoded.contexts = absl::MakeConstSpan(contexts, count);
  if (spans != nullptr) {
    encoded.spans = spans->spans;
    encoded.spans_trace_id = spans->transaction->trace_id;
  }
  std::string json = internal::EventToJson(event, encoded);
  if (json.size() <= kMaxEventBytes) return json;
  internal::Log(DebugLevel::kWarning, "event ", event.event_id(), " is ",
                json.size(), " bytes: dropping breadcrumbs and extra");
  event.clear_breadcrumbs();
  event.clear_extra();
  encoded.breadcrumbs = {};
  json = internal::EventToJson(event, encoded);
  if (json.size() <= kMaxEventBytes) return json;
  return std::nullopt;
}

Envelope Client::EventEnvelope(const std::string& event_id, std::string json,
                               std::vector<Attachment> attachments,
                               std::optional<std::string> session_update,
                               const internal::Dsc& dsc) {
  Envelope envelope = NewEnvelope();
  envelope.SetStringHeader("event_id", event_id);
  if (!dsc.fields.empty()) envelope.SetHeader("trace", dsc.ToJson());
  envelope.AddItem("event", std::move(json));
  for (auto& attachment : attachments) {
    std::string bytes = std::move(attachment.bytes);
    if (!attachment.path.empty() && !ReadFile(attachment.path, &bytes)) {
      internal::Log(DebugLevel::kWarning, "cannot read attachment ",
                    attachment.path);
      reports_->Record(DiscardReason::kInternalSdkError,
                       DataCategory::kAttachment);
      continue;
    }
    JsonMembers headers;
    headers.emplace_back("filename", internal::JsonQuote(attachment.filename));
    if (!attachment.content_type.empty()) {
      headers.emplace_back("content_type",
                           internal::JsonQuote(attachment.content_type));
    }
    envelope.AddItem("attachment", std::move(bytes), std::move(headers));
  }
  // A crashed or newly errored session travels with its event.
  if (session_update) envelope.AddItem("session", *std::move(session_update));
  // Pending drop counts travel with it too.
  AddPendingClientReport(envelope);
  return envelope;
}

// The parent's threads do not exist here, and its locks may be held for
// good: nothing is joined, locked, sent or destroyed. The worker thread's
// handle and the transport are left to the process's exit.
void Client::AbandonInForkedChild() {
  static std::atomic<bool> logged{false};
  if (!logged.exchange(true)) {
    internal::Log(DebugLevel::kInfo,
                  "forked child: the SDK is disabled in this process (its "
                  "parent's queued events stay the parent's)");
  }
  if (worker_.joinable()) new std::thread(std::move(worker_));
  // Their threads are the parent's: never joined here.
  logs_.release();
  metrics_.release();
  if (options_.transport != nullptr) {
    new std::shared_ptr<Transport>(std::move(options_.transport));
  }
}

void Client::AddPendingClientReport(Envelope& envelope) {
  if (!options_.send_client_reports) return;
  if (auto report = reports_->Take()) {
    envelope.AddItem("client_report", internal::MessageToJson(*report));
  }
}

Envelope Client::NewEnvelope() const {
  Envelope envelope;
  if (dsn_) envelope.SetHeader("dsn", dsn_header_);
  envelope.SetHeader("sdk", sdk_header_);
  return envelope;
}

void Client::SendSessionUpdate(std::string payload) {
  Envelope envelope = NewEnvelope();
  envelope.AddItem("session", std::move(payload));
  options_.transport->SendEnvelope(std::move(envelope));
}

EventId internal::CapturePreviousRunEvent(Client& client,
                                          protocol::Event event) {
  if (internal::InForkedChild()) return {};
  event.set_event_id(internal::NewEventId());
  event.set_timestamp(internal::TimestampOrNow(event.timestamp()));
  std::string id = event.event_id();
  internal::CaptureWork work;
  work.event = std::make_unique<protocol::Event>(std::move(event));
  // The global scope only (its trace, its process-wide data): no thread's
  // scope of this run describes the earlier one.
  work.scopes = internal::CapturedScopes::Of(nullptr);
  work.previous_run = true;
  return client.Enqueue(std::move(work), id);
}

void internal::RecordRequestSession(Client& client, absl::Time started,
                                    bool errored, bool crashed) {
  if (client.aggregator_ == nullptr) return;
  client.aggregator_->Record(started, crashed   ? RequestOutcome::kCrashed
                                      : errored ? RequestOutcome::kErrored
                                                : RequestOutcome::kExited);
}

void Client::SendSessionAggregates() {
  if (aggregator_ == nullptr) return;
  if (auto payload = aggregator_->Take()) {
    Envelope envelope = NewEnvelope();
    envelope.AddItem("sessions", *std::move(payload));
    options_.transport->SendEnvelope(std::move(envelope));
  }
}

void Client::SetSessionUser(const protocol::User& user) {
  if (session_ != nullptr && !internal::InForkedChild()) {
    session_->SetUser(user);
  }
}

void Client::StartSession() {
  if (session_ == nullptr || !IsEnabled()) return;
  for (std::string& update : session_->Start()) {
    SendSessionUpdate(std::move(update));
  }
}

bool Client::SendClientReportIfAny() {
  if (!options_.send_client_reports || options_.transport == nullptr) {
    return false;
  }
  if (auto report = reports_->Take()) {
    Envelope envelope = NewEnvelope();
    envelope.AddItem("client_report", internal::MessageToJson(*report));
    options_.transport->SendEnvelope(std::move(envelope));
    return true;
  }
  return false;
}

bool Client::Flush(absl::Duration timeout) {
  if (internal::InForkedChild()) return false;
  const absl::Time deadline = absl::Now() + timeout;
  // Logs and metrics recorded before the call reach the transport first.
  bool drained = true;
  for (auto* buffer : {logs_.get(), metrics_.get()}) {
    if (buffer != nullptr) drained = buffer->Flush(deadline) && drained;
  }
  {
    absl::MutexLock lock(&mu_);
    if (options_.transport == nullptr) return true;
    const uint64_t target = enqueued_;
    struct Arg {
      Client* client;
      uint64_t target;
    } arg{this, target};
    Wake();  // A looking worker does not wait for its next look.
    const bool events =
        mu_.AwaitWithDeadline(absl::Condition(
                                  +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                    return a->client->processed_ >= a->target;
                                  },
                                  &arg),
                              deadline);
    drained = events && drained;
  }
  SendSessionAggregates();
  return FlushTransport(deadline) && drained;
}

bool Client::FlushTransport(absl::Time deadline) {
  const auto left = [&] {
    return std::max(deadline - absl::Now(), absl::ZeroDuration());
  };
  SendClientReportIfAny();
  bool flushed = options_.transport->Flush(left());
  // Counts the transport dropped while flushing (or put back because rate
  // limits kept the envelopes they travelled with) go out now.
  if (SendClientReportIfAny()) {
    flushed = options_.transport->Flush(left()) && flushed;
  }
  return flushed;
}

bool Client::Close(absl::Duration timeout) {
  if (internal::InForkedChild()) {
    AbandonInForkedChild();
    return false;
  }
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return true;
    closed_ = true;
  }
  if (options_.transport == nullptr) return true;
  const absl::Time deadline = absl::Now() + timeout;
  const bool flushed = Flush(timeout);
  // What the worker has not taken when the timeout expires is abandoned,
  // and counted now (the worker may still be busy with what it took: a
  // slow callback does not hold up the shutdown for every queued event).
  // Unless the transport is what held the worker back: then everything
  // goes to the transport, which keeps what it can (a spool) and counts
  // the rest, as it did before its back-pressure.
  const bool backlogged = options_.transport->Backlogged();
  internal::CaptureChunks::Batch abandoned;
  size_t handed_over = 0;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    Wake();
    if (backlogged) {
      handed_over = queue_->items.size();
    } else {
      abandoned = queue_->items.TakeAll();
      queued_.store(false, std::memory_order_relaxed);
      processed_ += abandoned.size();
    }
  }
  if (!abandoned.empty()) {
    internal::Log(DebugLevel::kWarning, "shutdown timeout: dropped ",
                  abandoned.size(), " queued events");
  }
  if (handed_over > 0) {
    internal::Log(DebugLevel::kWarning, "shutdown timeout: ", handed_over,
                  " queued events go to a backlogged transport");
  }
  abandoned.Drain([this](internal::CaptureWork& work) { Abandon(work); });
  if (worker_.joinable()) worker_.join();
  for (auto [buffer, category] :
       {std::pair{logs_.get(), DataCategory::kLogItem},
        std::pair{metrics_.get(), DataCategory::kTraceMetric}}) {
    if (buffer == nullptr) continue;
    // Sends what waits (the flush above had its share of the timeout).
    if (const size_t lost = buffer->Close(deadline)) {
      reports_->Record(DiscardReason::kQueueOverflow, category, lost);
    }
  }
  if (session_ != nullptr) {
    if (auto update = session_->End()) SendSessionUpdate(*std::move(update));
  }
  SendSessionAggregates();
  FlushTransport(deadline);
  const bool shut = options_.transport->Shutdown(
      std::max(deadline - absl::Now(), absl::ZeroDuration()));
  return flushed && shut;
}

}  // namespace sentry
