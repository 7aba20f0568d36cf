// What the crashing process and its crash handler process share: the
// layout of the data the handler reads out of the crashed process's memory
// (process_vm_readv), and the bytes they exchange over two pipes. One
// header, so both sides agree; both are built from the same commit.
//
// The exchange, on a fatal signal (the crashing thread on one side, the
// handler process, sentry-crash-handler, on the other):
//
//   crashing thread                        handler
//   fills CrashMessage, writes kCrash  ->  reads the message, stops every
//                                          other thread (ptrace), reads
//                                      <-  their registers, writes kStopped
//   writes its own scope (CrashScope)      (or kFailed: the crashing
//   into its buffers, writes kScope    ->   process reports in-process)
//                                          unwinds every thread, reads the
//                                          prepared event and the scope,
//                                          writes the envelope to the
//                                      <-  spool, lets the threads go,
//   re-raises the signal                   writes kDone; then sends it
//   (core dump, previous handler)
//
// Each wait on the crashing side is bounded (CrashOptions::handler_timeout);
// when the handler does not answer, the crash is written in-process.
#ifndef SENTRY_INTEGRATIONS_CRASH_SRC_CRASH_MESSAGE_H_
#define SENTRY_INTEGRATIONS_CRASH_SRC_CRASH_MESSAGE_H_

#include <signal.h>
#include <ucontext.h>

#include <cstddef>
#include <cstdint>

namespace sentry::internal::crash {

// The bytes on the pipes.
inline constexpr char kCrash = 'C';    // to the handler: a crash
inline constexpr char kStopped = 'S';  // to the process: write the scope
inline constexpr char kFailed = 'X';   // to the process: report yourself
inline constexpr char kScope = 'W';    // to the handler: scope written
inline constexpr char kDone = 'D';     // to the process: go on dying

inline constexpr uint64_t kMagic = 0x73656e7472796372;  // "sentrycr"
inline constexpr size_t kPrefixMax = 512 * 1024;
inline constexpr size_t kTraceMax = 4096;
inline constexpr size_t kScopeMax = 256 * 1024;

// The exception's type and value for each signal the integration handles
// (async-signal-safe).
inline const char* SignalName(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGABRT:
      return "SIGABRT";
  }
  return "SIGNAL";
}

inline const char* SignalDescription(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "Segfault";
    case SIGBUS:
      return "Bus error";
    case SIGILL:
      return "Illegal instruction";
    case SIGFPE:
      return "Floating point exception";
    case SIGABRT:
      return "Abort";
  }
  return "Fatal signal";
}

// The event as rendered ahead of time (every 250 ms, and on
// WaitForCrashEventPrepared) from the main hub's scope: what a crash
// carries when the crashing thread's own scope cannot be written.
struct PreparedEvent {
  char prefix[kPrefixMax];  // '{' + event fields + ',' (no closing brace)
  uint64_t prefix_len = 0;
  char event_id[33] = {};
  char random[9] = {};
  char trace[kTraceMax] = {};  // The envelope's "trace" header (DSC JSON).
};

// One crash, as the crashing thread describes it. The handler is given its
// address when it starts.
struct CrashMessage {
  uint64_t magic = kMagic;
  int32_t pid = 0;
  int32_t tid = 0;  // The crashing thread.
  int32_t signal = 0;
  int32_t code = 0;         // siginfo's si_code
  uint64_t fault_addr = 0;  // siginfo's si_addr
  uint64_t micros = 0;      // When (CLOCK_REALTIME).
  ucontext_t context;       // The crashing thread's, at the signal.
  uint64_t prepared = 0;    // Address of the active PreparedEvent.
  // Address of the C library's `__abort_msg` pointer (glibc keeps the
  // message of a failed assertion or a detected heap corruption there);
  // 0 when there is none.
  uint64_t abort_msg = 0;
  // Written by the crashing thread after kStopped: its scope (CrashScope)
  // and its trace's frozen DSC; a length of 0 when there is none.
  uint64_t scope = 0;  // Address of kScopeMax bytes.
  uint64_t scope_len = 0;
  uint64_t dsc = 0;  // Address of kTraceMax bytes.
  uint64_t dsc_len = 0;
};

}  // namespace sentry::internal::crash

#endif  // SENTRY_INTEGRATIONS_CRASH_SRC_CRASH_MESSAGE_H_
