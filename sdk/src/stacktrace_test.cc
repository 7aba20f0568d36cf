#include "sdk/src/stacktrace.h"

#include <set>
#include <stdexcept>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "sentry/sentry.h"
#include "sentry/testing/test_transport.h"

namespace sentry {
namespace {

using testing::TestTransport;

TEST(DebugIdTest, ByteSwapRuleFromTheProtocol) {
  const std::string code_id = "f1c3bcc0279865fe3058404b2831d9e64135386c";
  std::string bytes;
  for (size_t i = 0; i < code_id.size(); i += 2) {
    bytes.push_back(
        static_cast<char>(std::stoi(code_id.substr(i, 2), nullptr, 16)));
  }
  EXPECT_EQ(internal::DebugIdFromBuildId(bytes),
            "c0bcc3f1-9827-fe65-3058-404b2831d9e6");
  // Shorter ids are zero-padded.
  EXPECT_EQ(internal::DebugIdFromBuildId(std::string("\x01\x02\x03\x04", 4)),
            "04030201-0000-0000-0000-000000000000");
}

TEST(ModulesTest, TheProgramItselfIsFoundWithItsBuildId) {
  const auto here = internal::FindModule(
      reinterpret_cast<uintptr_t>(&internal::DebugIdFromBuildId));
  ASSERT_TRUE(here.has_value());
  EXPECT_TRUE(absl::EndsWith(here->code_file, "stacktrace_test"))
      << here->code_file;
  EXPECT_EQ(here->code_id.size(), 40u);
  EXPECT_EQ(here->debug_id.size(), 36u);
  EXPECT_GT(here->image_size, 0u);
}

class StacktraceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(Options()); }
  // (Re)starts the SDK with `options`, the test transport and
  // attach_stacktrace.
  void Start(Options options) {
    guard_.reset();
    options.transport = transport_;
    options.attach_stacktrace = true;
    guard_ = std::make_unique<InitGuard>(Init(std::move(options)));
  }
  std::vector<protocol::Event> Events(size_t n) {
    EXPECT_TRUE(Flush(absl::Seconds(10)));
    EXPECT_TRUE(transport_->WaitForEvents(n, absl::Seconds(10)));
    return transport_->events();
  }
  std::shared_ptr<TestTransport> transport_ = std::make_shared<TestTransport>();
  std::unique_ptr<InitGuard> guard_;
};

__attribute__((noinline)) void CaptureFromHere() {
  try {
    throw std::invalid_argument("bad width");
  } catch (const std::exception& e) {
    CaptureException(e);
  }
  asm volatile("");  // Keeps this frame from being a tail call.
}

TEST_F(StacktraceTest, ExceptionsCarrySymbolizedFramesAndDebugImages) {
  CaptureFromHere();
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& value = events[0].exception().values(0);
  const auto& frames = value.stacktrace().frames();
  ASSERT_GE(frames.size(), 2);
  // Newest last, and the SDK's own frames trimmed: the last frame is ours.
  EXPECT_TRUE(absl::StrContains(frames.rbegin()->function(), "CaptureFromHere"))
      << frames.rbegin()->function();
  EXPECT_TRUE(frames.rbegin()->in_app());
  std::set<std::string> packages;
  for (const auto& frame : frames) {
    EXPECT_TRUE(absl::StartsWith(frame.instruction_addr(), "0x"));
    EXPECT_FALSE(frame.package().empty()) << frame.function();
    packages.insert(frame.package());
  }
  // Exactly the modules the frames are in are listed, each once, with ids.
  std::set<std::string> code_files;
  bool found_self = false;
  for (const auto& image : events[0].debug_meta().images()) {
    EXPECT_EQ(image.type(), "elf");
    EXPECT_TRUE(absl::StartsWith(image.image_addr(), "0x"));
    EXPECT_TRUE(code_files.insert(image.code_file()).second)
        << image.code_file() << " listed twice";
    EXPECT_EQ(image.debug_id().size(), 36u) << image.code_file();
    if (absl::EndsWith(image.code_file(), "stacktrace_test")) {
      found_self = true;
      EXPECT_EQ(image.code_id().size(), 40u);
    }
  }
  EXPECT_EQ(code_files, packages);
  EXPECT_TRUE(found_self);
}

// Frames of the standard library, Abseil, GoogleTest and system libraries
// are not the application's by default; the test's own function is.
TEST_F(StacktraceTest, LibraryFramesAreNotInAppByDefault) {
  CaptureFromHere();
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& frames = events[0].exception().values(0).stacktrace().frames();
  int library_frames = 0;
  for (const auto& frame : frames) {
    const bool library = absl::StartsWith(frame.function(), "testing::") ||
                         absl::StartsWith(frame.function(), "std::") ||
                         absl::StartsWith(frame.function(), "__") ||
                         absl::StartsWith(frame.package(), "/lib") ||
                         absl::StartsWith(frame.package(), "/usr/lib");
    if (library) {
      ++library_frames;
      EXPECT_FALSE(frame.in_app())
          << frame.function() << " " << frame.package();
    }
  }
  // GoogleTest's runner is on every test's stack.
  EXPECT_GE(library_frames, 1);
  EXPECT_TRUE(frames.rbegin()->in_app()) << frames.rbegin()->function();
}

// in_app_include makes GoogleTest's frames the application's;
// in_app_exclude takes the capturing function out.
TEST_F(StacktraceTest, InAppIncludeAndExcludeDecide) {
  Options options;
  options.in_app_include = {"testing::"};
  options.in_app_exclude = {"sentry::(anonymous namespace)::CaptureFromHere"};
  Start(std::move(options));
  CaptureFromHere();
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& frames = events[0].exception().values(0).stacktrace().frames();
  ASSERT_TRUE(
      absl::StrContains(frames.rbegin()->function(), "CaptureFromHere"));
  EXPECT_FALSE(frames.rbegin()->in_app());
  int testing_frames = 0;
  for (const auto& frame : frames) {
    if (!absl::StartsWith(frame.function(), "testing::")) continue;
    ++testing_frames;
    EXPECT_TRUE(frame.in_app()) << frame.function();
  }
  EXPECT_GE(testing_frames, 1);
}

TEST_F(StacktraceTest, NestedExceptionsBecomeALinkedChain) {
  try {
    try {
      throw std::runtime_error("disk full");
    } catch (...) {
      std::throw_with_nested(std::logic_error("cannot save"));
    }
  } catch (const std::exception& e) {
    CaptureException(e);
  }
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  const auto& values = events[0].exception().values();
  ASSERT_EQ(values.size(), 2);
  // Oldest (the cause) first.
  EXPECT_EQ(values[0].type(), "std::runtime_error");
  EXPECT_EQ(values[0].value(), "disk full");
  EXPECT_EQ(values[0].mechanism().type(), "chained");
  EXPECT_EQ(values[0].mechanism().exception_id(), 1u);
  EXPECT_EQ(values[0].mechanism().parent_id(), 0u);
  EXPECT_TRUE(absl::StrContains(values[1].type(), "logic_error"))
      << values[1].type();
  EXPECT_EQ(values[1].value(), "cannot save");
  EXPECT_EQ(values[1].mechanism().type(), "generic");
  EXPECT_EQ(values[1].mechanism().exception_id(), 0u);
  EXPECT_FALSE(values[1].mechanism().has_parent_id());
  // The capturing stack is attached, ending in this test's body.
  ASSERT_GE(values[1].stacktrace().frames_size(), 1);
  EXPECT_TRUE(
      absl::StrContains(values[1].stacktrace().frames().rbegin()->function(),
                        "NestedExceptionsBecomeALinkedChain_Test::TestBody"))
      << values[1].stacktrace().frames().rbegin()->function();
}

TEST_F(StacktraceTest, NonStandardExceptionsAreNamed) {
  struct Custom {};
  try {
    throw Custom();
  } catch (...) {
    CaptureException(std::current_exception());
  }
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(
      absl::StrContains(events[0].exception().values(0).type(), "Custom"));
}

TEST_F(StacktraceTest, MessagesCarryTheThreadStackWithAttachStacktrace) {
  CaptureMessage("with a stack");
  const auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].threads().values_size(), 1);
  const auto& thread = events[0].threads().values(0);
  EXPECT_TRUE(thread.current());
  ASSERT_GE(thread.stacktrace().frames_size(), 1);
  EXPECT_TRUE(absl::StrContains(
      thread.stacktrace().frames().rbegin()->function(),
      "MessagesCarryTheThreadStackWithAttachStacktrace_Test::TestBody"))
      << thread.stacktrace().frames().rbegin()->function();
  EXPECT_GE(events[0].debug_meta().images_size(), 1);
}

}  // namespace
}  // namespace sentry
