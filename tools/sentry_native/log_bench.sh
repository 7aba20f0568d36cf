#!/usr/bin/env bash
# Builds sentry-native (a source tree given as the argument, e.g. a clone of
# github.com/getsentry/sentry-native) outside this repository, without a
# crash backend or HTTP transport, and runs log_bench.c against it: the
# external reference next to BM_LoggerInfo in BENCHMARKS.md.
#
#   tools/sentry_native/log_bench.sh ~/src/sentry-native
set -euo pipefail
src="$(cd "$1" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "${build}"' EXIT
cmake -S "${src}" -B "${build}/sentry" -DCMAKE_BUILD_TYPE=Release \
  -DSENTRY_BACKEND=none -DSENTRY_TRANSPORT=none -DSENTRY_BUILD_SHARED_LIBS=OFF \
  -DSENTRY_BUILD_TESTS=OFF -DSENTRY_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "${build}/sentry" -j "$(nproc)" >/dev/null
# The static library and the libunwind it vendors (for stack walks).
cc -O2 -DSENTRY_BUILD_STATIC -I "${src}/include" "${here}/log_bench.c" \
  "${build}/sentry/libsentry.a" $(find "${build}/sentry/vendor" -name '*.a') \
  -lpthread -ldl -lrt -lm -o "${build}/log_bench"
"${build}/log_bench"
