#!/usr/bin/env bash
# The time from a crash to its event reaching the server, measured the way
# BENCHMARKS.md reports it: crashing_program (optimized build) crashes
# ROUNDS times with SENTRY_DSN on a local sink; for each crash, the time
# from the fault (the event's timestamp, taken in the signal handler) to the
# sink's receipt of the envelope (its file's modification time). Prints
# each figure, then the median and the slowest.
#
#   integrations/crash/testing/crash_latency.sh [ROUNDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds="${1:-20}"
./bazelw build -c opt //integrations/crash:crashing_program >/dev/null 2>&1
program="$(./bazelw info -c opt bazel-bin 2>/dev/null)/integrations/crash/crashing_program"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
for round in $(seq "${rounds}"); do
  dir="${work}/${round}"
  mkdir -p "${dir}/sink"
  /usr/bin/python3 tools/envelope_sink.py "${dir}/sink/port" "${dir}/sink" &
  sink_pid=$!
  for _ in $(seq 100); do [[ -f "${dir}/sink/port" ]] && break; sleep 0.05; done
  # (The shell's "Segmentation fault" line is not a figure.)
  { SENTRY_DSN="http://key@127.0.0.1:$(cat "${dir}/sink/port")/1" \
      "${program}" --cache-dir "${dir}/cache" >/dev/null 2>&1 || true; } 2>/dev/null
  for _ in $(seq 200); do
    grep -l '"type":"event"' "${dir}"/sink/*.envelope >/dev/null 2>&1 && break
    sleep 0.05
  done
  kill "${sink_pid}"
  /usr/bin/python3 - "${dir}/sink" <<'PY'
import json, os, sys
sink = sys.argv[1]
for name in os.listdir(sink):
    if not name.endswith(".envelope"):
        continue
    path = os.path.join(sink, name)
    lines = open(path, "rb").read().split(b"\n")
    for i, line in enumerate(lines):
        try:
            header = json.loads(line)
        except ValueError:
            continue
        if isinstance(header, dict) and header.get("type") == "event":
            event = json.loads(lines[i + 1])
            received = os.stat(path).st_mtime_ns / 1e9
            print(f"{(received - event['timestamp']) * 1000:.1f}")
PY
done | tee "${work}/ms.txt"
/usr/bin/python3 - "${work}/ms.txt" <<'PY'
import statistics, sys
ms = sorted(float(line) for line in open(sys.argv[1]) if line.strip())
print(f"crashes: {len(ms)}  fault to server: median {statistics.median(ms):.1f} ms, "
      f"slowest {ms[-1]:.1f} ms")
PY
