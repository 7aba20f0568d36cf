// The delivery rules of the HTTP transport, against a fake network: every
// server answer (2xx, 4xx, 5xx, 429 with and without headers, per-category
// limits) and fault (transient and permanent network errors, requests that
// cannot start, a server that never answers).
#include "transports/http/src/delivery_worker.h"

#include <dirent.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sentry/client_reports.h"
#include "sentry/envelope.h"
#include "transports/http/src/spool.h"
#include "transports/http/testing/fake_sender.h"

namespace sentry::internal {
namespace {

using ::sentry::testing::FakeSender;

constexpr absl::Duration kWait = absl::Seconds(10);

std::string Id(int n) { return absl::StrFormat("%032x", n); }

Envelope EventEnvelope(int n, size_t message_bytes = 20) {
  Envelope envelope;
  envelope.SetStringHeader("event_id", Id(n));
  envelope.AddItem("event",
                   absl::StrCat("{\"event_id\":\"", Id(n), "\",\"message\":\"",
                                std::string(message_bytes, 'm'), "\"}"));
  return envelope;
}

std::string TempDir() {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dw.XXXXXX");
  return std::string(::mkdtemp(dir.data()));
}

// The event ids of the envelopes a request carried, parsed.
std::string EventIdOf(const FakeSender::Request& request) {
  auto envelope = Envelope::Parse(request.envelope);
  return envelope.ok() ? envelope->event_id() : "<unparsable>";
}

std::vector<std::string> ItemTypesOf(const FakeSender::Request& request) {
  std::vector<std::string> types;
  auto envelope = Envelope::Parse(request.envelope);
  if (envelope.ok()) {
    for (const auto& item : envelope->items()) types.push_back(item.type);
  }
  return types;
}

// "reason/category" -> quantity, from what the reports would send now.
std::map<std::string, uint64_t> Pending(ClientReports& reports) {
  std::map<std::string, uint64_t> counts;
  if (auto report = reports.Take()) {
    for (const auto& d : report->discarded_events()) {
      counts[absl::StrCat(d.reason(), "/", d.category())] += d.quantity();
    }
  }
  return counts;
}

struct Harness {
  explicit Harness(DeliveryOptions options = Fast(),
                   std::unique_ptr<Spool> spool = nullptr) {
    auto owned = std::make_unique<FakeSender>();
    network = owned.get();
    transport = NewDeliveryWorker(options, std::move(owned), std::move(spool));
    transport->Start(reports);
  }
  // Backoffs short enough for tests to run through several.
  static DeliveryOptions Fast() {
    DeliveryOptions options;
    options.initial_backoff = absl::Milliseconds(1);
    options.max_backoff = absl::Milliseconds(4);
    return options;
  }
  // A server that answers nothing (until the test calls Answer).
  void NeverAnswer() {
    network->SetScript(
        [](const FakeSender::Request&) -> std::optional<SendResult> {
          return std::nullopt;
        });
  }
  std::shared_ptr<ClientReports> reports = std::make_shared<ClientReports>();
  FakeSender* network;  // Owned by the transport.
  std::shared_ptr<Transport> transport;
};

TEST(DeliveryWorkerTest, DeliversEachEnvelopeOnceWithSentAt) {
  Harness h;
  for (int i = 0; i < 5; ++i) h.transport->SendEnvelope(EventEnvelope(i));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(EventIdOf(requests[i]), Id(i));
    auto envelope = Envelope::Parse(requests[i].envelope);
    ASSERT_TRUE(envelope.ok());
    EXPECT_TRUE(envelope->StringHeader("sent_at").has_value());
  }
  EXPECT_TRUE(Pending(*h.reports).empty());
}

TEST(DeliveryWorkerTest, LargeEnvelopesGoOutGzippedAndSmallOnesPlain) {
  Harness h;
  h.transport->SendEnvelope(EventEnvelope(1, 4000));
  h.transport->SendEnvelope(EventEnvelope(2, 10));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(requests[0].gzipped);
  EXPECT_EQ(EventIdOf(requests[0]), Id(1));  // Gunzipped, it parses.
  EXPECT_FALSE(requests[1].gzipped);
  EXPECT_EQ(EventIdOf(requests[1]), Id(2));
}

TEST(DeliveryWorkerTest, CompressionOffSendsEverythingPlain) {
  DeliveryOptions options = Harness::Fast();
  options.compress = false;
  Harness h(options);
  h.transport->SendEnvelope(EventEnvelope(1, 4000));
  ASSERT_TRUE(h.transport->Flush(kWait));
  ASSERT_EQ(h.network->requests().size(), 1u);
  EXPECT_FALSE(h.network->requests()[0].gzipped);
}

TEST(DeliveryWorkerTest, ClientAndServerErrorsAreSendErrorsAndNotRetried) {
  Harness h;
  const std::vector<int> statuses = {400, 401, 413, 500, 503};
  h.network->SetScript([&](const FakeSender::Request& r) {
    return FakeSender::Status(statuses[r.index % statuses.size()]);
  });
  for (size_t i = 0; i < statuses.size(); ++i) {
    h.transport->SendEnvelope(EventEnvelope(static_cast<int>(i)));
  }
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(h.network->requests().size(), statuses.size());
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"send_error/error", 5}}));
}

// The server counts what it rejects with 429 itself: no client report for
// that envelope, but what is captured while the limit lasts is held back
// and counted.
TEST(DeliveryWorkerTest, RetryAfterLimitsEveryCategoryUntilItPasses) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return r.index == 0 ? FakeSender::Status(429, "", "60")
                        : FakeSender::Status(200);
  });
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_TRUE(Pending(*h.reports).empty());
  Envelope session;
  session.AddItem("session", "{\"sid\":\"s\"}");
  h.transport->SendEnvelope(EventEnvelope(2));
  h.transport->SendEnvelope(std::move(session));
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(h.network->requests().size(), 1u);
  EXPECT_EQ(Pending(*h.reports), (std::map<std::string, uint64_t>{
                                     {"ratelimit_backoff/error", 1},
                                     {"ratelimit_backoff/session", 1}}));
}

TEST(DeliveryWorkerTest, Bare429LimitsEverythingForAMinute) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return FakeSender::Status(r.index == 0 ? 429 : 200);
  });
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  h.transport->SendEnvelope(EventEnvelope(2));
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(h.network->requests().size(), 1u);
  EXPECT_EQ(
      h.reports->Count(DiscardReason::kRatelimitBackoff, DataCategory::kError),
      1u);
}

// X-Sentry-Rate-Limits on a 200 applies too, to its categories only: the
// rest of a partly limited envelope goes out intact.
TEST(DeliveryWorkerTest, CategoryLimitRemovesOnlyThatCategorysItems) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return r.index == 0 ? FakeSender::Status(200, "60:error:key")
                        : FakeSender::Status(200);
  });
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  Envelope mixed = EventEnvelope(2, 4000);
  mixed.AddItem("attachment", std::string(3000, 'a'),
                {{"filename", "\"big.txt\""}});
  h.transport->SendEnvelope(std::move(mixed));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(ItemTypesOf(requests[1]), (std::vector<std::string>{"attachment"}));
  auto sent = Envelope::Parse(requests[1].envelope);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->items()[0].payload, std::string(3000, 'a'));
  EXPECT_TRUE(requests[1].gzipped);  // Compressed again without the event.
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"ratelimit_backoff/error", 1}}));
}

// A "log_item" limit holds back log items; each dropped item counts its
// logs (item_count) as log_item and its bytes as log_byte. Metrics have
// their own category.
TEST(DeliveryWorkerTest, LogItemLimitDropsLogsCountingEveryLogAndItsBytes) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return r.index == 0 ? FakeSender::Status(200, "60:log_item:organization")
                        : FakeSender::Status(200);
  });
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const std::string logs =
      "{\"items\":[{\"body\":\"a\"},{\"body\":\"b\"},"
      "{\"body\":\"c\"}]}";
  Envelope log_envelope;
  log_envelope.AddItem("log", logs, {{"item_count", "3"}});
  h.transport->SendEnvelope(std::move(log_envelope));
  Envelope metric_envelope;
  metric_envelope.AddItem("trace_metric", "{\"items\":[{}]}",
                          {{"item_count", "1"}});
  h.transport->SendEnvelope(std::move(metric_envelope));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(ItemTypesOf(requests[1]),
            (std::vector<std::string>{"trace_metric"}));
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{
                {"ratelimit_backoff/log_item", 3},
                {"ratelimit_backoff/log_byte", logs.size()}}));
}

// A lost transaction counts its spans too (its children and itself): as
// the client knew them when it built the item, else from its payload (an
// item parsed again, here to remove it under a rate limit).
TEST(DeliveryWorkerTest, LostTransactionsCountTheirSpans) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return r.index == 0 ? FakeSender::Status(500)
                        : FakeSender::Status(200, "60:transaction:key");
  });
  Envelope counted;
  counted.AddItem("transaction", "{\"type\":\"transaction\"}").span_count = 4;
  h.transport->SendEnvelope(std::move(counted));
  ASSERT_TRUE(h.transport->Flush(kWait));
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"send_error/transaction", 1},
                                             {"send_error/span", 4}}));
  Envelope parsed;
  parsed.AddItem("transaction",
                 "{\"type\":\"transaction\",\"spans\":[{\"op\":\"a,]\","
                 "\"data\":{\"k\":[1,2]}},{\"op\":\"b\"}]}");
  parsed.AddItem("event", "{}");
  h.transport->SendEnvelope(std::move(parsed));
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(h.network->requests().size(), 3u);  // The event went alone.
  EXPECT_EQ(Pending(*h.reports), (std::map<std::string, uint64_t>{
                                     {"ratelimit_backoff/transaction", 1},
                                     {"ratelimit_backoff/span", 3}}));
}

// Envelopes of logs dropped whole (here: the queue is full) count each
// log and their bytes too.
TEST(DeliveryWorkerTest, QueueOverflowOfALogEnvelopeCountsEveryLog) {
  DeliveryOptions options = Harness::Fast();
  options.max_requests_in_flight = 1;
  options.max_queue_envelopes = 1;
  Harness h(options);
  h.NeverAnswer();
  h.transport->SendEnvelope(EventEnvelope(0));  // In flight, unanswered.
  ASSERT_TRUE(h.network->WaitForRequests(1, kWait));
  h.transport->SendEnvelope(EventEnvelope(1));  // Fills the queue.
  const std::string logs = "{\"items\":[{},{}]}";
  Envelope log_envelope;
  log_envelope.AddItem("log", logs, {{"item_count", "2"}});
  h.transport->SendEnvelope(std::move(log_envelope));
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{
                {"queue_overflow/log_item", 2},
                {"queue_overflow/log_byte", logs.size()}}));
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(h.network->WaitForRequests(i + 1, kWait));
    ASSERT_TRUE(h.network->Answer(i, FakeSender::Status(200)));
  }
  ASSERT_TRUE(h.transport->Flush(kWait));
}

// A client report never makes a request of its own because of a limit: it
// goes back to the reports, to leave with a later envelope.
TEST(DeliveryWorkerTest, ClientReportsOfALimitedEnvelopeGoBackToTheReports) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return r.index == 0 ? FakeSender::Status(200, "60:error:key")
                        : FakeSender::Status(200);
  });
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  Envelope envelope = EventEnvelope(2);
  envelope.AddItem("client_report",
                   "{\"timestamp\":1764720000,\"discarded_events\":[{"
                   "\"reason\":\"queue_overflow\",\"category\":\"error\","
                   "\"quantity\":3}]}");
  h.transport->SendEnvelope(std::move(envelope));
  ASSERT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(h.network->requests().size(), 1u);
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"queue_overflow/error", 3},
                                             {"ratelimit_backoff/error", 1}}));
}

// Client reports are never rate limited (category "internal"): during a
// limit of every category they still go out, on their own.
TEST(DeliveryWorkerTest, ClientReportsAreNeverRateLimited) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return FakeSender::Status(r.index == 0 ? 429 : 200, "", "60");
  });
  h.transport->SendEnvelope(EventEnvelope(1));
  ASSERT_TRUE(h.transport->Flush(kWait));
  Envelope envelope;
  envelope.AddItem("client_report",
                   "{\"timestamp\":1764720000,\"discarded_events\":[{"
                   "\"reason\":\"sample_rate\",\"category\":\"error\","
                   "\"quantity\":2}]}");
  h.transport->SendEnvelope(std::move(envelope));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(ItemTypesOf(requests[1]),
            (std::vector<std::string>{"client_report"}));
  EXPECT_TRUE(Pending(*h.reports).empty());
}

TEST(DeliveryWorkerTest, TransientNetworkErrorsAreRetriedInMemory) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request& r) {
    return r.index < 2 ? FakeSender::NetworkError(/*transient=*/true)
                       : FakeSender::Status(200);
  });
  h.transport->SendEnvelope(EventEnvelope(7));
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) EXPECT_EQ(EventIdOf(request), Id(7));
  EXPECT_TRUE(Pending(*h.reports).empty());
}

TEST(DeliveryWorkerTest, AnEnvelopeGetsThreeAttemptsThenCountsAsLost) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request&) {
    return FakeSender::NetworkError(/*transient=*/true);
  });
  h.transport->SendEnvelope(EventEnvelope(7));
  EXPECT_TRUE(h.transport->Flush(kWait));  // Settled (as lost).
  EXPECT_EQ(h.network->requests().size(), 3u);
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"network_error/error", 1}}));
}

TEST(DeliveryWorkerTest, PermanentNetworkErrorsAreNotRetried) {
  Harness h;
  h.network->SetScript([](const FakeSender::Request&) {
    return FakeSender::NetworkError(/*transient=*/false);
  });
  h.transport->SendEnvelope(EventEnvelope(7));
  EXPECT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(h.network->requests().size(), 1u);
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"network_error/error", 1}}));
}

// With a spool, what the network keeps failing is kept there (Flush says
// it was not delivered), and a later transport on the directory sends it.
TEST(DeliveryWorkerTest, WhatTheNetworkKeepsFailingWaitsInTheSpool) {
  const std::string dir = TempDir();
  {
    auto spool = Spool::Open(dir, {}, nullptr);
    ASSERT_TRUE(spool.ok());
    Harness h(Harness::Fast(), *std::move(spool));
    h.network->SetScript([](const FakeSender::Request&) {
      return FakeSender::NetworkError(/*transient=*/false);
    });
    h.transport->SendEnvelope(EventEnvelope(7, 4000));
    EXPECT_FALSE(h.transport->Flush(kWait));
    h.transport->Shutdown(absl::ZeroDuration());
    EXPECT_TRUE(Pending(*h.reports).empty());
  }
  auto spool = Spool::Open(dir, {}, nullptr);
  ASSERT_TRUE(spool.ok());
  ASSERT_EQ((*spool)->List().size(), 1u);
  Harness next(Harness::Fast(), *std::move(spool));
  next.transport->SendEnvelope(EventEnvelope(8));
  ASSERT_TRUE(next.transport->Flush(kWait));
  const auto requests = next.network->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(EventIdOf(requests[0]), Id(7));  // The spooled one first.
  EXPECT_EQ(EventIdOf(requests[1]), Id(8));
  auto replayed = Envelope::Parse(requests[0].envelope);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->items()[0].payload,
            EventEnvelope(7, 4000).items()[0].payload);
}

TEST(DeliveryWorkerTest, RequestsThatCannotStartAreInternalErrors) {
  Harness h;
  h.network->FailStarts(true);
  h.transport->SendEnvelope(EventEnvelope(1));
  EXPECT_TRUE(h.transport->Flush(kWait));
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"internal_sdk_error/error", 1}}));
}

TEST(DeliveryWorkerTest, RequestsInFlightNeverExceedTheLimit) {
  DeliveryOptions options = Harness::Fast();
  options.max_requests_in_flight = 3;
  Harness h(options);
  h.NeverAnswer();  // Stalled until answered.
  for (int i = 0; i < 10; ++i) h.transport->SendEnvelope(EventEnvelope(i));
  ASSERT_TRUE(h.network->WaitForRequests(3, kWait));
  EXPECT_FALSE(h.transport->Flush(absl::Milliseconds(50)));
  EXPECT_EQ(h.network->requests().size(), 3u);
  // Each answer frees one slot for the next envelope, in order.
  for (size_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(h.network->WaitForRequests(std::min<size_t>(i + 3, 10), kWait));
    ASSERT_TRUE(h.network->Answer(i, FakeSender::Status(200)));
  }
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(EventIdOf(requests[i]), Id(i));
  EXPECT_EQ(h.network->peak_in_flight(), 3u);
}

// A server that never answers: Flush gives up, and Shutdown cancels what
// is in flight and counts it with what is queued (no spool).
TEST(DeliveryWorkerTest, StalledRequestsAreCancelledAtShutdownAndCounted) {
  DeliveryOptions options = Harness::Fast();
  options.max_requests_in_flight = 1;
  Harness h(options);
  h.NeverAnswer();
  for (int i = 0; i < 4; ++i) h.transport->SendEnvelope(EventEnvelope(i));
  ASSERT_TRUE(h.network->WaitForRequests(1, kWait));
  EXPECT_FALSE(h.transport->Shutdown(absl::Milliseconds(20)));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].cancelled);
  EXPECT_EQ(h.network->in_flight(), 0u);
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"network_error/error", 4}}));
}

// Backlogged (which holds the client's worker back) from 64 envelopes
// waiting, not counting those in flight, until the network takes one.
TEST(DeliveryWorkerTest, BackloggedFrom64QueuedEnvelopesUntilOneIsSent) {
  DeliveryOptions options = Harness::Fast();
  options.max_requests_in_flight = 1;
  Harness h(options);
  h.NeverAnswer();
  h.transport->SendEnvelope(EventEnvelope(0));
  ASSERT_TRUE(h.network->WaitForRequests(1, kWait));
  for (int i = 1; i < 64; ++i) h.transport->SendEnvelope(EventEnvelope(i));
  EXPECT_FALSE(h.transport->Backlogged());  // 63 waiting
  h.transport->SendEnvelope(EventEnvelope(64));
  EXPECT_TRUE(h.transport->Backlogged());
  ASSERT_TRUE(h.network->Answer(0, FakeSender::Status(200)));
  ASSERT_TRUE(h.network->WaitForRequests(2, kWait));
  EXPECT_FALSE(h.transport->Backlogged());
}

// A smaller queue bound is backlogged when full, before dropping anything.
TEST(DeliveryWorkerTest, BackloggedWhenASmallQueueIsFull) {
  DeliveryOptions options = Harness::Fast();
  options.max_requests_in_flight = 1;
  options.max_queue_envelopes = 3;
  Harness h(options);
  h.NeverAnswer();
  h.transport->SendEnvelope(EventEnvelope(0));
  ASSERT_TRUE(h.network->WaitForRequests(1, kWait));
  for (int i = 1; i < 3; ++i) h.transport->SendEnvelope(EventEnvelope(i));
  EXPECT_FALSE(h.transport->Backlogged());
  h.transport->SendEnvelope(EventEnvelope(3));
  EXPECT_TRUE(h.transport->Backlogged());
  EXPECT_EQ(Pending(*h.reports), (std::map<std::string, uint64_t>{}));
}

TEST(DeliveryWorkerTest, QueueBoundsDropTheNewestAsQueueOverflow) {
  DeliveryOptions options = Harness::Fast();
  options.max_requests_in_flight = 1;
  options.max_queue_envelopes = 2;
  Harness h(options);
  h.NeverAnswer();
  h.transport->SendEnvelope(EventEnvelope(0));
  ASSERT_TRUE(h.network->WaitForRequests(1, kWait));
  for (int i = 1; i < 6; ++i) h.transport->SendEnvelope(EventEnvelope(i));
  EXPECT_EQ(Pending(*h.reports),
            (std::map<std::string, uint64_t>{{"queue_overflow/error", 3}}));
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(h.network->WaitForRequests(i + 1, kWait));
    ASSERT_TRUE(h.network->Answer(i, FakeSender::Status(200)));
  }
  ASSERT_TRUE(h.transport->Flush(kWait));
  const auto requests = h.network->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(EventIdOf(requests[2]), Id(2));  // The oldest were kept.
}

}  // namespace
}  // namespace sentry::internal
