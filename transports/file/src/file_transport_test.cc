#include "sentry/transports/file_transport.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sentry/sentry.h"

namespace sentry {
namespace {

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
  }
  return names;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempDir(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(FileTransportTest, OneAtomicFilePerEnvelope) {
  const std::string dir = TempDir("spool");
  auto transport = NewFileTransport(dir);
  ASSERT_TRUE(transport.ok()) << transport.status();
  std::vector<std::string> ids;
  {
    Options options;
    options.transport = *transport;
    InitGuard guard = Init(options);
    ids.push_back(CaptureMessage("first"));
    ids.push_back(CaptureMessage("second"));
  }
  auto names = ListDir(dir);
  ASSERT_EQ(names.size(), 2u);  // no temporary files left behind
  for (const std::string& id : ids) {
    const std::string bytes = ReadFile(dir + "/" + id + ".envelope");
    auto envelope = Envelope::Parse(bytes);
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    EXPECT_EQ(envelope->event_id(), id);
    EXPECT_FALSE(envelope->Header("sent_at").has_value());
  }
}

TEST(FileTransportTest, UnusableDirectoryIsAClearError) {
  const std::string file = TempDir("plain-file");
  std::ofstream(file) << "x";
  auto transport = NewFileTransport(file + "/sub");
  ASSERT_FALSE(transport.ok());
  EXPECT_NE(transport.status().message().find("cannot create directory"),
            std::string::npos)
      << transport.status();
  auto not_dir = NewFileTransport(file);
  ASSERT_FALSE(not_dir.ok());
  EXPECT_NE(not_dir.status().message().find("not a directory"),
            std::string::npos);
  EXPECT_FALSE(NewFileTransport("").ok());
}

TEST(FileTransportTest, WriteFailuresAreCountedNotThrown) {
  const std::string dir = TempDir("vanishing");
  auto transport = NewFileTransport(dir);
  ASSERT_TRUE(transport.ok());
  auto reports = std::make_shared<ClientReports>();
  (*transport)->Start(reports);
  ASSERT_EQ(rmdir(dir.c_str()), 0);  // the directory disappears
  Envelope envelope;
  envelope.SetStringHeader("event_id", "0123456789abcdef0123456789abcdef");
  envelope.AddItem("event", "{}");
  (*transport)->SendEnvelope(envelope);
  EXPECT_EQ(
      reports->Count(DiscardReason::kInternalSdkError, DataCategory::kError),
      1u);
}

}  // namespace
}  // namespace sentry
