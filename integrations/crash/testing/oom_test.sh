#!/usr/bin/env bash
# A run that the kernel's OOM killer ends (crashing_program --how oom, in a
# memory cgroup of 64 MiB) is reported by the next run, once: a fatal event
# with mechanism "oom", and its session closed as abnormal. Needs a memory
# cgroup it may create (cgroup v2 or v1); where it may not, it says so and
# checks nothing (crash_test covers the same rule with a kept count).
set -euo pipefail
program="${PWD}/integrations/crash/crashing_program"
work="${TEST_TMPDIR}/oom"
mkdir -p "${work}/sink"

mine="$(sed -n 's/^0:://p' /proc/self/cgroup)"
v1="$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)"
if [[ -f "/sys/fs/cgroup${mine%/}/cgroup.controllers" ]] &&
   grep -qw memory "/sys/fs/cgroup${mine%/}/cgroup.controllers"; then
  group="/sys/fs/cgroup${mine%/}/sentry-oom-test-$$"
  limit_file=memory.max
elif [[ -n "${v1}" && -d "/sys/fs/cgroup/memory${v1%/}" ]]; then
  group="/sys/fs/cgroup/memory${v1%/}/sentry-oom-test-$$"
  limit_file=memory.limit_in_bytes
else
  echo "SKIP: no memory cgroup"; exit 0
fi
if ! mkdir "${group}" 2>/dev/null; then
  echo "SKIP: cannot create a memory cgroup under ${group%/*}"; exit 0
fi
cleanup() {
  # The killed run's handler process leaves with it; then the group is empty.
  for _ in $(seq 100); do
    [[ -z "$(cat "${group}/cgroup.procs" 2>/dev/null)" ]] && break
    sleep 0.1
  done
  rmdir "${group}" 2>/dev/null || true
}
trap cleanup EXIT
echo $((64 << 20)) >"${group}/${limit_file}"
[[ -f "${group}/memory.swap.max" ]] && echo 0 >"${group}/memory.swap.max" || true
[[ -f "${group}/memory.swappiness" ]] && echo 0 >"${group}/memory.swappiness" 2>/dev/null || true

/usr/bin/python3 tools/envelope_sink.py "${work}/sink/port" "${work}/sink" &
sink_pid=$!
trap 'kill ${sink_pid} 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [[ -f "${work}/sink/port" ]] && break; sleep 0.1; done
export SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/sink/port")/1"
set +e
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --cache-dir "$3" --how oom' \
  sh "${group}" "${program}" "${work}/cache" >"${work}/oom.out" 2>&1
status=$?
set -e
[[ "${status}" == 137 ]] || { echo "FAIL: not killed by SIGKILL (exit ${status})"; cat "${work}/oom.out"; exit 1; }
ls "${work}/cache" | grep -q '^oom-' || { echo "FAIL: no OOM record kept"; exit 1; }

for run in 2 3; do
  "${program}" --cache-dir "${work}/cache" --how none
done
/usr/bin/python3 tools/check_envelopes.py \
  --schema sdk/testdata/event.schema.json --dir "${work}/sink" --events 1 \
  >"${work}/events.jsonl" || { echo "FAIL: not exactly one event"; exit 1; }
/usr/bin/python3 - "${work}/sink" "${work}/events.jsonl" <<'PY'
import json, os, sys
sink, events_file = sys.argv[1:3]
e = json.loads(open(events_file).readline())
value = e["exception"]["values"][0]
assert value["type"] == "OutOfMemory", value
assert value["mechanism"]["type"] == "oom" and value["mechanism"]["handled"] is False, value
assert "The kernel's OOM killer ended process" in value["value"], value
sessions = []
for name in sorted(os.listdir(sink)):
    if name.endswith(".envelope"):
        lines = open(os.path.join(sink, name), "rb").read().split(b"\n")
        for i, line in enumerate(lines):
            try:
                header = json.loads(line)
            except ValueError:
                continue
            if isinstance(header, dict) and header.get("type") == "session":
                sessions.append(json.loads(lines[i + 1]))
abnormal = [s for s in sessions if s["status"] == "abnormal"]
assert len(abnormal) == 1, sessions
assert not [s for s in sessions if s["status"] == "crashed"], sessions
print("oom: the killed run reported once by the next, its session abnormal")
PY
