#include "transports/http/testing/fake_sender.h"

#include <algorithm>
#include <utility>

#include "transports/http/src/gzip.h"

namespace sentry::testing {

FakeSender::FakeSender()
    : script_([](const Request&) { return Status(200); }) {}

internal::SendResult FakeSender::Status(int status, std::string rate_limits,
                                        std::string retry_after) {
  internal::SendResult result;
  result.status = status;
  result.rate_limits = std::move(rate_limits);
  result.retry_after = std::move(retry_after);
  return result;
}

internal::SendResult FakeSender::NetworkError(bool transient) {
  internal::SendResult result;
  result.transient = transient;
  result.error =
      transient ? "connection reset (fake)" : "bad certificate (fake)";
  return result;
}

void FakeSender::SetScript(Script script) {
  absl::MutexLock lock(&mu_);
  script_ = std::move(script);
}

void FakeSender::FailStarts(bool fail) {
  absl::MutexLock lock(&mu_);
  fail_starts_ = fail;
}

bool FakeSender::Answer(size_t index, internal::SendResult result) {
  absl::MutexLock lock(&mu_);
  if (index >= requests_.size()) return false;
  Request& request = requests_[index];
  if (request.answered || request.cancelled) return false;
  request.answered = true;
  result.id = request.id;
  ready_.push_back(std::move(result));
  return true;
}

bool FakeSender::WaitForRequests(size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  struct Arg {
    const FakeSender* self;
    size_t n;
  } arg{this, n};
  return mu_.AwaitWithTimeout(absl::Condition(
                                  +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                    return a->self->requests_.size() >= a->n;
                                  },
                                  &arg),
                              timeout);
}

std::vector<FakeSender::Request> FakeSender::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t FakeSender::in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

size_t FakeSender::peak_in_flight() const {
  absl::MutexLock lock(&mu_);
  return peak_in_flight_;
}

bool FakeSender::Start(uint64_t id, absl::string_view body, bool gzipped) {
  Script script;
  Request request;
  {
    absl::MutexLock lock(&mu_);
    if (fail_starts_) return false;
    script = script_;
    request.index = requests_.size();
  }
  request.id = id;
  request.gzipped = gzipped;
  if (gzipped) {
    auto plain = internal::Inflate(body, /*gzip=*/true);
    request.envelope = plain.ok() ? *std::move(plain) : "<not gzip>";
  } else {
    request.envelope = std::string(body);
  }
  // The script runs outside the lock: it may call back (Answer, ...).
  std::optional<internal::SendResult> answer = script(request);
  absl::MutexLock lock(&mu_);
  if (answer.has_value()) {
    request.answered = true;
    answer->id = id;
    ready_.push_back(*std::move(answer));
  }
  requests_.push_back(std::move(request));
  peak_in_flight_ = std::max(peak_in_flight_, ++in_flight_);
  return true;
}

void FakeSender::Poll(std::vector<internal::SendResult>* finished) {
  absl::MutexLock lock(&mu_);
  for (auto& result : ready_) finished->push_back(std::move(result));
  in_flight_ -= ready_.size();
  ready_.clear();
}

void FakeSender::Wait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(
      absl::Condition(
          +[](FakeSender* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !self->ready_.empty() || self->woken_;
          },
          this),
      timeout);
  woken_ = false;
}

void FakeSender::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void FakeSender::Cancel(uint64_t id) {
  absl::MutexLock lock(&mu_);
  for (auto& request : requests_) {
    if (request.id != id || request.cancelled) continue;
    request.cancelled = true;
    // An answer the worker has not taken is taken back.
    ready_.erase(std::remove_if(ready_.begin(), ready_.end(),
                                [id](const internal::SendResult& r) {
                                  return r.id == id;
                                }),
                 ready_.end());
    --in_flight_;
  }
}

}  // namespace sentry::testing
