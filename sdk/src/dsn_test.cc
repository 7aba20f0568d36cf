#include "sentry/dsn.h"

#include "gtest/gtest.h"

namespace sentry {
namespace {

TEST(DsnTest, ParsesFullDsn) {
  auto dsn = Dsn::Parse(
      "http://username:password@o123456.example.com/foo/bar/42%21?x=y#z");
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  EXPECT_FALSE(dsn->secure());
  EXPECT_EQ(dsn->host(), "o123456.example.com");
  EXPECT_EQ(dsn->port(), 80);
  EXPECT_EQ(dsn->public_key(), "username");
  EXPECT_EQ(dsn->secret_key(), "password");
  EXPECT_EQ(dsn->org_id(), 123456u);
  EXPECT_EQ(dsn->path(), "/foo/bar");
  EXPECT_EQ(dsn->project_id(), "42%21");
}

TEST(DsnTest, ParsesWithoutSecretAndPath) {
  auto dsn = Dsn::Parse("https://username@example.com/42%21");
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  EXPECT_TRUE(dsn->secure());
  EXPECT_EQ(dsn->port(), 443);
  EXPECT_EQ(dsn->secret_key(), "");
  EXPECT_EQ(dsn->path(), "");
  EXPECT_FALSE(dsn->org_id().has_value());
}

TEST(DsnTest, KeepsPathPrefix) {
  auto dsn = Dsn::Parse("https://username@example.com/pathone/pathtwo/42%21");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->path(), "/pathone/pathtwo");
  auto other = Dsn::Parse("http://username:@domain:8888/pathone/pathtwo/pid");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->project_id(), "pid");
  EXPECT_EQ(other->port(), 8888);
}

TEST(DsnTest, EnvelopeUrlAndAuthHeader) {
  auto dsn =
      Dsn::Parse("http://username:password@example.com/foo/bar/42?x=y#z");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->EnvelopeUrl(),
            "http://example.com:80/foo/bar/api/42/envelope/");
  EXPECT_EQ(dsn->AuthHeader("sentry.cpp/1.0"),
            "Sentry sentry_key=username, sentry_version=7, "
            "sentry_client=sentry.cpp/1.0, sentry_secret=password");
}

TEST(DsnTest, OrgIds) {
  EXPECT_EQ(
      Dsn::Parse("https://k@o18446744073709551615.example.com/1")->org_id(),
      18446744073709551615u);
  EXPECT_FALSE(
      Dsn::Parse("https://k@o18446744073709551616.example.com/1")->org_id());
  EXPECT_EQ(Dsn::Parse("https://k@o0.example.com/1")->org_id(), 0u);
  EXPECT_FALSE(Dsn::Parse("https://k@orange.example.com/1")->org_id());
  EXPECT_EQ(Dsn::Parse("https://k@o123.ingest.de.sentry.io/1")->org_id(), 123u);
}

TEST(DsnTest, RejectsInvalidWithReason) {
  struct Case {
    const char* dsn;
    const char* reason;
  };
  for (const Case& c : {
           Case{"=https://foo@bar.ingest.sentry.io/1234567", "scheme"},
           Case{"https://key@", "host"},
           Case{"https://key@sentry.io", "project"},
           Case{"https://sentry.io/1234567", "public key"},
           Case{"https://:password@domain:8888/23", "public key"},
           Case{"random string", "scheme"},
           Case{"https://username:password@:8888/42", "host"},
           Case{"https://username:password@domain:8888/", "project"},
           Case{"ftp://u@h/1", "scheme"},
           Case{"https://u@h:99999/1", "port"},
       }) {
    auto dsn = Dsn::Parse(c.dsn);
    ASSERT_FALSE(dsn.ok()) << c.dsn;
    EXPECT_NE(dsn.status().message().find(c.reason), std::string::npos)
        << c.dsn << ": " << dsn.status();
  }
}

}  // namespace
}  // namespace sentry
