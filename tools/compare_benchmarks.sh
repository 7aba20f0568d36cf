#!/usr/bin/env bash
# Compares the caller-side benchmarks of this checkout with those of an
# earlier commit on the same machine, in one session: builds both with -c opt
# (the earlier one in a temporary git worktree), then runs the two binaries
# alternately ROUNDS times and prints, per benchmark, the median of each
# side's medians, of real time and of the calling thread's CPU time. The VM this runs on drifts by tens of percent from one hour
# to the next, so only figures from one such run compare.
#
#   tools/compare_benchmarks.sh COMMIT [ROUNDS] [BENCHMARK FLAGS...]
#   tools/compare_benchmarks.sh b4aa333 3
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: tools/compare_benchmarks.sh COMMIT [ROUNDS] [FLAGS...]}"
rounds="${2:-3}"
shift $(( $# >= 2 ? 2 : 1 ))
work="$(mktemp -d)"
trap 'git worktree remove --force "${work}/base" >/dev/null 2>&1 || true; rm -rf "${work}"' EXIT
git worktree add --detach "${work}/base" "${base}" >/dev/null 2>&1
./bazelw build -c opt //sdk:sentry_benchmark >/dev/null 2>&1
(cd "${work}/base" && ./bazelw build -c opt //sdk:sentry_benchmark >/dev/null 2>&1)
new="$(./bazelw info -c opt bazel-bin 2>/dev/null)/sdk/sentry_benchmark"
old="$(cd "${work}/base" && ./bazelw info -c opt bazel-bin 2>/dev/null)/sdk/sentry_benchmark"
for round in $(seq "${rounds}"); do
  for side in old new; do
    "${!side}" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
      --benchmark_format=json "$@" >"${work}/${side}.${round}.json" 2>/dev/null
  done
done
/usr/bin/python3 - "${work}" "${rounds}" "${base}" <<'PY'
import json, statistics, sys
work, rounds, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def medians(side, time):
    table = {}
    for r in range(1, rounds + 1):
        for b in json.load(open(f"{work}/{side}.{r}.json"))["benchmarks"]:
            if b.get("aggregate_name") == "median":
                table.setdefault(b["run_name"], []).append(b[time])
    return {name: statistics.median(values) for name, values in table.items()}
for time in ("real_time", "cpu_time"):
    old, new = medians("old", time), medians("new", time)
    print(f"{time:44s} {base:>12s} {'this':>12s}  (ns, median of {rounds} runs' medians)")
    for name in new:
        before = f"{old[name]:12.1f}" if name in old else f"{'-':>12s}"
        print(f"{name:44s} {before} {new[name]:12.1f}")
PY
