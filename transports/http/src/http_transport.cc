#include "sentry/transports/http_transport.h"

#include <curl/curl.h>
#include <pthread.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sdk/src/log.h"
#include "sentry/dsn.h"
#include "sentry/version.h"
#include "transports/http/src/rate_limits.h"
#include "transports/http/src/spool.h"

namespace sentry {
namespace {

using internal::Log;
using internal::LogLevel;

// zlib level 1: on envelope JSON it keeps most of level 6's savings at a
// fraction of the CPU, and this runs on every envelope. Memory level 4: every
// deflateReset clears a hash table of 2^(level + 8) bytes, 64 KiB at zlib's
// default of 8, which costs more than compressing a typical envelope; for
// envelopes of a few KiB level 4 compresses as well (measured on loadgen's).
constexpr int kGzipLevel = 1;
constexpr int kGzipMemLevel = 4;
constexpr size_t kMaxResponseBody = 1024;
// Settled envelopes kept for the queueing thread to free (see Settle).
constexpr size_t kMaxFinished = 256;
// A network error is first retried in memory: an envelope gets this many
// attempts, and the network counts as down (queued envelopes move to the
// spool, or are dropped without one) after this many failures in a row.
constexpr int kMemoryAttempts = 3;

// A zlib compressor that keeps its state (costly to allocate and clear)
// from one envelope to the next. `gzip` selects the gzip wrapper; otherwise
// it writes raw deflate data (the items of a gzip member put together by
// AssembleGzip below).
class Deflater {
 public:
  explicit Deflater(bool gzip) {
    ok_ = deflateInit2(&stream_, kGzipLevel, Z_DEFLATED,
                       gzip ? MAX_WBITS + 16 : -MAX_WBITS, kGzipMemLevel,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&stream_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Appends the compressed `data` to `out`, ending with a final block.
  bool Append(absl::string_view data, std::string* out) {
    if (!ok_ || deflateReset(&stream_) != Z_OK) return false;
    const size_t start = out->size();
    out->resize(start + deflateBound(&stream_, data.size()) + 16);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream_.avail_in = static_cast<uInt>(data.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out->data() + start);
    stream_.avail_out = static_cast<uInt>(out->size() - start);
    const bool done = deflate(&stream_, Z_FINISH) == Z_STREAM_END;
    out->resize(done ? start + stream_.total_out : start);
    return done;
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

// An envelope's items compressed ahead of time, on the thread that hands the
// envelope over, so that the sending thread only joins them to the header
// line (which carries sent_at): the header goes first as a stored
// (uncompressed) deflate block, which starts on a byte boundary and may be
// followed by any other deflate data, and the gzip trailer's CRC-32 is
// combined from the parts (zlib's crc32_combine). No compression runs on
// the sending thread.
struct PrecompressedItems {
  std::string deflated;  // Raw deflate, ending with a final block.
  uLong crc = 0;
  size_t size = 0;
};

// Compresses the items of `envelope` unless compression would not pay.
std::optional<PrecompressedItems> PrecompressItems(const Envelope& envelope) {
  thread_local Deflater deflater(/*gzip=*/false);
  thread_local std::string items;  // Keeps its capacity.
  items.clear();
  envelope.AppendItems(&items);
  // Compressed into a scratch buffer of the worst-case size, then copied
  // into one of the exact size: a queued envelope holds no slack.
  thread_local std::string scratch;
  scratch.clear();
  if (!deflater.Append(items, &scratch) ||
      scratch.size() + 64 >= items.size()) {
    return std::nullopt;
  }
  PrecompressedItems result;
  result.deflated = scratch;
  result.crc = crc32(0, reinterpret_cast<const Bytef*>(items.data()),
                     static_cast<uInt>(items.size()));
  result.size = items.size();
  return result;
}

// Writes a gzip member of `header` (in stored blocks) followed by the
// precompressed items.
void AssembleGzip(absl::string_view header, const PrecompressedItems& items,
                  std::string* out) {
  static constexpr char kGzipHeader[] = {'\x1f', '\x8b', 8, 0, 0,
                                         0,      0,      0, 0, '\xff'};
  out->assign(kGzipHeader, sizeof(kGzipHeader));
  // Stored blocks (RFC 1951 section 3.2.4) of at most 65535 bytes each: a
  // byte with BFINAL=0 and BTYPE=00, then LEN and NLEN, little-endian.
  for (absl::string_view rest = header; !rest.empty();) {
    const size_t n = std::min<size_t>(rest.size(), 65535);
    const char block[] = {
        0, static_cast<char>(n & 0xff), static_cast<char>(n >> 8),
        static_cast<char>(~n & 0xff), static_cast<char>((~n >> 8) & 0xff)};
    out->append(block, sizeof(block));
    out->append(rest.data(), n);
    rest.remove_prefix(n);
  }
  out->append(items.deflated);
  const uLong crc =
      crc32_combine(crc32(0, reinterpret_cast<const Bytef*>(header.data()),
                          static_cast<uInt>(header.size())),
                    items.crc, static_cast<z_off_t>(items.size));
  const uint32_t size = static_cast<uint32_t>(header.size() + items.size);
  for (const uint32_t word : {static_cast<uint32_t>(crc), size}) {
    for (int shift = 0; shift < 32; shift += 8) {
      out->push_back(static_cast<char>((word >> shift) & 0xff));
    }
  }
}

// An envelope waiting or in flight.
struct Pending {
  Envelope envelope;
  size_t size = 0;
  absl::Time created;
  // Set when it came from the spool (and is locked there until done).
  std::optional<internal::SpooledFile> file;
  std::optional<PrecompressedItems> precompressed;
  int attempts = 0;  // Sends that met a network error.
};

// The envelopes waiting to be sent, oldest first: a FIFO in two vectors that
// trade places (the consumer takes the producer's when it has used up its
// own), so that no memory is allocated by the queueing thread and freed by
// the sending thread for every envelope, as std::deque's blocks would be
// (contention for the allocator's lock of the other thread).
class PendingQueue {
 public:
  size_t size() const { return in_.size() + (out_.size() - next_); }
  bool empty() const { return size() == 0; }
  void push_back(Pending pending) { in_.push_back(std::move(pending)); }
  // For a retry: it goes out next.
  void push_front(Pending pending) {
    if (next_ > 0) {
      out_[--next_] = std::move(pending);
    } else {
      out_.insert(out_.begin(), std::move(pending));
    }
  }
  // Requires !empty().
  Pending PopFront() {
    if (next_ == out_.size()) {
      out_.clear();  // Moved-from entries: nothing to free.
      next_ = 0;
      out_.swap(in_);
    }
    return std::move(out_[next_++]);
  }
  std::vector<Pending> TakeAll() {
    std::vector<Pending> all;
    all.reserve(size());
    for (; next_ < out_.size(); ++next_) all.push_back(std::move(out_[next_]));
    for (auto& pending : in_) all.push_back(std::move(pending));
    out_.clear();
    in_.clear();
    next_ = 0;
    return all;
  }

 private:
  std::vector<Pending> in_;   // Pushed to.
  std::vector<Pending> out_;  // Popped from, at next_.
  size_t next_ = 0;
};

// Errors that a later attempt may not meet (a dropped connection, a
// timeout, a name that did not resolve); a certificate that does not
// verify, say, will fail the same way again.
bool IsTransient(CURLcode result) {
  switch (result) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// One request in flight.
// Reused (with the capacity of its buffers) from one envelope to the next.
struct Request {
  CURL* easy = nullptr;
  Pending pending;
  std::string serialized;
  std::string compressed;
  std::string rate_limits;
  std::string retry_after;
  std::string response;
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* request = static_cast<Request*>(user);
  const absl::string_view line(data, size * count);
  if (absl::StartsWith(line, "HTTP/")) {  // A new response (after 100, ...).
    request->rate_limits.clear();
    request->retry_after.clear();
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    const absl::string_view name = line.substr(0, colon);
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "x-sentry-rate-limits")) {
      request->rate_limits = std::string(value);
    } else if (absl::EqualsIgnoreCase(name, "retry-after")) {
      request->retry_after = std::string(value);
    }
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* request = static_cast<Request*>(user);
  const size_t n = size * count;
  if (request->response.size() < kMaxResponseBody) {
    request->response.append(
        data, std::min(n, kMaxResponseBody - request->response.size()));
  }
  return n;
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(HttpTransportOptions options, Dsn dsn, CURLM* multi,
                std::unique_ptr<internal::Spool> spool)
      : options_(std::move(options)),
        dsn_(std::move(dsn)),
        url_(dsn_.EnvelopeUrl()),
        auth_header_(absl::StrCat("X-Sentry-Auth: ",
                                  dsn_.AuthHeader(options_.user_agent))),
        multi_(multi),
        spool_(std::move(spool)),
        backoff_(options_.initial_backoff) {
    for (const bool gzip : {false, true}) {
      curl_slist* headers = curl_slist_append(nullptr, auth_header_.c_str());
      headers = curl_slist_append(
          headers, "Content-Type: application/x-sentry-envelope");
      if (gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
      headers = curl_slist_append(headers, "Expect:");  // No 100-continue.
      (gzip ? gzip_headers_ : plain_headers_) = headers;
    }
  }

  ~HttpTransport() override {
    Shutdown(absl::ZeroDuration());
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
    curl_slist_free_all(plain_headers_);
    curl_slist_free_all(gzip_headers_);
  }

  void Start(std::shared_ptr<ClientReports> reports) noexcept override {
    EnsureStarted(std::move(reports));
  }

  void SendEnvelope(Envelope envelope) noexcept override {
    EnsureStarted(nullptr);
    std::vector<Pending> finished;  // Freed here, after the lock.
    // The expensive part of compression happens here, on the SDK's worker
    // thread, in parallel with the transport's sending thread.
    std::optional<PrecompressedItems> precompressed;
    if (options_.compress) precompressed = PrecompressItems(envelope);
    const size_t size = envelope.SizeEstimate() +
                        (precompressed ? precompressed->deflated.size() : 0);
    {
      absl::MutexLock lock(&mu_);
      finished.swap(finished_);
      if (!stopping_ && queue_.size() < options_.max_queue_envelopes &&
          queue_bytes_ + size <= options_.max_queue_bytes) {
        queue_bytes_ += size;
        ++accepted_;
        queue_.push_back(Pending{std::move(envelope), size, absl::Now(),
                                 std::nullopt, std::move(precompressed)});
        // A busy sending thread looks at the queue before it sleeps again:
        // the wakeup (a syscall on both sides) is only for one that waits.
        if (polling_) {
          polling_ = false;
          curl_multi_wakeup(multi_);
        }
        return;
      }
    }
    Log(LogLevel::kWarning, "http transport: queue full, dropped envelope ",
        envelope.event_id());
    Record(DiscardReason::kQueueOverflow, envelope);
  }

  bool Flush(absl::Duration timeout) noexcept override {
    absl::MutexLock lock(&mu_);
    struct Arg {
      HttpTransport* self;
      uint64_t target;
    } arg{this, accepted_};
    const uint64_t deferred = deferred_;
    const bool settled = mu_.AwaitWithTimeout(
        absl::Condition(
            +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return a->self->settled_ >= a->target && !a->self->replaying_ &&
                     a->self->spool_in_flight_ == 0;
            },
            &arg),
        timeout);
    return settled && deferred_ == deferred;
  }

  bool Shutdown(absl::Duration timeout) noexcept override {
    const bool flushed = Flush(timeout);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return flushed;
      stopping_ = true;
      abort_ = !flushed;
      curl_multi_wakeup(multi_);
    }
    if (worker_.joinable()) worker_.join();
    return flushed;
  }

 private:
  void EnsureStarted(std::shared_ptr<ClientReports> reports) {
    absl::MutexLock lock(&mu_);
    if (started_) return;
    started_ = true;
    reports_ = std::move(reports);
    if (spool_ != nullptr) spool_->set_reports(reports_);
    replaying_ = spool_ != nullptr;
    worker_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "sentry-http");
      WorkerLoop();
    });
  }

  void Record(DiscardReason reason, const Envelope& envelope) {
    std::shared_ptr<ClientReports> reports;
    {
      absl::MutexLock lock(&mu_);
      reports = reports_;
    }
    if (reports == nullptr) return;
    for (const auto& item : envelope.items()) {
      // Lost client reports are not themselves reported.
      if (item.type == "client_report") continue;
      reports->Record(reason, CategoryOfItemType(item.type));
    }
  }

  void RestoreReport(const std::string& json) {
    std::shared_ptr<ClientReports> reports;
    {
      absl::MutexLock lock(&mu_);
      reports = reports_;
    }
    if (reports != nullptr) reports->Restore(json);
  }

  // Marks an envelope as finished; `deferred` when it went (or stays) in the
  // spool instead of being delivered or dropped. The envelope itself is
  // freed by the thread that queues envelopes (SendEnvelope), which
  // allocated it: a free on another thread contends for the allocator's
  // lock of that thread (measured: most of the futex calls of a load test).
  // When that thread queues nothing for a while (a spool replay, say), this
  // thread frees them itself once kMaxFinished are waiting.
  void Settle(Pending pending, bool deferred) {
    std::vector<Pending> overflow;  // Freed here, after the lock.
    absl::MutexLock lock(&mu_);
    if (pending.file.has_value()) {  // From the spool, not the queue.
      --spool_in_flight_;
    } else {
      ++settled_;
    }
    if (deferred) ++deferred_;
    finished_.push_back(std::move(pending));
    if (finished_.size() >= kMaxFinished) overflow.swap(finished_);
  }

  // Writes an envelope that could not be delivered to the spool, or counts
  // it as lost with `reason` when there is no spool or it cannot be written.
  void Defer(Pending pending, DiscardReason reason) {
    if (pending.file.has_value()) {  // Stays in the spool, for a retry.
      spool_dirty_ = true;
      Settle(std::move(pending), /*deferred=*/true);
      return;
    }
    if (spool_ != nullptr) {
      absl::Status status =
          spool_->Store(pending.envelope.Serialize(), pending.created);
      if (status.ok()) {
        spool_dirty_ = true;
        Settle(std::move(pending), /*deferred=*/true);
        return;
      }
      Log(LogLevel::kError, "http transport: ", status.ToString());
    }
    Record(reason, pending.envelope);
    Settle(std::move(pending), /*deferred=*/false);
  }

  void Finish(Pending pending) {
    if (pending.file.has_value()) spool_->Done(*std::move(pending.file));
    Settle(std::move(pending), /*deferred=*/false);
  }

  // Next envelope to send: spooled ones first (they are older).
  std::optional<Pending> Next() {
    if (spool_ != nullptr && spool_dirty_) {
      while (auto file = spool_->ClaimNext()) {
        auto envelope = Envelope::Parse(file->bytes());
        if (!envelope.ok()) {  // Checked by ClaimNext; cannot happen.
          spool_->Done(*std::move(file));
          continue;
        }
        const size_t size = file->bytes().size();
        absl::MutexLock lock(&mu_);
        ++spool_in_flight_;
        return Pending{*std::move(envelope), size, absl::Now(), std::move(file),
                       std::nullopt};
      }
      spool_dirty_ = false;
      absl::MutexLock lock(&mu_);
      replaying_ = false;  // Everything spooled before has been tried.
    }
    absl::MutexLock lock(&mu_);
    if (queue_.empty()) return std::nullopt;
    Pending pending = queue_.PopFront();
    queue_bytes_ -= pending.size;
    return pending;
  }

  // Drops rate-limited items; sends the rest (if any). Client reports only
  // travel with other items: when rate limits removed all of those (or the
  // reports themselves are limited), their counts go back to the client's
  // reports to leave with a later envelope, instead of making a request of
  // their own for every dropped event.
  void StartRequest(Pending pending) {
    const absl::Time now = absl::Now();
    auto& items = pending.envelope.mutable_items();
    Envelope limited;
    if (now < limits_.Horizon()) {  // Some category is limited.
      items.erase(std::remove_if(
                      items.begin(), items.end(),
                      [&](EnvelopeItem& item) {
                        if (!limits_.IsLimited(
                                internal::RateLimitCategory(item.type), now)) {
                          return false;
                        }
                        if (item.type == "client_report") {
                          RestoreReport(item.payload);
                        } else {
                          limited.AddItem(item.type, "");
                        }
                        return true;
                      }),
                  items.end());
    }
    if (!limited.items().empty()) {
      Log(LogLevel::kDebug, "http transport: rate limited, dropped ",
          limited.items().size(), " item(s)");
      Record(DiscardReason::kRatelimitBackoff, limited);
      if (std::all_of(items.begin(), items.end(), [](const EnvelopeItem& i) {
            return i.type == "client_report";
          })) {
        for (const auto& item : items) RestoreReport(item.payload);
        items.clear();
      }
    }
    if (items.empty()) return Finish(std::move(pending));

    std::unique_ptr<Request> request;
    if (!free_requests_.empty()) {
      request = std::move(free_requests_.back());
      free_requests_.pop_back();
    } else {
      request = std::make_unique<Request>();
    }
    request->pending = std::move(pending);
    const Envelope& envelope = request->pending.envelope;
    bool gzipped = false;
    if (request->pending.precompressed.has_value() && limited.items().empty()) {
      request->serialized.clear();
      envelope.AppendHeader(&request->serialized, now);
      AssembleGzip(request->serialized, *request->pending.precompressed,
                   &request->compressed);
      gzipped = true;
    }
    if (!gzipped) {
      envelope.SerializeTo(&request->serialized, now);
      // Compressed here only when rate limits removed items after the
      // worker had compressed them; items that compression would not
      // shrink (no precompressed form) go out as they are.
      if (request->pending.precompressed.has_value()) {
        request->compressed.clear();
        gzipped = gzip_.Append(request->serialized, &request->compressed) &&
                  request->compressed.size() < request->serialized.size();
      }
    }
    const std::string& body =
        gzipped ? request->compressed : request->serialized;
    CURL* easy;
    if (!idle_.empty()) {
      easy = idle_.back();
      idle_.pop_back();
    } else {
      easy = curl_easy_init();
      if (easy == nullptr) {
        Log(LogLevel::kError, "http transport: curl_easy_init failed");
        return Defer(std::move(request->pending),
                     DiscardReason::kInternalSdkError);
      }
      Configure(easy);
    }
    request->easy = easy;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER,
                     gzipped ? gzip_headers_ : plain_headers_);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, request.get());
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, request.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, request.get());
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      Log(LogLevel::kError, "http transport: curl_multi_add_handle failed");
      idle_.push_back(easy);
      return Defer(std::move(request->pending),
                   DiscardReason::kInternalSdkError);
    }
    in_flight_.push_back(std::move(request));
  }

  // Options that are the same for every request on this handle.
  void Configure(CURL* easy) {
    curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(
        easy, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    curl_easy_setopt(
        easy, CURLOPT_TIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.request_timeout)));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!options_.ca_certs.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_certs.c_str());
    }
    const std::string& proxy =
        dsn_.secure() ? options_.https_proxy : options_.http_proxy;
    if (!proxy.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
  }

  void Complete(CURL* easy, CURLcode result) {
    auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                           [&](const auto& r) { return r->easy == easy; });
    if (it == in_flight_.end()) return;
    std::unique_ptr<Request> request = std::move(*it);
    in_flight_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    idle_.push_back(easy);
    const absl::Time now = absl::Now();

    if (result != CURLE_OK) {
      Pending& pending = request->pending;
      ++failures_in_a_row_;
      const bool retry_in_memory = IsTransient(result) &&
                                   !pending.file.has_value() &&
                                   ++pending.attempts < kMemoryAttempts &&
                                   failures_in_a_row_ < kMemoryAttempts;
      Log(LogLevel::kWarning, "http transport: ", url_, ": ",
          request->error[0] != '\0' ? request->error
                                    : curl_easy_strerror(result),
          retry_in_memory     ? " (retried in memory after a backoff)"
          : spool_ != nullptr ? " (kept in the spool for a retry)"
                              : "");
      backoff_until_ = now + backoff_;
      backoff_ = std::min(backoff_ * 2, options_.max_backoff);
      if (spool_ != nullptr) {
        absl::MutexLock lock(&mu_);
        replaying_ = false;  // The spool waits for the network.
      }
      if (retry_in_memory) {
        absl::MutexLock lock(&mu_);
        queue_bytes_ += pending.size;
        queue_.push_front(std::move(pending));
      } else {
        Defer(std::move(pending), DiscardReason::kNetworkError);
      }
      return Recycle(std::move(request));
    }
    backoff_ = options_.initial_backoff;
    failures_in_a_row_ = 0;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    limits_.Update(static_cast<int>(status), request->rate_limits,
                   request->retry_after, now);
    if (status >= 200 && status < 300) {
      if (internal::DebugLoggingEnabled()) {
        Log(LogLevel::kDebug, "http transport: delivered ",
            request->pending.envelope.event_id());
      }
    } else if (status == 429) {
      // The server counts what it rejected: no client report.
      Log(LogLevel::kWarning, "http transport: rate limited (429)");
    } else {
      Log(LogLevel::kError, "http transport: HTTP ", status, " for envelope ",
          request->pending.envelope.event_id(), ": ", request->response);
      Record(DiscardReason::kSendError, request->pending.envelope);
    }
    Finish(std::move(request->pending));
    Recycle(std::move(request));
  }

  void Recycle(std::unique_ptr<Request> request) {
    if (free_requests_.size() >=
        static_cast<size_t>(options_.max_requests_in_flight)) {
      return;
    }
    request->easy = nullptr;
    request->pending = Pending{};
    request->rate_limits.clear();
    request->retry_after.clear();
    request->response.clear();
    request->error[0] = '\0';
    free_requests_.push_back(std::move(request));
  }

  void WorkerLoop() {
    for (;;) {
      bool stopping, abort;
      {
        absl::MutexLock lock(&mu_);
        stopping = stopping_;
        abort = abort_;
      }
      if (abort) return AbortAll();
      const absl::Time now = absl::Now();
      if (now < backoff_until_) {
        if (failures_in_a_row_ >= kMemoryAttempts) {
          // The network stays down: queued envelopes wait in the spool (or
          // are dropped without one), not in memory, where they would
          // overflow the queue. After a short blip they simply wait for
          // the backoff, in memory.
          DeferQueued();
        }
      } else {
        while (in_flight_.size() <
               static_cast<size_t>(options_.max_requests_in_flight)) {
          std::optional<Pending> next = Next();
          if (!next) break;
          StartRequest(*std::move(next));
        }
      }
      if (stopping && in_flight_.empty()) {
        absl::MutexLock lock(&mu_);
        if (queue_.empty()) return;
      }

      int running = 0;
      curl_multi_perform(multi_, &running);
      int queued_messages = 0;
      bool completed = false;
      while (CURLMsg* message =
                 curl_multi_info_read(multi_, &queued_messages)) {
        if (message->msg == CURLMSG_DONE) {
          Complete(message->easy_handle, message->data.result);
          completed = true;
        }
      }
      if (completed) continue;  // Slots are free: fill them first.
      absl::Duration wait = absl::Seconds(1);
      if (now < backoff_until_) wait = std::min(wait, backoff_until_ - now);
      std::vector<Pending> finished;  // Idle: frees them itself.
      {
        absl::MutexLock lock(&mu_);
        // Checked under the lock SendEnvelope pushes under: an envelope
        // queued after this either is seen here or wakes the poll below.
        if (!queue_.empty() &&
            in_flight_.size() <
                static_cast<size_t>(options_.max_requests_in_flight) &&
            now >= backoff_until_) {
          continue;
        }
        polling_ = true;
        if (queue_.empty()) finished.swap(finished_);
      }
      finished.clear();
      curl_multi_poll(multi_, nullptr, 0,
                      static_cast<int>(std::max<int64_t>(
                          1, absl::ToInt64Milliseconds(wait))),
                      nullptr);
      absl::MutexLock lock(&mu_);
      polling_ = false;
    }
  }

  // Shutdown timed out: what is in flight or queued goes to the spool, or is
  // counted as lost.
  void AbortAll() {
    for (auto& request : in_flight_) {
      curl_multi_remove_handle(multi_, request->easy);
      idle_.push_back(request->easy);
      Defer(std::move(request->pending), DiscardReason::kNetworkError);
    }
    in_flight_.clear();
    DeferQueued();
  }

  // Everything queued goes to the spool, or is counted as lost.
  void DeferQueued() {
    std::vector<Pending> queued;
    {
      absl::MutexLock lock(&mu_);
      queued = queue_.TakeAll();
      queue_bytes_ = 0;
    }
    for (auto& pending : queued) {
      Defer(std::move(pending), DiscardReason::kNetworkError);
    }
  }

  const HttpTransportOptions options_;
  const Dsn dsn_;
  const std::string url_;
  const std::string auth_header_;
  CURLM* const multi_;
  // Request headers, the same for every request (with and without gzip).
  curl_slist* plain_headers_ = nullptr;
  curl_slist* gzip_headers_ = nullptr;

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool abort_ ABSL_GUARDED_BY(mu_) = false;
  // The sending thread is (about to be) waiting in curl_multi_poll.
  bool polling_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<ClientReports> reports_ ABSL_GUARDED_BY(mu_);
  PendingQueue queue_ ABSL_GUARDED_BY(mu_);
  size_t queue_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t settled_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t deferred_ ABSL_GUARDED_BY(mu_) = 0;
  // Flush also waits for the files spooled by earlier runs to be tried once,
  // and for spooled files in flight.
  bool replaying_ ABSL_GUARDED_BY(mu_) = false;
  int spool_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  // Settled envelopes, to be freed by SendEnvelope's thread (see Settle).
  std::vector<Pending> finished_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;

  // Owned by the worker thread.
  const std::unique_ptr<internal::Spool> spool_;
  bool spool_dirty_ = true;  // Files may be waiting there.
  internal::RateLimits limits_;
  absl::Time backoff_until_ = absl::InfinitePast();
  int failures_in_a_row_ = 0;  // Network errors since the last response.
  absl::Duration backoff_;
  std::vector<std::unique_ptr<Request>> in_flight_;
  std::vector<std::unique_ptr<Request>> free_requests_;
  std::vector<CURL*> idle_;
  Deflater gzip_{/*gzip=*/true};
};

absl::once_flag curl_init_once;

}  // namespace

absl::StatusOr<std::shared_ptr<Transport>> NewHttpTransport(
    HttpTransportOptions options) {
  auto dsn = Dsn::Parse(options.dsn);
  if (!dsn.ok()) return dsn.status();
  if (options.user_agent.empty()) {
    options.user_agent = absl::StrCat(kSdkName, "/", kSdkVersion);
  }
  if (!options.ca_certs.empty() &&
      ::access(options.ca_certs.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http transport: cannot read ca_certs file ", options.ca_certs));
  }
  if (options.max_requests_in_flight < 1) {
    return absl::InvalidArgumentError(
        "http transport: max_requests_in_flight must be >= 1");
  }
  if (options.max_queue_envelopes == 0 || options.max_queue_bytes == 0) {
    return absl::InvalidArgumentError(
        "http transport: queue bounds must be > 0");
  }
  if (options.connect_timeout <= absl::ZeroDuration() ||
      options.request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "http transport: timeouts must be positive");
  }
  if (options.initial_backoff <= absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff) {
    return absl::InvalidArgumentError(
        "http transport: backoff must be positive, initial <= max");
  }
  std::unique_ptr<internal::Spool> spool;
  if (!options.cache_dir.empty()) {
    auto opened =
        internal::Spool::Open(options.cache_dir,
                              {options.max_cache_files, options.max_cache_bytes,
                               options.max_cache_age},
                              nullptr);
    if (!opened.ok()) return opened.status();
    spool = *std::move(opened);
  }
  absl::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_ALL); });
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    return absl::InternalError("http transport: curl_multi_init failed");
  }
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(options.max_requests_in_flight));
  return std::shared_ptr<Transport>(std::make_shared<HttpTransport>(
      std::move(options), *std::move(dsn), multi, std::move(spool)));
}

absl::StatusOr<std::shared_ptr<Transport>> NewHttpTransportForOptions(
    const Options& options) {
  HttpTransportOptions http;
  http.dsn = options.dsn;
  http.ca_certs = options.ca_certs;
  http.http_proxy = options.http_proxy;
  http.https_proxy = options.https_proxy;
  http.compress = options.compress_envelopes;
  http.max_queue_envelopes = options.max_transport_queue;
  http.max_queue_bytes = options.max_transport_queue_bytes;
  http.cache_dir = options.cache_dir;
  http.max_cache_files = options.max_cache_files;
  auto transport = NewHttpTransport(http);
  if (!transport.ok() && !http.cache_dir.empty()) {
    // If the cache directory was the problem, run without a spool; any
    // other problem fails again and is reported.
    http.cache_dir.clear();
    auto without_spool = NewHttpTransport(std::move(http));
    if (without_spool.ok()) {
      Log(LogLevel::kError,
          "offline spool disabled: ", transport.status().ToString());
    }
    return without_spool;
  }
  return transport;
}

}  // namespace sentry
