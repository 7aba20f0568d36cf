#!/usr/bin/env bash
# The caller's cost at the rates servers capture at, not only in a burst:
# runs the load generator (-c opt, one capturing thread) against the
# loopback sink, paced at 20, 100 and 1000 events/s and as fast as it can
# (CaptureMessage), then Span::Finish of a transaction with 10 children,
# logger::Info and metrics::Count at 100/s, and prints per configuration the
# median over ROUNDS runs of the call's p50 and p99 (wall time on the
# calling thread), of the time from the call to its envelope reaching the
# transport (events and transactions), of the process's context
# switches and CPU migrations during the timed calls, and of the calling
# thread's page faults then (each one a slow call), then each run's call
# p50 (the spread behind the medians). The "floor" rows make
# no SDK call: a copy of the text pushed into a ring under a std::mutex,
# the least any capture that queues does, cold at that rate on this machine
# (the same code on both sides: the difference between them is noise);
# "handoff" rows add to it a thread that takes the texts every 4 ms, as the
# SDK's worker takes captures (what handing work to another CPU costs the
# call); "chase" and "scatter" read ten lines on ten pages, each address
# from the line before or all known up front (what dependent misses cost),
# and "locked" increments scatter's lines with locked instructions.
# The configurations "touch" (one byte written, no SDK) and "last_id"
# (sentry::LastEventId: the SDK's entry and the thread's hub, before any
# client) split a capture's cost after a pause: what the machine charges
# any call, what the hub adds, what the client adds; "capture_spun" and
# "capture_warmed" (the capture after an untimed 20 us spin, without and
# with its code read into the caches first) split off what its code's
# misses cost.
# Then one run that waits IDLE_S seconds with nothing captured and counts
# the SDK threads' wake-ups per second.
#
# Each run first makes WARMUP calls untimed and waits until they are sent
# (loadgen --warmup): a server that has run for a while, whose SDK pools
# have grown; with WARMUP 0 the first calls of a process show the first
# touches of fresh memory (page faults) in the p99.
#
# With BASE (a commit), the same runs are made with that commit's SDK (built
# with this checkout's load generator; build_base.sh),
# alternately with this checkout's, and both are printed side by side: this
# VM's speed drifts within an hour, so only figures of one such run compare.
# The Bazel server is stopped before the runs: its JVM's periodic threads
# would run beside them.
#
# After WARMUP, configurations ("API RATE", RATE 0 for a burst, or
# "API RATE spin": the calling thread busy-waits between calls instead of
# sleeping, loadgen --pace spin) replace the default list, and IDLE_S 0
# skips the idle run:
#
#   examples/loadgen/paced.sh [ROUNDS] [EVENTS] [IDLE_S] [BASE] [WARMUP] [CONFIG...]
#   examples/loadgen/paced.sh 3 400 60 HEAD~2 1000
#   examples/loadgen/paced.sh 8 400 0 HEAD~2 1000 "capture 20" "floor 20"
#   examples/loadgen/paced.sh 8 400 0 "" 1000 "capture 100" "capture 100 spin"
#   examples/loadgen/paced.sh 8 400 0 "" 1000 "touch 100" "last_id 100" "capture 100"
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
events="${2:-400}"
idle_s="${3:-60}"
base="${4:-}"
warmup="${5:-1000}"
source examples/loadgen/start_sink.sh

sides=(this)
if [[ -n "${base}" ]]; then
  build_base "${base}"
  sides=(base this)
fi
./bazelw shutdown >/dev/null 2>&1

configs=(
  "capture 20"
  "capture 100"
  "capture 1000"
  "capture 0"
  "transaction 100"
  "log 100"
  "metric 100"
  "floor 20"
  "floor 100"
)
if (($# > 5)); then configs=("${@:6}"); fi

# run SIDE API RATE PACE: one run, its JSON line appended to
# ${work}/SIDE.API.RATE.PACE.
run() {
  "${loadgen[$1]}" --events "${events}" --threads 1 --rate "$3" --api "$2" \
    --pace "$4" --max-queue 20000 --shutdown-timeout-s 30 \
    --warmup "${warmup}" >>"${work}/$1.$2.$3.$4"
}

for _ in $(seq "${rounds}"); do
  for config in "${configs[@]}"; do
    read -r api rate pace <<<"${config}"
    for side in "${sides[@]}"; do
      run "${side}" "${api}" "${rate}" "${pace:-sleep}"
    done
  done
done
if ((idle_s > 0)); then
  for side in "${sides[@]}"; do
    "${loadgen[${side}]}" --events 100 --threads 1 --rate 100 --idle-s "${idle_s}" \
      >"${work}/${side}.idle"
  done
fi

/usr/bin/python3 - "${work}" "${events}" "${idle_s}" "${warmup}" "${sides[@]}" -- "${configs[@]}" <<'PY'
import json, statistics, sys
work, events, idle_s = sys.argv[1], sys.argv[2], sys.argv[3]
rest = sys.argv[5:]
sides = rest[:rest.index("--")]
configs = rest[rest.index("--") + 1:]
def median(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None
def cell(runs, key, scale=1.0, fmt="{:.1f}"):
    m = median(runs, key)
    return "-" if m is None else fmt.format(m * scale)
print(f"{events} calls per run after a warm-up of {sys.argv[4]}, one thread; "
      f"medians of the runs (call: us of wall time on the calling thread; "
      f"delivery: call to transport, us)")
header = ["api", "rate/s"]
for side in sides:
    header += [f"{side} p50", f"{side} p99", f"{side} deliver p50",
               f"{side} deliver p99", f"{side} ctx sw", f"{side} migr",
               f"{side} faults"]
print("| " + " | ".join(header) + " |")
print("|" + "---|" * len(header))
def parse(config):
    api, rate, *pace = config.split()
    pace = pace[0] if pace else "sleep"
    return api, rate, pace, api if pace == "sleep" else f"{api} ({pace})"
for config in configs:
    api, rate, pace, label = parse(config)
    row = [label, rate if rate != "0" else "burst"]
    for side in sides:
        runs = [json.loads(l)
                for l in open(f"{work}/{side}.{api}.{rate}.{pace}")]
        # Timed by the load generator for calls that are envelopes of
        # their own (its --api table), zero for the others.
        deliver = any(r.get("deliver_p50_us", 0) > 0 for r in runs)
        row += [cell(runs, "capture_p50_ns", 1e-3, "{:.2f}"),
                cell(runs, "capture_p99_ns", 1e-3, "{:.2f}"),
                cell(runs, "deliver_p50_us", 1, "{:.0f}") if deliver else "-",
                cell(runs, "deliver_p99_us", 1, "{:.0f}") if deliver else "-",
                cell(runs, "context_switches", 1, "{:.0f}"),
                cell(runs, "cpu_migrations", 1, "{:.0f}"),
                cell(runs, "caller_page_faults", 1, "{:.0f}")]
    print("| " + " | ".join(row) + " |")
print("per-round call p50s (us), in run order:")
for config in configs:
    api, rate, pace, label = parse(config)
    for side in sides:
        runs = [json.loads(l)
                for l in open(f"{work}/{side}.{api}.{rate}.{pace}")]
        p50s = ", ".join(f"{r['capture_p50_ns'] / 1e3:.1f}" for r in runs)
        print(f"  {side} {label} {rate}: {p50s}")
for side in sides if idle_s != "0" else []:
    idle = json.loads(open(f"{work}/{side}.idle").read())
    print(f"{side}: SDK threads' wake-ups per second over {idle_s} s with "
          f"nothing captured: {idle['idle_wakes_per_s']}")
PY
