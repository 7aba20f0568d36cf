#!/usr/bin/env bash
# End-to-end delivery benchmark: loadgen (-c opt) against the loopback sink,
# one capturing thread, each configuration RUNS times; prints the median
# events/s (with min and max), the median CPU time the SDK's process spent
# per event, and figures of the median run (peak RSS among them). Fails
# unless every run's events all reached the sink, by the sink's own count.
#
# With BASE (a commit), the same runs are made with that commit's SDK (built
# with this checkout's load generator), alternately with this checkout's,
# and both are printed: only figures of one such run compare.
#
#   examples/loadgen/bench.sh [RUNS] [EVENTS] [BASE]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
events="${2:-20000}"
base="${3:-}"
source examples/loadgen/start_sink.sh

sides=(this)
if [[ -n "${base}" ]]; then
  build_base "${base}"
  sides=(base this)
fi
./bazelw shutdown >/dev/null 2>&1

for config in "--breadcrumbs 0 --compress 0" "--breadcrumbs 0 --compress 1" \
              "--breadcrumbs 20 --compress 0" "--breadcrumbs 20 --compress 1"; do
  for side in "${sides[@]}"; do : >"${work}/results.${side}"; done
  for _ in $(seq "${runs}"); do
    for side in "${sides[@]}"; do
      before="$(sink_requests)"
      # shellcheck disable=SC2086
      "${loadgen[${side}]}" --events "${events}" --threads 1 \
        --max-queue "${events}" --shutdown-timeout-s 120 ${config} >"${work}/run"
      received=$(( $(sink_requests) - before ))
      # "delivered" is the SDK's own account; the sink must agree (one event
      # per request; no drops, so no client reports).
      delivered="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["delivered"])' "${work}/run")"
      if [[ "${delivered}" != "${events}" || "${received}" != "${events}" ]]; then
        echo "FAIL: ${side}: ${config}: delivered ${delivered}, sink received ${received}, of ${events}" >&2
        exit 1
      fi
      cat "${work}/run" >>"${work}/results.${side}"
    done
  done
  for side in "${sides[@]}"; do
    /usr/bin/python3 - "${side}" "${config}" "${work}/results.${side}" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[3])]
runs.sort(key=lambda r: r["events_per_s"])
median = runs[len(runs) // 2]
cpu = sorted(r["cpu_us_per_event"] for r in runs)[len(runs) // 2]
print(f"{sys.argv[1]:4s} {sys.argv[2]:32s} median {median['events_per_s']:>6} events/s "
      f"(min {runs[0]['events_per_s']}, max {runs[-1]['events_per_s']}); "
      f"SDK CPU {cpu} us/event (median); "
      f"delivered {median['delivered']}/{median['events']}, "
      f"capture p50 {median['capture_p50_ns']} ns p99 {median['capture_p99_ns']} ns, "
      f"peak RSS {median['peak_rss_mb']} MB")
PY
  done
done
