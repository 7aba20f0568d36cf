/* sentry-native's sentry_log_info on the calling thread, measured the way
 * //sdk:sentry_benchmark measures sentry::logger::Info (BM_LoggerInfo): a
 * template with 2 arguments and 2 attributes built at the call; the SDK's
 * own thread is flushed every 200 calls, outside the timed region. Prints
 * the median over 5 runs of thread CPU time per call, for 1 and 4 threads.
 *
 *   tools/sentry_native/log_bench.sh SENTRY_NATIVE_SOURCE_DIR
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sentry.h"

enum { kCalls = 200000, kFlushEvery = 200, kRuns = 5 };

static void Discard(sentry_envelope_t *envelope, void *state) {
  (void)state;
  sentry_envelope_free(envelope);
}

static long long ThreadCpuNanos(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct {
  long long cpu_ns;
  long failed;
} Result;

static void *Run(void *arg) {
  Result *result = arg;
  long long job = 0;
  for (int done = 0; done < kCalls; done += kFlushEvery) {
    const long long start = ThreadCpuNanos();
    for (int i = 0; i < kFlushEvery; ++i) {
      sentry_value_t attributes = sentry_value_new_object();
      sentry_value_set_by_key(
          attributes, "queue",
          sentry_value_new_attribute(sentry_value_new_string("billing"), NULL));
      sentry_value_set_by_key(
          attributes, "shard",
          sentry_value_new_attribute(sentry_value_new_int32(7), NULL));
      if (sentry_log_info("job %lld took %f ms", attributes, ++job, 12.5) !=
          SENTRY_LOG_RETURN_SUCCESS) {
        ++result->failed;
      }
    }
    result->cpu_ns += ThreadCpuNanos() - start;
    sentry_flush(10000);
  }
  return NULL;
}

static int Compare(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(void) {
  sentry_options_t *options = sentry_options_new();
  sentry_options_set_dsn(options, "https://key@o1.ingest.sentry.io/2");
  sentry_options_set_transport(options, sentry_transport_new(Discard));
  sentry_options_set_enable_logs(options, 1);
  sentry_options_set_logs_with_attributes(options, 1);
  sentry_options_set_auto_session_tracking(options, 0);
  if (sentry_init(options) != 0) {
    fprintf(stderr, "sentry_init failed\n");
    return 1;
  }
  printf("sentry-native %s\n", sentry_sdk_version());
  const int thread_counts[] = {1, 4};
  for (int t = 0; t < 2; ++t) {
    const int threads = thread_counts[t];
    double per_call[kRuns];
    long failed = 0;
    for (int run = 0; run < kRuns; ++run) {
      pthread_t ids[4];
      Result results[4] = {{0, 0}};
      for (int i = 0; i < threads; ++i) {
        pthread_create(&ids[i], NULL, Run, &results[i]);
      }
      long long cpu_ns = 0;
      for (int i = 0; i < threads; ++i) {
        pthread_join(ids[i], NULL);
        cpu_ns += results[i].cpu_ns;
        failed += results[i].failed;
      }
      per_call[run] = (double)cpu_ns / ((double)kCalls * threads);
    }
    qsort(per_call, kRuns, sizeof(double), Compare);
    printf("sentry_log_info threads:%d median %.0f ns CPU per call "
           "(%d runs of %d calls per thread; %ld not enqueued)\n",
           threads, per_call[kRuns / 2], kRuns, kCalls, failed);
  }
  sentry_close();
  return 0;
}
