// A program that uses OpenSSL 3 keeps working with the SDK (and so BoringSSL)
// linked in: BoringSSL's symbols are prefixed and hidden, so none of the
// program's OpenSSL calls can bind to them.
#include "gtest/gtest.h"
#include "sdk/src/openssl_probe.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

TEST(OpenSslCoexistenceTest, BothLibrariesWorkInOneProcess) {
  auto transport = std::make_shared<testing::TestTransport>();
  Options options;
  options.transport = transport;
  InitGuard guard = Init(options);
  // The SDK draws its event ids from BoringSSL...
  const std::string id = CaptureMessage("before");
  EXPECT_EQ(id.size(), 32u);
  // ...while the program's own OpenSSL calls reach OpenSSL.
  EXPECT_EQ(testing::ProbeSystemOpenSsl(), "");
  EXPECT_EQ(CaptureMessage("after").size(), 32u);
  ASSERT_TRUE(Flush(absl::Seconds(10)));
  EXPECT_EQ(transport->event_count(), 2u);
}

}  // namespace
}  // namespace sentry
