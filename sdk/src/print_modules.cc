// Prints "<code_file> <debug_id> <code_id>" for every ELF module loaded in
// this process, as the SDK reports them in debug_meta. For
// debug_ids_test.sh, which compares them with `sentry-cli debug-files check`.
#include <cstdio>

#include "sdk/src/stacktrace.h"

int main() {
  for (const auto& module : sentry::internal::LoadedModules()) {
    std::printf("%s %s %s\n", module.code_file.c_str(),
                module.debug_id.empty() ? "-" : module.debug_id.c_str(),
                module.code_id.empty() ? "-" : module.code_id.c_str());
  }
  return 0;
}
