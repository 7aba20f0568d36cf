#include "integrations/crash/src/thread_capture.h"

#include <cxxabi.h>
#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

// The remote unwinder only: its names (_Ux86_64_*) cannot clash with the
// local unwinder that C++ exceptions use.
#define UNW_REMOTE_ONLY
#include <libunwind-ptrace.h>
#include <libunwind.h>

namespace sentry::internal::crash {
namespace {

constexpr int kMaxFrames = 256;
constexpr size_t kMaxThreads = 1024;

// What the accessors read; the handler unwinds one thread at a time.
// (libunwind passes the ptrace accessors' argument to every accessor, so
// these cannot travel in it.)
int g_pid = 0;
const user_regs_struct* g_regs = nullptr;

int AccessMem(unw_addr_space_t, unw_word_t addr, unw_word_t* value, int write,
              void*) {
  if (write) return -UNW_EINVAL;
  iovec local{value, sizeof(*value)};
  iovec remote{reinterpret_cast<void*>(addr), sizeof(*value)};
  return ::process_vm_readv(g_pid, &local, 1, &remote, 1, 0) ==
                 static_cast<ssize_t>(sizeof(*value))
             ? 0
             : -UNW_EINVAL;
}

// The registers the unwinder asks for, by their libunwind numbers
// (UNW_X86_64_RAX = 0 ... UNW_X86_64_RIP = 16).
using Register = decltype(&user_regs_struct::rax);
constexpr Register kRegisters[] = {
    &user_regs_struct::rax, &user_regs_struct::rdx, &user_regs_struct::rcx,
    &user_regs_struct::rbx, &user_regs_struct::rsi, &user_regs_struct::rdi,
    &user_regs_struct::rbp, &user_regs_struct::rsp, &user_regs_struct::r8,
    &user_regs_struct::r9,  &user_regs_struct::r10, &user_regs_struct::r11,
    &user_regs_struct::r12, &user_regs_struct::r13, &user_regs_struct::r14,
    &user_regs_struct::r15, &user_regs_struct::rip};
static_assert(UNW_X86_64_RAX == 0 && UNW_X86_64_RSP == 7 &&
              UNW_X86_64_R8 == 8 && UNW_X86_64_RIP == 16);

int AccessReg(unw_addr_space_t, unw_regnum_t reg, unw_word_t* value, int write,
              void*) {
  if (write || g_regs == nullptr) return -UNW_EINVAL;
  if (reg < 0 || reg > UNW_X86_64_RIP) return -UNW_EBADREG;
  *value = (*g_regs).*kRegisters[reg];
  return 0;
}

int AccessFpreg(unw_addr_space_t, unw_regnum_t, unw_fpreg_t*, int, void*) {
  return -UNW_EINVAL;
}

int Resume(unw_addr_space_t, unw_cursor_t*, void*) { return -UNW_EINVAL; }

}  // namespace

user_regs_struct RegistersOf(const ucontext_t& context) {
  const greg_t* g = context.uc_mcontext.gregs;
  user_regs_struct r{};
  r.r8 = g[REG_R8];
  r.r9 = g[REG_R9];
  r.r10 = g[REG_R10];
  r.r11 = g[REG_R11];
  r.r12 = g[REG_R12];
  r.r13 = g[REG_R13];
  r.r14 = g[REG_R14];
  r.r15 = g[REG_R15];
  r.rdi = g[REG_RDI];
  r.rsi = g[REG_RSI];
  r.rbp = g[REG_RBP];
  r.rbx = g[REG_RBX];
  r.rdx = g[REG_RDX];
  r.rax = g[REG_RAX];
  r.rcx = g[REG_RCX];
  r.rsp = g[REG_RSP];
  r.rip = g[REG_RIP];
  r.eflags = g[REG_EFL];
  r.cs = g[REG_CSGSFS] & 0xffff;
  return r;
}

namespace {

std::string Demangle(const char* name) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || demangled == nullptr) return name;
  std::string result = demangled;
  std::free(demangled);
  return result;
}

std::string ThreadName(int pid, int tid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/task/", tid, "/comm"));
  std::string name;
  std::getline(in, name);
  return name;
}

// The process's address space as libunwind sees it: remote, read with
// process_vm_readv, registers from g_regs, modules found by the ptrace
// accessors (which read /proc/PID/maps and the ELF files).
unw_accessors_t MakeAccessors() {
  unw_accessors_t a = _UPT_accessors;
  a.access_mem = &AccessMem;
  a.access_reg = &AccessReg;
  a.access_fpreg = &AccessFpreg;
  a.resume = &Resume;
  return a;
}

std::vector<CapturedFrame> UnwindOne(unw_addr_space_t space, void* upt,
                                     const user_regs_struct& regs) {
  g_regs = &regs;
  std::vector<CapturedFrame> frames;
  unw_cursor_t cursor;
  if (unw_init_remote(&cursor, space, upt) < 0) {
    frames.push_back({regs.rip, ""});
    return frames;
  }
  uint64_t previous_sp = 0;
  for (int i = 0; i < kMaxFrames; ++i) {
    unw_word_t pc = 0, sp = 0;
    if (unw_get_reg(&cursor, UNW_REG_IP, &pc) < 0 || pc == 0) break;
    unw_get_reg(&cursor, UNW_REG_SP, &sp);
    if (i > 0 && sp != 0 && sp < previous_sp) break;  // Going nowhere.
    previous_sp = sp;
    CapturedFrame frame;
    frame.pc = pc;
    char name[1024];
    unw_word_t offset = 0;
    // A return address may be past the call's function (a call that does
    // not return ends it): look up the call itself.
    if (i == 0) {
      if (unw_get_proc_name(&cursor, name, sizeof(name), &offset) == 0) {
        frame.function = Demangle(name);
      }
    } else if (_UPT_get_proc_name(space, pc - 1, name, sizeof(name), &offset,
                                  upt) == 0) {
      frame.function = Demangle(name);
    }
    frames.push_back(std::move(frame));
    if (unw_step(&cursor) <= 0) break;
  }
  g_regs = nullptr;
  return frames;
}

}  // namespace

std::unique_ptr<ThreadCapture> ThreadCapture::StopAll(int pid, int except_tid,
                                                      std::string* error) {
  std::unique_ptr<ThreadCapture> capture(new ThreadCapture(pid));
  const std::string tasks = absl::StrCat("/proc/", pid, "/task");
  DIR* dir = ::opendir(tasks.c_str());
  if (dir == nullptr) {
    *error = absl::StrCat("cannot list ", tasks, ": ", std::strerror(errno));
    return nullptr;
  }
  std::vector<int> tids;
  while (const dirent* entry = ::readdir(dir)) {
    int tid = 0;
    if (absl::SimpleAtoi(entry->d_name, &tid) && tid != except_tid &&
        tids.size() < kMaxThreads) {
      tids.push_back(tid);
    }
  }
  ::closedir(dir);
  std::sort(tids.begin(), tids.end());
  std::vector<int> seized;
  for (int tid : tids) {
    if (::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) {
      *error = absl::StrCat("ptrace(PTRACE_SEIZE, ", tid,
                            "): ", std::strerror(errno));
      continue;
    }
    seized.push_back(tid);
    ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  }
  for (int tid : seized) {
    int status = 0;
    if (::waitpid(tid, &status, __WALL) != tid) continue;
    Stopped stopped{tid, {}};
    if (::ptrace(PTRACE_GETREGS, tid, nullptr, &stopped.regs) != 0) {
      ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
      continue;
    }
    capture->stopped_.push_back(stopped);
  }
  if (capture->stopped_.empty() && !tids.empty()) return nullptr;
  return capture;
}

ThreadCapture::~ThreadCapture() {
  for (const Stopped& stopped : stopped_) {
    ::ptrace(PTRACE_DETACH, stopped.tid, nullptr, nullptr);
  }
}

std::vector<CapturedThread> ThreadCapture::Unwind(int crashing_tid,
                                                  const ucontext_t& context) {
  g_pid = pid_;
  std::vector<CapturedThread> threads;
  unw_accessors_t accessors = MakeAccessors();
  unw_addr_space_t space = unw_create_addr_space(&accessors, 0);
  if (space == nullptr) return threads;
  unw_set_caching_policy(space, UNW_CACHE_GLOBAL);
  void* upt = _UPT_create(pid_);
  if (upt == nullptr) {
    unw_destroy_addr_space(space);
    return threads;
  }
  const user_regs_struct crashing_regs = RegistersOf(context);
  CapturedThread crashed;
  crashed.tid = crashing_tid;
  crashed.name = ThreadName(pid_, crashing_tid);
  crashed.crashed = true;
  crashed.frames = UnwindOne(space, upt, crashing_regs);
  threads.push_back(std::move(crashed));
  for (const Stopped& stopped : stopped_) {
    CapturedThread thread;
    thread.tid = stopped.tid;
    thread.name = ThreadName(pid_, stopped.tid);
    thread.frames = UnwindOne(space, upt, stopped.regs);
    threads.push_back(std::move(thread));
  }
  _UPT_destroy(upt);
  unw_destroy_addr_space(space);
  return threads;
}

}  // namespace sentry::internal::crash
