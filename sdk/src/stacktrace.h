// Native stack traces for events: raw return addresses captured on the
// calling thread (cheap), completed later on the SDK's worker thread with
// function names (Abseil's symbolizer), in_app flags and the debug images
// (ELF modules) the frames touch.
//
//   // Calling thread:
//   internal::CaptureStackInto(/*skip=*/1, exception->mutable_stacktrace());
//   // Worker thread:
//   internal::CompleteStacktraces(in_app_rules, &event);
//
// Thread-safe.
#ifndef SENTRY_SDK_SRC_STACKTRACE_H_
#define SENTRY_SDK_SRC_STACKTRACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "sentry/protocol/event.pb.h"

namespace sentry::internal {

// Fills `out` with the calling thread's stack, oldest frame first, each
// frame holding only its instruction_addr. `skip` frames of the caller's
// own are left out (this function is never included). Frame pointers are
// followed (about 100 ns), unless a ScopedFullUnwind is alive on the thread.
void CaptureStackInto(int skip, protocol::Stacktrace* out);

// While alive, CaptureStackInto on this thread unwinds with the modules'
// call frame information instead: slower (microseconds), but it gets
// through code built without frame pointers. For the terminate handler,
// whose stack runs through the C++ runtime down to the throwing function.
class ScopedFullUnwind {
 public:
  ScopedFullUnwind();
  ~ScopedFullUnwind();
  ScopedFullUnwind(const ScopedFullUnwind&) = delete;
  ScopedFullUnwind& operator=(const ScopedFullUnwind&) = delete;

 private:
  bool previous_;
};

// The stack of the thread a signal interrupted, newest first, from inside
// its handler (`context` is the handler's ucontext): from the signal's
// program counter, unwound with the modules' call frame information
// through the signal trampoline (glibc's lock-free _dl_find_object finds
// it), else with frame pointers. Returns the number of frames written.
int UnwindFromSignal(void* context, void** pcs, int max);
// `depth` addresses, newest first, as frames of `out` (oldest first) that
// CompleteStacktraces completes.
void StacktraceFromPcs(void* const* pcs, int depth, protocol::Stacktrace* out);

struct InAppRules {
  std::vector<std::string> include;  // Prefixes of functions or modules.
  std::vector<std::string> exclude;
};

// Symbolizes every frame that has only an address, sets in_app and
// package, and adds the debug image of each module a frame is in to
// event.debug_meta (each once).
void CompleteStacktraces(const InAppRules& rules, protocol::Event* event);

// Throw-site stacks (filled by //integrations/throw_site, which hooks
// __cxa_throw): the stack of the last few exceptions thrown on this thread,
// keyed by the exception object's address.
void RecordThrowSite(const void* exception_object, int skip);
// Moves the recorded stack of `exception_object` into `out`; false when
// none was recorded on this thread.
bool TakeThrowSite(const void* exception_object, protocol::Stacktrace* out);

// An ELF module loaded in this process.
struct Module {
  std::string code_file;
  uintptr_t image_addr = 0;
  uint64_t image_size = 0;
  uintptr_t image_vmaddr = 0;
  std::string code_id;   // GNU build id, lowercase hex ("" if none).
  std::string debug_id;  // Sentry's debug id (PROTOCOL.md section 3.6).
};

// The loaded module containing `address`, or nullopt.
std::optional<Module> FindModule(uintptr_t address);
// Every loaded module.
std::vector<Module> LoadedModules();
// A C++ symbol or type name demangled by the C++ runtime (Abseil's
// demangler gives up on ABI tags such as [abi:cxx11]); other names as given.
std::string Demangle(const char* name);

// The debug id for a GNU build id (first 16 bytes, GUID byte order).
std::string DebugIdFromBuildId(absl::string_view build_id);

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_STACKTRACE_H_
