#include "transports/http/src/spool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sentry/envelope.h"

namespace sentry::internal {
namespace {

std::string TempDir() {
  char pattern[] = "/tmp/spool_test.XXXXXX";
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir = base != nullptr ? absl::StrCat(base, "/spool.XXXXXX")
                                    : std::string(pattern);
  return std::string(::mkdtemp(dir.data()));
}

std::string EventEnvelope(int n) {
  Envelope envelope;
  envelope.SetStringHeader("event_id", absl::StrCat("id", n));
  envelope.AddItem("event", absl::StrCat("{\"message\":\"event ", n, "\"}"));
  return envelope.Serialize();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SpoolTest, StoresAndClaimsOldestFirstThenDeletes) {
  auto spool = Spool::Open(TempDir() + "/nested/cache", {}, nullptr);
  ASSERT_TRUE(spool.ok()) << spool.status();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE((*spool)->Store(EventEnvelope(i)).ok());
  ASSERT_EQ((*spool)->List().size(), 3u);
  // The files are plain envelopes.
  const std::string first =
      ReadFile((*spool)->directory() + "/" + (*spool)->List()[0]);
  EXPECT_EQ(first, EventEnvelope(0));

  for (int i = 0; i < 3; ++i) {
    auto file = (*spool)->ClaimNext();
    ASSERT_TRUE(file.has_value());
    EXPECT_EQ(file->bytes(), EventEnvelope(i));
    (*spool)->Done(*std::move(file));
  }
  EXPECT_FALSE((*spool)->ClaimNext().has_value());
  EXPECT_TRUE((*spool)->List().empty());
}

TEST(SpoolTest, ReleasedFileIsClaimedAgain) {
  auto spool = Spool::Open(TempDir(), {}, nullptr);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Store(EventEnvelope(1)).ok());
  {
    auto file = (*spool)->ClaimNext();
    ASSERT_TRUE(file.has_value());
    // While claimed, nobody else gets it.
    EXPECT_FALSE((*spool)->ClaimNext().has_value());
  }
  auto again = (*spool)->ClaimNext();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->bytes(), EventEnvelope(1));
}

TEST(SpoolTest, CorruptAndTruncatedFilesAreSetAsideNotSent) {
  auto spool = Spool::Open(TempDir(), {}, nullptr);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Store(EventEnvelope(1)).ok());
  ASSERT_TRUE((*spool)->Store(EventEnvelope(2)).ok());
  ASSERT_TRUE((*spool)->Store(EventEnvelope(3)).ok());
  const auto names = (*spool)->List();
  const std::string dir = (*spool)->directory();
  // Truncate the first, flip a byte in the second.
  ASSERT_EQ(::truncate((dir + "/" + names[0]).c_str(), 10), 0);
  std::string second = ReadFile(dir + "/" + names[1]);
  second[second.size() - 3] ^= 1;
  std::ofstream(dir + "/" + names[1], std::ios::binary) << second;

  auto file = (*spool)->ClaimNext();
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->bytes(), EventEnvelope(3));
  EXPECT_EQ((*spool)->List().size(), 1u);
  EXPECT_EQ(ReadFile(dir + "/" + names[0] + ".corrupt").size(), 10u);
  EXPECT_FALSE(ReadFile(dir + "/" + names[1] + ".corrupt").empty());
}

TEST(SpoolTest, FilesThatAreNotEnvelopesAreSetAside) {
  auto spool = Spool::Open(TempDir(), {}, nullptr);
  ASSERT_TRUE(spool.ok());
  const std::string junk =
      "{\"event_id\":\"x\"}\n{\"type\":\"event\",\"length\":99}\nab";
  const std::string name = SpoolFileName(absl::Now(), junk);
  std::ofstream((*spool)->directory() + "/" + name, std::ios::binary) << junk;
  EXPECT_FALSE((*spool)->ClaimNext().has_value());
  EXPECT_TRUE((*spool)->List().empty());
}

TEST(SpoolTest, EvictsOldestBeyondLimitsAndCountsThem) {
  auto reports = std::make_shared<ClientReports>();
  SpoolLimits limits;
  limits.max_files = 3;
  auto spool = Spool::Open(TempDir(), limits, reports);
  ASSERT_TRUE(spool.ok());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE((*spool)->Store(EventEnvelope(i)).ok());
  EXPECT_EQ((*spool)->List().size(), 3u);
  EXPECT_EQ(reports->Count(DiscardReason::kCacheOverflow, DataCategory::kError),
            2u);
  auto file = (*spool)->ClaimNext();
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->bytes(), EventEnvelope(2));  // 0 and 1 were evicted

  // Byte limit.
  SpoolLimits small;
  small.max_bytes = EventEnvelope(0).size() * 2;
  auto bytes_spool = Spool::Open(TempDir(), small, reports);
  ASSERT_TRUE(bytes_spool.ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE((*bytes_spool)->Store(EventEnvelope(i)).ok());
  }
  EXPECT_EQ((*bytes_spool)->List().size(), 2u);
  EXPECT_EQ(reports->Count(DiscardReason::kCacheOverflow, DataCategory::kError),
            4u);
  // An envelope larger than the whole spool is refused with a reason.
  absl::Status too_big =
      (*bytes_spool)->Store(std::string(small.max_bytes + 1, 'x'));
  EXPECT_EQ(too_big.code(), absl::StatusCode::kResourceExhausted);
}

TEST(SpoolTest, ExpiredFilesAreEvicted) {
  auto reports = std::make_shared<ClientReports>();
  SpoolLimits limits;
  limits.max_age = absl::Hours(1);
  auto spool = Spool::Open(TempDir(), limits, reports);
  ASSERT_TRUE(spool.ok());
  const std::string old = EventEnvelope(1);
  std::ofstream((*spool)->directory() + "/" +
                    SpoolFileName(absl::Now() - absl::Hours(2), old),
                std::ios::binary)
      << old;
  EXPECT_FALSE((*spool)->ClaimNext().has_value());
  EXPECT_EQ(reports->Count(DiscardReason::kCacheOverflow, DataCategory::kError),
            1u);
}

TEST(SpoolTest, UnwritableDirectoryIsAClearError) {
  auto spool = Spool::Open("/proc/sentry-spool", {}, nullptr);
  ASSERT_FALSE(spool.ok());
  EXPECT_NE(spool.status().message().find("/proc/sentry-spool"),
            std::string::npos)
      << spool.status();
  const std::string file = TempDir() + "/file";
  std::ofstream(file) << "x";
  EXPECT_FALSE(Spool::Open(file, {}, nullptr).ok());
}

// Two processes draining one directory: every file is claimed exactly once.
// Each child claims one file, then waits until the other has claimed one
// too, so both really drain the directory at the same time.
TEST(SpoolTest, TwoProcessesNeverClaimTheSameFile) {
  const std::string dir = TempDir();
  constexpr int kFiles = 300;
  {
    SpoolLimits limits;
    limits.max_files = kFiles;
    auto spool = Spool::Open(dir, limits, nullptr);
    ASSERT_TRUE(spool.ok());
    for (int i = 0; i < kFiles; ++i) {
      ASSERT_TRUE((*spool)->Store(EventEnvelope(i)).ok());
    }
  }
  int claimed_one[2];  // child -> parent: "I have claimed my first file"
  int go_on[2];        // parent -> children: "both have; drain the rest"
  ASSERT_EQ(::pipe(claimed_one), 0);
  ASSERT_EQ(::pipe(go_on), 0);
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = ::fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) {
      auto spool = Spool::Open(dir, {}, nullptr);
      FILE* log = std::fopen(absl::StrCat(dir, ".claims", c).c_str(), "w");
      if (!spool.ok() || log == nullptr) ::_exit(2);
      bool first = true;
      while (auto file = (*spool)->ClaimNext()) {
        // The first line: the envelope header with the event id.
        const std::string& bytes = file->bytes();
        std::fprintf(log, "%s\n", bytes.substr(0, bytes.find('\n')).c_str());
        std::fflush(log);
        (*spool)->Done(*std::move(file));
        if (first) {
          first = false;
          char byte = 'c';
          if (::write(claimed_one[1], &byte, 1) != 1) ::_exit(3);
          if (::read(go_on[0], &byte, 1) != 1) ::_exit(4);
        }
      }
      std::fclose(log);
      ::_exit(0);
    }
  }
  char bytes[2];
  ASSERT_EQ(::read(claimed_one[0], &bytes[0], 1), 1);
  ASSERT_EQ(::read(claimed_one[0], &bytes[1], 1), 1);
  ASSERT_EQ(::write(go_on[1], "gg", 2), 2);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  for (int fd : {claimed_one[0], claimed_one[1], go_on[0], go_on[1]}) {
    ::close(fd);
  }
  std::set<std::string> claims[2];
  for (int c = 0; c < 2; ++c) {
    std::ifstream in(absl::StrCat(dir, ".claims", c));
    std::string line;
    while (std::getline(in, line)) {
      EXPECT_TRUE(claims[c].insert(line).second) << "claimed twice: " << line;
    }
    EXPECT_GE(claims[c].size(), 1u) << "child " << c;
  }
  // Union: every file; intersection: none.
  std::set<std::string> both;
  std::set_intersection(claims[0].begin(), claims[0].end(), claims[1].begin(),
                        claims[1].end(), std::inserter(both, both.begin()));
  EXPECT_TRUE(both.empty()) << *both.begin();
  std::set<std::string> all = claims[0];
  all.insert(claims[1].begin(), claims[1].end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kFiles));
}

}  // namespace
}  // namespace sentry::internal
