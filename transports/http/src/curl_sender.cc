#include "transports/http/src/curl_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sentry::internal {
namespace {

constexpr size_t kMaxResponseBody = 1024;

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

// One request in flight, on its easy handle (kept, with its connection,
// for later requests).
struct Transfer {
  CURL* easy = nullptr;
  SendResult result;
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  SendResult& result = static_cast<Transfer*>(user)->result;
  const absl::string_view line(data, size * count);
  if (absl::StartsWith(line, "HTTP/")) {  // A new response (after 100, ...).
    result.rate_limits.clear();
    result.retry_after.clear();
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    const absl::string_view name = line.substr(0, colon);
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "x-sentry-rate-limits")) {
      result.rate_limits = std::string(value);
    } else if (absl::EqualsIgnoreCase(name, "retry-after")) {
      result.retry_after = std::string(value);
    }
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  std::string& body = static_cast<Transfer*>(user)->result.body;
  const size_t n = size * count;
  if (body.size() < kMaxResponseBody) {
    body.append(data, std::min(n, kMaxResponseBody - body.size()));
  }
  return n;
}

class CurlSender final : public Sender {
 public:
  CurlSender(CurlSenderOptions options, CURLM* multi)
      : options_(std::move(options)), multi_(multi) {
    for (const bool gzip : {false, true}) {
      curl_slist* headers = nullptr;
      if (!options_.auth_header.empty()) {
        headers = curl_slist_append(headers, options_.auth_header.c_str());
      }
      headers = curl_slist_append(
          headers, "Content-Type: application/x-sentry-envelope");
      if (gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
      headers = curl_slist_append(headers, "Expect:");  // No 100-continue.
      (gzip ? gzip_headers_ : plain_headers_) = headers;
    }
  }

  ~CurlSender() override {
    for (auto& transfer : in_flight_) {
      curl_multi_remove_handle(multi_, transfer->easy);
      curl_easy_cleanup(transfer->easy);
    }
    for (auto& transfer : idle_) curl_easy_cleanup(transfer->easy);
    curl_multi_cleanup(multi_);
    curl_slist_free_all(plain_headers_);
    curl_slist_free_all(gzip_headers_);
  }

  bool Start(uint64_t id, absl::string_view body, bool gzipped) override {
    std::unique_ptr<Transfer> transfer;
    if (!idle_.empty()) {
      transfer = std::move(idle_.back());
      idle_.pop_back();
    } else {
      transfer = std::make_unique<Transfer>();
      transfer->easy = curl_easy_init();
      if (transfer->easy == nullptr) return false;
      Configure(transfer.get());
    }
    transfer->result = SendResult{};
    transfer->result.id = id;
    transfer->error[0] = '\0';
    CURL* easy = transfer->easy;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER,
                     gzipped ? gzip_headers_ : plain_headers_);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      idle_.push_back(std::move(transfer));
      return false;
    }
    in_flight_.push_back(std::move(transfer));
    return true;
  }

  void Poll(std::vector<SendResult>* finished) override {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int queued_messages = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued_messages)) {
      if (message->msg != CURLMSG_DONE) continue;
      auto it = std::find_if(
          in_flight_.begin(), in_flight_.end(),
          [&](const auto& t) { return t->easy == message->easy_handle; });
      if (it == in_flight_.end()) continue;
      std::unique_ptr<Transfer> transfer = std::move(*it);
      in_flight_.erase(it);
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi_, transfer->easy);
      SendResult& result = transfer->result;
      if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
        result.status = static_cast<int>(status);
      } else {
        result.transient = IsTransient(code);
        result.error = transfer->error[0] != '\0' ? transfer->error
                                                  : curl_easy_strerror(code);
      }
      finished->push_back(std::move(result));
      Recycle(std::move(transfer));
    }
  }

  void Wait(absl::Duration timeout) override {
    curl_multi_poll(multi_, nullptr, 0,
                    static_cast<int>(std::clamp<int64_t>(
                        absl::ToInt64Milliseconds(timeout), 1, 60000)),
                    nullptr);
  }

  void Wake() override { curl_multi_wakeup(multi_); }

  void Cancel(uint64_t id) override {
    auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                           [&](const auto& t) { return t->result.id == id; });
    if (it == in_flight_.end()) return;
    std::unique_ptr<Transfer> transfer = std::move(*it);
    in_flight_.erase(it);
    curl_multi_remove_handle(multi_, transfer->easy);
    Recycle(std::move(transfer));
  }

  const std::string& endpoint() const override { return options_.url; }

 private:
  // Options that are the same for every request on this handle.
  void Configure(Transfer* transfer) {
    CURL* easy = transfer->easy;
    curl_easy_setopt(easy, CURLOPT_URL, options_.url.c_str());
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
    if (!options_.proxy.empty()) {
      curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  }

  // Keeps the handle (and its connection) for the next request.
  void Recycle(std::unique_ptr<Transfer> transfer) {
    transfer->result = SendResult{};
    idle_.push_back(std::move(transfer));
  }

  const CurlSenderOptions options_;
  CURLM* const multi_;
  // Request headers, the same for every request (with and without gzip).
  curl_slist* plain_headers_ = nullptr;
  curl_slist* gzip_headers_ = nullptr;
  std::vector<std::unique_ptr<Transfer>> in_flight_;
  std::vector<std::unique_ptr<Transfer>> idle_;
};

absl::once_flag curl_init_once;

}  // namespace

absl::StatusOr<std::unique_ptr<Sender>> NewCurlSender(
    CurlSenderOptions options) {
  absl::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_ALL); });
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    return absl::InternalError("http transport: curl_multi_init failed");
  }
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(options.max_connections));
  return std::unique_ptr<Sender>(
      std::make_unique<CurlSender>(std::move(options), multi));
}

}  // namespace sentry::internal
