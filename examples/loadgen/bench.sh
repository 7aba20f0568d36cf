#!/usr/bin/env bash
# End-to-end delivery benchmark: loadgen (-c opt) against the loopback sink,
# one capturing thread, each configuration RUNS times; prints the median
# events/s (with min and max), the median CPU time the SDK's process spent
# per event, and figures of the median run. Fails unless every run's events
# all reached the sink, by the sink's own count.
#
#   examples/loadgen/bench.sh [RUNS] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
events="${2:-20000}"
source examples/loadgen/start_sink.sh

for config in "--breadcrumbs 0 --compress 0" "--breadcrumbs 0 --compress 1" \
              "--breadcrumbs 20 --compress 0" "--breadcrumbs 20 --compress 1"; do
  : >"${work}/results"
  for _ in $(seq "${runs}"); do
    before="$(sink_requests)"
    # shellcheck disable=SC2086
    "${bin}/examples/loadgen/loadgen" --events "${events}" --threads 1 \
      --max-queue "${events}" --shutdown-timeout-s 120 ${config} >"${work}/run"
    received=$(( $(sink_requests) - before ))
    # "delivered" is the SDK's own account; the sink must agree (one event
    # per request; no drops, so no client reports).
    delivered="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["delivered"])' "${work}/run")"
    if [[ "${delivered}" != "${events}" || "${received}" != "${events}" ]]; then
      echo "FAIL: ${config}: delivered ${delivered}, sink received ${received}, of ${events}" >&2
      exit 1
    fi
    cat "${work}/run" >>"${work}/results"
  done
  /usr/bin/python3 - "${config}" "${work}/results" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[2])]
runs.sort(key=lambda r: r["events_per_s"])
median = runs[len(runs) // 2]
cpu = sorted(r["cpu_us_per_event"] for r in runs)[len(runs) // 2]
print(f"{sys.argv[1]:32s} median {median['events_per_s']:>6} events/s "
      f"(min {runs[0]['events_per_s']}, max {runs[-1]['events_per_s']}); "
      f"SDK CPU {cpu} us/event (median); "
      f"delivered {median['delivered']}/{median['events']}, "
      f"capture p50 {median['capture_p50_ns']} ns p99 {median['capture_p99_ns']} ns, "
      f"peak RSS {median['peak_rss_mb']} MB")
PY
done
