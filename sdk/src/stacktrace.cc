#include "sdk/src/stacktrace.h"

#include <cxxabi.h>
#include <elf.h>
#include <link.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

namespace sentry::internal {
namespace {

constexpr int kMaxFrames = 128;

std::string Hex(uintptr_t value) { return absl::StrFormat("0x%x", value); }

std::string ExecutablePath() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : "";
}

// The GNU build id from a module's PT_NOTE segments, as raw bytes.
std::string BuildId(const dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type != PT_NOTE) continue;
    const char* p =
        reinterpret_cast<const char*>(info->dlpi_addr + phdr.p_vaddr);
    const char* end = p + phdr.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const char* name = p + sizeof(ElfW(Nhdr));
      const char* desc = name + ((note->n_namesz + 3) & ~3u);
      const char* next = desc + ((note->n_descsz + 3) & ~3u);
      if (next > end) break;
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        return std::string(desc, note->n_descsz);
      }
      p = next;
    }
  }
  return "";
}

int CollectModule(dl_phdr_info* info, size_t, void* data) {
  auto* modules = static_cast<std::vector<Module>*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type != PT_LOAD) continue;
    low = std::min<uintptr_t>(low, phdr.p_vaddr);
    high = std::max<uintptr_t>(high, phdr.p_vaddr + phdr.p_memsz);
  }
  if (low == UINTPTR_MAX) return 0;
  Module module;
  module.code_file = info->dlpi_name != nullptr ? info->dlpi_name : "";
  if (module.code_file.empty()) {
    if (!modules->empty()) return 0;      // vdso-like entries without a name.
    module.code_file = ExecutablePath();  // The first entry: the program.
  }
  module.image_vmaddr = low;
  module.image_addr = info->dlpi_addr + low;
  module.image_size = high - low;
  const std::string build_id = BuildId(info);
  if (!build_id.empty()) {
    module.code_id = absl::BytesToHexString(build_id);
    module.debug_id = DebugIdFromBuildId(build_id);
  }
  modules->push_back(std::move(module));
  return 0;
}

// The module list, refreshed when an address is in none of them (a library
// loaded since).
class ModuleCache {
 public:
  std::optional<Module> Find(uintptr_t address) {
    absl::MutexLock lock(&mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      for (const Module& module : modules_) {
        if (address >= module.image_addr &&
            address < module.image_addr + module.image_size) {
          return module;
        }
      }
      if (attempt == 0) modules_ = LoadedModules();
    }
    return std::nullopt;
  }

 private:
  absl::Mutex mu_;
  std::vector<Module> modules_ ABSL_GUARDED_BY(mu_);
};

ModuleCache& Cache() {
  static auto* const cache = new ModuleCache();
  return *cache;
}

bool StartsWithAny(absl::string_view s, const std::vector<std::string>& list) {
  for (const auto& prefix : list) {
    if (!prefix.empty() && absl::StartsWith(s, prefix)) return true;
  }
  return false;
}

// The SDK's and its integrations' own functions: everything in namespace
// sentry (user code does not live there), except anonymous namespaces,
// where only the SDK's named internals count (the SDK's tests keep their
// own functions in sentry's anonymous namespace).
bool IsSdkFunction(absl::string_view function) {
  if (!absl::ConsumePrefix(&function, "sentry::")) return false;
  if (!absl::ConsumePrefix(&function, "(anonymous namespace)::")) return true;
  static constexpr absl::string_view kInternals[] = {
      "AttachCaptureStack", "OnTerminate", "OnSignal", "WriteCrash"};
  for (absl::string_view internal : kInternals) {
    if (absl::StartsWith(function, internal)) return true;
  }
  return false;
}

bool DefaultInApp(absl::string_view function, absl::string_view package) {
  static constexpr absl::string_view kSystemFunctions[] = {
      "std::",     "__",      "absl::",   "google::protobuf::",
      "testing::", "boost::", "httplib::"};
  for (absl::string_view prefix : kSystemFunctions) {
    if (absl::StartsWith(function, prefix)) return false;
  }
  if (IsSdkFunction(function)) return false;
  return !(absl::StartsWith(package, "/lib/") ||
           absl::StartsWith(package, "/lib64/") ||
           absl::StartsWith(package, "/usr/lib"));
}

// Library glue between SDK frames (std::function's invoker, Abseil's
// function_ref) is trimmed with them.
bool IsGlueFrame(const protocol::Frame& frame) {
  return absl::StartsWith(frame.function(), "std::") ||
         absl::StartsWith(frame.function(), "absl::");
}

// The frames at the top of a captured stack that belong to the SDK (the
// capture call, an integration's wrapper that caught the exception, and the
// library glue between them) say nothing about the error: returns how many
// to drop, never all of them.
int SdkFramesOnTop(const protocol::Stacktrace& trace) {
  const int size = trace.frames_size();
  int drop = 0;
  for (int i = size - 1; i > 0; --i) {  // newest last
    const protocol::Frame& frame = trace.frames(i);
    if (IsSdkFunction(frame.function())) {
      drop = size - i;  // everything up to and including this frame
    } else if (!IsGlueFrame(frame)) {
      break;
    }
  }
  return drop;
}

// The demangled name of the function at `address` ("" when unknown),
// cached per thread: the same frames recur from event to event, and each
// uncached lookup reads the binary's symbol table. Bounded; cleared when
// full.
const std::string& FunctionAt(uint64_t address) {
  constexpr size_t kMaxCached = 4096;
  thread_local absl::flat_hash_map<uint64_t, std::string> cache;
  auto it = cache.find(address);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCached) cache.clear();
  char name[1024];
  std::string function;
  if (absl::Symbolize(reinterpret_cast<void*>(address), name, sizeof(name))) {
    function = Demangle(name);
  }
  return cache.emplace(address, std::move(function)).first->second;
}

void CompleteFrames(const InAppRules& rules, protocol::Stacktrace* trace,
                    std::vector<Module>* touched) {
  for (auto& frame : *trace->mutable_frames()) {
    uint64_t address = 0;
    if (frame.function().empty() && !frame.instruction_addr().empty() &&
        absl::SimpleHexAtoi(frame.instruction_addr(), &address)) {
      // Return addresses point after the call: look up the call itself.
      const std::string& function = FunctionAt(address - 1);
      if (!function.empty()) frame.set_function(function);
    }
  }
  auto* frames = trace->mutable_frames();
  for (int drop = SdkFramesOnTop(*trace); drop > 0; --drop) {
    frames->RemoveLast();
  }
  for (auto& frame : *trace->mutable_frames()) {
    uint64_t address = 0;
    if (frame.instruction_addr().empty() ||
        !absl::SimpleHexAtoi(frame.instruction_addr(), &address)) {
      continue;
    }
    if (auto module = Cache().Find(address)) {
      if (frame.package().empty()) frame.set_package(module->code_file);
      if (frame.image_addr().empty())
        frame.set_image_addr(Hex(module->image_addr));
      if (std::none_of(touched->begin(), touched->end(), [&](const Module& m) {
            return m.image_addr == module->image_addr;
          })) {
        touched->push_back(*std::move(module));
      }
    }
    if (!frame.has_in_app()) {  // see below
      bool in_app = DefaultInApp(frame.function(), frame.package());
      if (StartsWithAny(frame.function(), rules.include) ||
          StartsWithAny(frame.package(), rules.include)) {
        in_app = true;
      } else if (StartsWithAny(frame.function(), rules.exclude) ||
                 StartsWithAny(frame.package(), rules.exclude)) {
        in_app = false;
      }
      frame.set_in_app(in_app);
    }
  }
}

}  // namespace

namespace {

thread_local bool t_full_unwind = false;

struct CfiUnwind {
  void** pcs;
  int max;
  int skip;
  int depth;
};

_Unwind_Reason_Code OnCfiFrame(_Unwind_Context* frame, void* arg) {
  auto* state = static_cast<CfiUnwind*>(arg);
  const uintptr_t ip = _Unwind_GetIP(frame);
  if (ip == 0) return _URC_END_OF_STACK;
  if (state->skip > 0) {
    --state->skip;
    return _URC_NO_REASON;
  }
  state->pcs[state->depth++] = reinterpret_cast<void*>(ip);
  return state->depth < state->max ? _URC_NO_REASON : _URC_END_OF_STACK;
}

// Like absl::GetStackTrace, but with the call frame information (.eh_frame)
// of each module: it follows code built without frame pointers (the C++
// runtime's terminate and throw machinery, say) at a few microseconds.
__attribute__((noinline)) int UnwindWithCfi(void** pcs, int max, int skip) {
  CfiUnwind state{pcs, max, skip + 1, 0};  // + this function
  _Unwind_Backtrace(&OnCfiFrame, &state);
  return state.depth;
}

}  // namespace

namespace {

// The program counter at the signal: the faulting instruction (SEGV, BUS,
// ILL, FPE) or the one after the system call that raised it (ABRT).
uintptr_t SignalPc(const void* context) {
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.pc);
#else
  (void)uc;
  return 0;
#endif
}

struct SignalUnwind {
  void** pcs;
  int max;
  int depth;
  uintptr_t signal_pc;
  bool reached;  // past the handler's own frames
};

_Unwind_Reason_Code OnSignalFrame(_Unwind_Context* frame, void* arg) {
  auto* state = static_cast<SignalUnwind*>(arg);
  int before_instruction = 0;
  const uintptr_t ip = _Unwind_GetIPInfo(frame, &before_instruction);
  if (ip == 0) return _URC_END_OF_STACK;
  // The handler, the signal trampoline: skipped until the interrupted
  // frame, whose address is the signal's program counter exactly.
  if (!state->reached) {
    if (ip != state->signal_pc) return _URC_NO_REASON;
    state->reached = true;
  }
  state->pcs[state->depth++] = reinterpret_cast<void*>(ip);
  return state->depth < state->max ? _URC_NO_REASON : _URC_END_OF_STACK;
}

}  // namespace

int UnwindFromSignal(void* context, void** pcs, int max) {
  SignalUnwind state{pcs, max, 0, SignalPc(context), false};
  if (state.signal_pc != 0) _Unwind_Backtrace(&OnSignalFrame, &state);
  if (state.reached && state.depth > 1) return state.depth;
  int depth = 0;
  if (state.signal_pc != 0)
    pcs[depth++] = reinterpret_cast<void*>(state.signal_pc);
  return depth + absl::GetStackTraceWithContext(pcs + depth, max - depth, 0,
                                                context, nullptr);
}

void StacktraceFromPcs(void* const* pcs, int depth, protocol::Stacktrace* out) {
  out->clear_frames();
  for (int i = depth - 1; i >= 0; --i) {  // Oldest first.
    out->add_frames()->set_instruction_addr(
        Hex(reinterpret_cast<uintptr_t>(pcs[i])));
  }
}

ScopedFullUnwind::ScopedFullUnwind() : previous_(t_full_unwind) {
  t_full_unwind = true;
}

ScopedFullUnwind::~ScopedFullUnwind() { t_full_unwind = previous_; }

__attribute__((noinline)) void CaptureStackInto(int skip,
                                                protocol::Stacktrace* out) {
  void* pcs[kMaxFrames];
  const int depth = t_full_unwind
                        ? UnwindWithCfi(pcs, kMaxFrames, skip + 1)
                        : absl::GetStackTrace(pcs, kMaxFrames, skip + 1);
  StacktraceFromPcs(pcs, depth, out);
}

namespace {

struct ThrowSite {
  const void* object = nullptr;
  int depth = 0;
  void* pcs[kMaxFrames];
};

// A small ring per thread: an exception is nearly always caught (and
// captured) on the thread that threw it, soon after.
constexpr int kThrowSites = 8;
struct ThrowSites {
  ThrowSite sites[kThrowSites];
  int next = 0;
};

ThrowSites& ThisThreadThrowSites() {
  thread_local ThrowSites sites;
  return sites;
}

}  // namespace

void RecordThrowSite(const void* exception_object, int skip) {
  ThrowSites& ring = ThisThreadThrowSites();
  ThrowSite& site = ring.sites[ring.next];
  ring.next = (ring.next + 1) % kThrowSites;
  site.object = exception_object;
  site.depth = absl::GetStackTrace(site.pcs, kMaxFrames, skip + 1);
}

bool TakeThrowSite(const void* exception_object, protocol::Stacktrace* out) {
  ThrowSites& ring = ThisThreadThrowSites();
  for (int i = 1; i <= kThrowSites; ++i) {  // Newest first.
    ThrowSite& site = ring.sites[(ring.next - i + kThrowSites) % kThrowSites];
    if (site.object != exception_object || site.depth == 0) continue;
    out->clear_frames();
    for (int f = site.depth - 1; f >= 0; --f) {
      out->add_frames()->set_instruction_addr(
          Hex(reinterpret_cast<uintptr_t>(site.pcs[f])));
    }
    site.object = nullptr;
    return true;
  }
  return false;
}

std::string Demangle(const char* name) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || demangled == nullptr) return name;  // C names too.
  std::string result(demangled);
  std::free(demangled);
  return result;
}

std::string DebugIdFromBuildId(absl::string_view build_id) {
  unsigned char id[16] = {};
  std::memcpy(id, build_id.data(), std::min<size_t>(build_id.size(), 16));
  std::swap(id[0], id[3]);
  std::swap(id[1], id[2]);
  std::swap(id[4], id[5]);
  std::swap(id[6], id[7]);
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[id[i] >> 4]);
    out.push_back(kHex[id[i] & 15]);
  }
  return out;
}

std::vector<Module> LoadedModules() {
  std::vector<Module> modules;
  dl_iterate_phdr(CollectModule, &modules);
  return modules;
}

std::optional<Module> FindModule(uintptr_t address) {
  return Cache().Find(address);
}

void CompleteStacktraces(const InAppRules& rules, protocol::Event* event) {
  std::vector<Module> touched;
  if (event->has_exception()) {
    for (auto& value : *event->mutable_exception()->mutable_values()) {
      if (value.has_stacktrace()) {
        CompleteFrames(rules, value.mutable_stacktrace(), &touched);
      }
    }
  }
  if (event->has_threads()) {
    for (auto& thread : *event->mutable_threads()->mutable_values()) {
      if (thread.has_stacktrace()) {
        CompleteFrames(rules, thread.mutable_stacktrace(), &touched);
      }
    }
  }
  if (touched.empty()) return;
  auto* images = event->mutable_debug_meta()->mutable_images();
  for (const Module& module : touched) {
    const std::string addr = Hex(module.image_addr);
    if (std::any_of(images->begin(), images->end(), [&](const auto& image) {
          return image.image_addr() == addr;
        })) {
      continue;
    }
    auto* image = images->Add();
    image->set_type("elf");
    image->set_code_file(module.code_file);
    image->set_image_addr(addr);
    image->set_image_size(module.image_size);
    if (module.image_vmaddr != 0)
      image->set_image_vmaddr(Hex(module.image_vmaddr));
    image->set_code_id(module.code_id);
    image->set_debug_id(module.debug_id);
#if defined(__x86_64__)
    image->set_arch("x86_64");
#elif defined(__aarch64__)
    image->set_arch("arm64");
#endif
  }
}

}  // namespace sentry::internal
