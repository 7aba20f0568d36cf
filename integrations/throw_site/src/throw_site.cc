#include "sentry/integrations/throw_site.h"

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdlib>
#include <typeinfo>

#include "sdk/src/stacktrace.h"

namespace {

using CxaThrow = void (*)(void*, std::type_info*, void (*)(void*));

CxaThrow RealCxaThrow() {
  static const CxaThrow real =
      reinterpret_cast<CxaThrow>(dlsym(RTLD_NEXT, "__cxa_throw"));
  return real;
}

}  // namespace

namespace sentry {

bool ThrowSitesRecorded() { return RealCxaThrow() != nullptr; }

}  // namespace sentry

// The runtime's declaration (cxxabi.h) is in namespace __cxxabiv1 with C
// linkage; the definition must match it.
namespace __cxxabiv1 {
extern "C" void __cxa_throw(void* object, std::type_info* type,
                            void (*destructor)(void*)) {
  const CxaThrow real = RealCxaThrow();
  if (real == nullptr) std::abort();  // No C++ runtime: cannot throw at all.
  sentry::internal::RecordThrowSite(object, /*skip=*/1);
  real(object, type, destructor);
  __builtin_unreachable();
}
}  // namespace __cxxabiv1
