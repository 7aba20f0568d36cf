// A Linux minidump of a crashed process, written by the crash handler
// process while the crashed process's threads are stopped: the format
// Breakpad and Crashpad write and Sentry processes (an `event.minidump`
// attachment), and that debuggers open (`lldb`: target create --core).
//
//   MinidumpInput input;  // pid, the crash, each thread's registers, ...
//   std::string bytes = WriteMinidump(input);
//
// Streams: system info (x86-64, Linux), every thread with its registers and
// stack memory (from its stack pointer, at most 256 KiB, read with
// process_vm_readv), the memory list of those stacks, the module list with
// each module's GNU build id (a Breakpad `BpEL` CodeView record), the
// exception (signal, code, faulting address, the crashing thread's context),
// the process id (misc info) and, as Breakpad writes them, /proc/PID/maps,
// status and cmdline. x86-64 only.
#ifndef SENTRY_INTEGRATIONS_CRASH_SRC_MINIDUMP_H_
#define SENTRY_INTEGRATIONS_CRASH_SRC_MINIDUMP_H_

#include <sys/user.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sdk/src/stacktrace.h"

namespace sentry::internal::crash {

struct MinidumpThread {
  int tid = 0;
  user_regs_struct regs{};
};

struct MinidumpInput {
  int pid = 0;
  int crashing_tid = 0;
  int signal = 0;
  int code = 0;  // siginfo's si_code
  uint64_t fault_addr = 0;
  uint64_t time = 0;                    // Unix seconds.
  std::vector<MinidumpThread> threads;  // The crashing one among them.
  std::vector<Module> modules;
  std::string maps;  // /proc/PID/maps
};

std::string WriteMinidump(const MinidumpInput& input);

}  // namespace sentry::internal::crash

#endif  // SENTRY_INTEGRATIONS_CRASH_SRC_MINIDUMP_H_
