#include "sdk/src/sdk_thread.h"

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstring>

#include "sdk/src/log.h"

namespace sentry::internal {

void BecomeSdkThread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  sched_param param{};
  param.sched_priority = 0;
  // pid 0: the calling thread (Linux sets the policy per thread).
  if (sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
    Log(LogLevel::kDebug, name, ": SCHED_BATCH refused (", std::strerror(errno),
        "); the thread keeps the default policy");
  }
}

}  // namespace sentry::internal
