// The modules (the program, its shared libraries) loaded in another
// process, read out of its memory like dl_iterate_phdr reads them in this
// one: for the crash handler process, so that a crash event's debug images
// and its minidump's module list are the crashed process's, including a
// library it loaded just before crashing.
//
//   std::string maps;  // /proc/PID/maps, as read
//   std::vector<internal::Module> modules = ModulesOf(pid, &maps);
//
// Each module: its file, load address and size (its PT_LOAD segments), GNU
// build id (code_id) and Sentry debug id. Needs the rights ptrace needs.
#ifndef SENTRY_INTEGRATIONS_CRASH_SRC_PROCESS_MODULES_H_
#define SENTRY_INTEGRATIONS_CRASH_SRC_PROCESS_MODULES_H_

#include <string>
#include <vector>

#include "sdk/src/stacktrace.h"

namespace sentry::internal::crash {

// In load order (by address); `maps` (may be null) receives the text of
// /proc/PID/maps the list was read from.
std::vector<Module> ModulesOf(int pid, std::string* maps);

}  // namespace sentry::internal::crash

#endif  // SENTRY_INTEGRATIONS_CRASH_SRC_PROCESS_MODULES_H_
