// Options::scrub_data through sentry::Init and a TestTransport: one test
// per place a key/value pair is sent, each with a secret key written in
// every case style and plain keys that must be kept.
#include "sdk/src/scrubber.h"

#include <string>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using internal::Scrubber;
using testing::TestTransport;

constexpr char kFiltered[] = "[Filtered]";
// Secret keys as code writes them: lower, Title, UPPER, kebab, snake,
// camel, and with a secret suffix.
const std::vector<std::string> kSecretKeys = {
    "password",   "Authorization", "X-API-Key",  "session_id",
    "CSRF-Token", "ApiKey",        "db_password"};
// Keys that only look like one.
const std::vector<std::string> kPlainKeys = {"author", "user_id",
                                             "tokens_used"};

Value StringValue(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

// Every secret key of kSecretKeys and plain key of kPlainKeys, each with
// its own value ("v-<key>").
Struct SecretsAndPlain() {
  Struct s;
  for (const auto& key : kSecretKeys) {
    (*s.mutable_fields())[key] = StringValue("v-" + key);
  }
  for (const auto& key : kPlainKeys) {
    (*s.mutable_fields())[key] = StringValue("v-" + key);
  }
  return s;
}

// The secrets are filtered and the plain keys kept, in `s`.
void ExpectScrubbed(const Struct& s, const std::string& where) {
  for (const auto& key : kSecretKeys) {
    ASSERT_EQ(s.fields().count(key), 1u) << where << " " << key;
    EXPECT_EQ(s.fields().at(key).string_value(), kFiltered)
        << where << " " << key;
  }
  for (const auto& key : kPlainKeys) {
    ASSERT_EQ(s.fields().count(key), 1u) << where << " " << key;
    EXPECT_EQ(s.fields().at(key).string_value(), "v-" + key)
        << where << " " << key;
  }
}

template <typename Map>
void ExpectScrubbedMap(const Map& map, const std::string& where) {
  for (const auto& key : kSecretKeys) {
    ASSERT_EQ(map.count(key), 1u) << where << " " << key;
    EXPECT_EQ(map.at(key), kFiltered) << where << " " << key;
  }
  for (const auto& key : kPlainKeys) {
    ASSERT_EQ(map.count(key), 1u) << where << " " << key;
    EXPECT_EQ(map.at(key), "v-" + key) << where << " " << key;
  }
}

class ScrubberTest : public ::testing::Test {
 protected:
  void Init(Options options = Options()) {
    options.transport = transport_;
    options.auto_session_tracking = false;
    options.traces_sample_rate = 1.0;
    guard_.emplace(sentry::Init(std::move(options)));
    ASSERT_TRUE(guard_->status().ok()) << guard_->status();
  }
  void TearDown() override {
    guard_.reset();
    GlobalScope().Clear();
  }
  protocol::Event OneEvent() {
    EXPECT_TRUE(Flush(absl::Seconds(10)));
    const auto events = transport_->events();
    EXPECT_EQ(events.size(), 1u);
    return events.empty() ? protocol::Event() : events[0];
  }

  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::optional<InitGuard> guard_;
};

TEST_F(ScrubberTest, TagsOfSecretKeysAreFiltered) {
  Init();
  ConfigureScope([](Scope& scope) {
    for (const auto& key : kSecretKeys) scope.SetTag(key, "v-" + key);
    for (const auto& key : kPlainKeys) scope.SetTag(key, "v-" + key);
  });
  CaptureMessage("m");
  ExpectScrubbedMap(OneEvent().tags(), "tags");
}

TEST_F(ScrubberTest, ExtrasAreFilteredAtAnyDepth) {
  Init();
  ConfigureScope([](Scope& scope) {
    for (const auto& key : kSecretKeys) scope.SetExtra(key, "v-" + key);
    for (const auto& key : kPlainKeys) scope.SetExtra(key, "v-" + key);
    Value nested;
    Value list;
    *list.mutable_list_value()->add_values()->mutable_struct_value() =
        SecretsAndPlain();
    (*nested.mutable_struct_value()->mutable_fields())["hosts"] = list;
    scope.SetExtra("config", nested);
    // A secret's whole object is filtered.
    Value object;
    *object.mutable_struct_value() = SecretsAndPlain();
    scope.SetExtra("credentials", object);
  });
  CaptureMessage("m");
  const protocol::Event event = OneEvent();
  for (const auto& key : kSecretKeys) {
    EXPECT_EQ(event.extra().at(key).string_value(), kFiltered) << key;
  }
  for (const auto& key : kPlainKeys) {
    EXPECT_EQ(event.extra().at(key).string_value(), "v-" + key) << key;
  }
  ExpectScrubbed(event.extra()
                     .at("config")
                     .struct_value()
                     .fields()
                     .at("hosts")
                     .list_value()
                     .values(0)
                     .struct_value(),
                 "extra.config.hosts[0]");
  EXPECT_EQ(event.extra().at("credentials").string_value(), kFiltered);
}

TEST_F(ScrubberTest, ContextsAreFiltered) {
  Init();
  ConfigureScope(
      [](Scope& scope) { scope.SetContext("database", SecretsAndPlain()); });
  CaptureMessage("m");
  ExpectScrubbed(OneEvent().contexts().at("database"), "contexts.database");
}

TEST_F(ScrubberTest, BreadcrumbDataIsFilteredWhetherOrNotUserCodeSeesIt) {
  for (const bool user_code : {false, true}) {
    SCOPED_TRACE(user_code ? "with before_send" : "without user code");
    Options options;
    if (user_code) {
      options.before_send = [](protocol::Event& event) {
        // before_send sees it filtered already.
        ExpectScrubbed(event.breadcrumbs().values(0).data(), "before_send");
        return true;
      };
    }
    transport_ = std::make_shared<TestTransport>();
    Init(std::move(options));
    protocol::Breadcrumb crumb;
    crumb.set_message("login");
    *crumb.mutable_data() = SecretsAndPlain();
    AddBreadcrumb(crumb);
    CaptureMessage("m");
    const protocol::Event event = OneEvent();
    ASSERT_EQ(event.breadcrumbs().values_size(), 1);
    ExpectScrubbed(event.breadcrumbs().values(0).data(), "breadcrumb");
    TearDown();
  }
}

TEST_F(ScrubberTest, RequestHeadersCookiesQueryAndDataAreFiltered) {
  Init();
  protocol::Event event;
  event.mutable_logentry()->set_message("m");
  protocol::Request& request = *event.mutable_request();
  request.set_url("https://shop.example/cart?Token=t1&page=2");
  request.set_query_string("api-key=k1&page=2&X-Api-Key");
  request.set_cookies("theme=dark; SessionId=s1; csrftoken=c1");
  for (const auto& key : kSecretKeys) {
    (*request.mutable_headers())[key] = "v-" + key;
  }
  for (const auto& key : kPlainKeys) {
    (*request.mutable_headers())[key] = "v-" + key;
  }
  *request.mutable_data()->mutable_struct_value() = SecretsAndPlain();
  CaptureEvent(event);
  const protocol::Request sent = OneEvent().request();
  ExpectScrubbedMap(sent.headers(), "request.headers");
  EXPECT_EQ(sent.url(), "https://shop.example/cart?Token=[Filtered]&page=2");
  EXPECT_EQ(sent.query_string(), "api-key=[Filtered]&page=2&X-Api-Key");
  EXPECT_EQ(sent.cookies(),
            "theme=dark; SessionId=[Filtered]; csrftoken=[Filtered]");
  ExpectScrubbed(sent.data().struct_value(), "request.data");
}

TEST_F(ScrubberTest, UserIpAndEmailNeedSendDefaultPii) {
  for (const bool pii : {false, true}) {
    SCOPED_TRACE(pii ? "send_default_pii" : "no pii");
    transport_ = std::make_shared<TestTransport>();
    Options options;
    options.send_default_pii = pii;
    Init(std::move(options));
    ConfigureScope([](Scope& scope) {
      protocol::User user;
      user.set_id("42");
      user.set_email("ann@example.com");
      user.set_ip_address("10.1.2.3");
      *user.mutable_data() = SecretsAndPlain();
      scope.SetUser(user);
    });
    CaptureMessage("m");
    const protocol::User user = OneEvent().user();
    EXPECT_EQ(user.id(), "42");
    EXPECT_EQ(user.email(), pii ? "ann@example.com" : "");
    EXPECT_EQ(user.ip_address(), pii ? "10.1.2.3" : "");
    ExpectScrubbed(user.data(), "user.data");
    TearDown();
  }
}

TEST_F(ScrubberTest, SpanDataAndTagsAreFilteredWhetherOrNotUserCodeSeesThem) {
  for (const bool user_code : {false, true}) {
    SCOPED_TRACE(user_code ? "with before_send_transaction"
                           : "without user code");
    transport_ = std::make_shared<TestTransport>();
    Options options;
    if (user_code) {
      options.before_send_transaction = [](protocol::Event&) { return true; };
    }
    Init(std::move(options));
    Span transaction = StartTransaction({"checkout", "http.server"});
    Span child = transaction.StartChild("http.client", "POST /pay");
    for (Span* span : {&transaction, &child}) {
      for (const auto& key : kSecretKeys) {
        span->SetData(key, "v-" + key);
        span->SetTag(key, "v-" + key);
      }
      for (const auto& key : kPlainKeys) {
        span->SetData(key, "v-" + key);
        span->SetTag(key, "v-" + key);
      }
    }
    child.Finish();
    transaction.Finish();
    ASSERT_TRUE(Flush(absl::Seconds(10)));
    const auto transactions = transport_->transactions();
    ASSERT_EQ(transactions.size(), 1u);
    const protocol::Event& sent = transactions[0];
    ASSERT_EQ(sent.spans_size(), 1);
    ExpectScrubbed(sent.spans(0).data(), "span data");
    ExpectScrubbedMap(sent.spans(0).tags(), "span tags");
    // The transaction's own: its data in the trace context, its tags the
    // event's.
    ExpectScrubbed(
        sent.contexts().at("trace").fields().at("data").struct_value(),
        "transaction data");
    ExpectScrubbedMap(sent.tags(), "transaction tags");
    TearDown();
  }
}

std::string AttributeString(const Struct& record, const std::string& key) {
  const auto& attributes = record.fields().at("attributes").struct_value();
  const auto it = attributes.fields().find(key);
  if (it == attributes.fields().end()) return "(missing)";
  return it->second.struct_value().fields().at("value").string_value();
}

TEST_F(ScrubberTest, LogAndMetricAttributesAreFiltered) {
  Init();
  GlobalScope().SetAttribute("Authorization", "v-Authorization");
  LogAttributes attributes;
  for (const auto& key : kSecretKeys) attributes.emplace_back(key, "v-" + key);
  for (const auto& key : kPlainKeys) attributes.emplace_back(key, "v-" + key);
  logger::Info(attributes, "signed in");
  metrics::Count("logins", 1, attributes);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  const auto logs = transport_->logs();
  const auto metrics = transport_->metrics();
  ASSERT_EQ(logs.size(), 1u);
  ASSERT_EQ(metrics.size(), 1u);
  for (const Struct* record : {&logs[0], &metrics[0]}) {
    for (const auto& key : kSecretKeys) {
      EXPECT_EQ(AttributeString(*record, key), kFiltered) << key;
    }
    for (const auto& key : kPlainKeys) {
      EXPECT_EQ(AttributeString(*record, key), "v-" + key) << key;
    }
  }
  GlobalScope().RemoveAttribute("Authorization");
}

TEST_F(ScrubberTest, ValuePatternsFilterValuesWhateverTheirKey) {
  Options options;
  options.scrub_value_patterns = {R"(\b(?:\d[ -]?){13,16}\b)"};
  Init(std::move(options));
  ConfigureScope([](Scope& scope) {
    scope.SetTag("card", "4111 1111 1111 1111");
    scope.SetTag("order", "A-1001");
    scope.SetExtra("note", "paid with 4111-1111-1111-1111 today");
  });
  logger::Info(LogAttributes{{"pan", "4111111111111111"}, {"qty", "3"}},
               "paid");
  CaptureMessage("m");
  const protocol::Event event = OneEvent();
  EXPECT_EQ(event.tags().at("card"), kFiltered);
  EXPECT_EQ(event.tags().at("order"), "A-1001");
  EXPECT_EQ(event.extra().at("note").string_value(), kFiltered);
  const auto logs = transport_->logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(AttributeString(logs[0], "pan"), kFiltered);
  EXPECT_EQ(AttributeString(logs[0], "qty"), "3");
}

TEST_F(ScrubberTest, ScrubKeysExtendTheListAndScrubDataOffSendsEverything) {
  Options options;
  options.scrub_keys = {"Customer-Ref"};
  Init(std::move(options));
  ConfigureScope([](Scope& scope) {
    scope.SetTag("customer_ref", "c-1");
    scope.SetTag("password", "p");
  });
  CaptureMessage("m");
  protocol::Event event = OneEvent();
  EXPECT_EQ(event.tags().at("customer_ref"), kFiltered);
  EXPECT_EQ(event.tags().at("password"), kFiltered);
  TearDown();

  transport_ = std::make_shared<TestTransport>();
  Options off;
  off.scrub_data = false;
  Init(std::move(off));
  ConfigureScope([](Scope& scope) {
    scope.SetTag("password", "p");
    protocol::User user;
    user.set_email("ann@example.com");
    scope.SetUser(user);
  });
  CaptureMessage("m");
  event = OneEvent();
  EXPECT_EQ(event.tags().at("password"), "p");
  EXPECT_EQ(event.user().email(), "ann@example.com");
}

TEST(ScrubberUnitTest, KeysAreMatchedWholeAfterNormalizingOrBySecretSuffix) {
  const Scrubber scrubber(Scrubber::Config{});
  for (const char* key : {"password", "PASSWORD", "Set-Cookie",
                          "x_forwarded_for", "X-Forwarded-For", "github_token",
                          "Client-Secret", "ip_address", "_token"}) {
    EXPECT_TRUE(scrubber.IsSensitiveKey(key)) << key;
  }
  for (const char* key : {"author", "passwords_reset_count", "token_count",
                          "sessions", "keyboard"}) {
    EXPECT_FALSE(scrubber.IsSensitiveKey(key)) << key;
  }
  Scrubber::Config pii;
  pii.send_default_pii = true;
  EXPECT_FALSE(Scrubber(pii).IsSensitiveKey("ip_address"));
  EXPECT_FALSE(Scrubber(pii).IsSensitiveKey("X-Forwarded-For"));
  EXPECT_TRUE(Scrubber(pii).IsSensitiveKey("password"));
}

}  // namespace
}  // namespace sentry
