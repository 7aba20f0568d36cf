// ThreadCapture: every thread of another process, stopped and unwound from
// the outside, for the crash handler process (sentry-crash-handler).
//
//   std::string error;
//   auto capture = ThreadCapture::StopAll(pid, crashing_tid, &error);
//   if (capture == nullptr) ...;                     // error says why
//   std::vector<CapturedThread> threads =
//       capture->Unwind(crashing_tid, crash_context);
//   capture.reset();                                 // the threads go on
//
// Every thread but the crashing one is stopped with ptrace (PTRACE_SEIZE,
// PTRACE_INTERRUPT; the crashed process allows it with PR_SET_PTRACER) and
// its registers read; the crashing thread keeps running (it is in its
// signal handler) and is unwound from the registers of its signal context.
// Stacks are read with process_vm_readv and unwound with each module's call
// frame information (.eh_frame, by libunwind's remote unwinder), so frames
// of code built without frame pointers are followed too; function names
// come from each module's symbol table, demangled. x86-64 only.
#ifndef SENTRY_INTEGRATIONS_CRASH_SRC_THREAD_CAPTURE_H_
#define SENTRY_INTEGRATIONS_CRASH_SRC_THREAD_CAPTURE_H_

#include <sys/user.h>
#include <ucontext.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sentry::internal::crash {

struct CapturedFrame {
  uint64_t pc = 0;       // The faulting instruction, then return addresses.
  std::string function;  // Demangled; empty when unknown.
};

struct CapturedThread {
  int tid = 0;
  std::string name;                   // /proc/PID/task/TID/comm
  std::vector<CapturedFrame> frames;  // Newest first.
  bool crashed = false;
};

// The registers of a signal context, as ptrace gives a thread's.
user_regs_struct RegistersOf(const ucontext_t& context);

class ThreadCapture {
 public:
  // Stops every thread of `pid` but `except_tid`. Null (and `error` set)
  // when none could be stopped.
  static std::unique_ptr<ThreadCapture> StopAll(int pid, int except_tid,
                                                std::string* error);
  ~ThreadCapture();  // Lets the stopped threads go on.
  ThreadCapture(const ThreadCapture&) = delete;
  ThreadCapture& operator=(const ThreadCapture&) = delete;

  // The crashing thread first (from `context`), then the stopped ones in
  // the order of their ids.
  std::vector<CapturedThread> Unwind(int crashing_tid,
                                     const ucontext_t& context);

  struct Stopped {
    int tid;
    user_regs_struct regs;
  };
  // The stopped threads and their registers, in the order of their ids.
  const std::vector<Stopped>& stopped() const { return stopped_; }

 private:
  explicit ThreadCapture(int pid) : pid_(pid) {}

  int pid_;
  std::vector<Stopped> stopped_;
};

}  // namespace sentry::internal::crash

#endif  // SENTRY_INTEGRATIONS_CRASH_SRC_THREAD_CAPTURE_H_
