#!/usr/bin/env bash
# Each crash kind: the first run dies, the second run (with SENTRY_DSN on a
# local sink) sends what the crash handler wrote.
set -euo pipefail
work="${TEST_TMPDIR}/crash"
for kind in segv abort terminate; do
  cache="${work}/${kind}/cache"
  sink="${work}/${kind}/sink"
  mkdir -p "${sink}"
  unset SENTRY_DSN
  set +e
  examples/crash/crash --crash "${kind}" --cache-dir "${cache}" \
    >"${work}/${kind}/first.out" 2>"${work}/${kind}/first.err"
  status=$?
  set -e
  # Killed by the signal (>= 128), or, under a sanitizer, its own exit code.
  [[ "${status}" != 0 ]] || { echo "FAIL: ${kind} did not die"; exit 1; }
  grep -qx "crash backend: handler process" "${work}/${kind}/first.err" ||
    { echo "FAIL: ${kind}: no handler process"; cat "${work}/${kind}/first.err"; exit 1; }

  /usr/bin/python3 tools/envelope_sink.py "${sink}/port" "${sink}" &
  sink_pid=$!
  for _ in $(seq 100); do [[ -f "${sink}/port" ]] && break; sleep 0.1; done
  SENTRY_DSN="http://key@127.0.0.1:$(cat "${sink}/port")/1" \
    examples/crash/crash --crash none --cache-dir "${cache}"
  kill "${sink_pid}"
  # Every envelope parses and every event passes Sentry's schema: a terminate
  # is reported by the dying run itself (the stdout transport), a signal by
  # the next run (the sink); exactly one event either way.
  if [[ "${kind}" == terminate ]]; then
    source=(--stream "${work}/${kind}/first.out")
    others=(--dir "${sink}" --events 0)
  else
    source=(--dir "${sink}")
    others=(--stream "${work}/${kind}/first.out" --events 0)
  fi
  /usr/bin/python3 tools/check_envelopes.py \
    --schema sdk/testdata/event.schema.json "${source[@]}" --events 1 \
    >"${work}/${kind}/events.jsonl" || { echo "FAIL: ${kind}: envelopes"; exit 1; }
  /usr/bin/python3 tools/check_envelopes.py \
    --schema sdk/testdata/event.schema.json "${others[@]}" >/dev/null \
    || { echo "FAIL: ${kind}: reported twice"; exit 1; }
  /usr/bin/python3 - "${kind}" "${sink}" "${work}/${kind}/events.jsonl" <<'PY'
import json, os, sys
kind, sink, events_file = sys.argv[1:4]

def headers():
    """The envelope header of every envelope the sink received."""
    return [json.loads(open(os.path.join(sink, name), "rb").read().split(b"\n")[0])
            for name in sorted(os.listdir(sink)) if name.endswith(".envelope")]

# Every envelope (the spooled crash, sessions, reports) names the SDK.
for header in headers():
    assert header.get("sdk", {}).get("name") == "sentry.cpp", header

def items(item_type):
    """The JSON payloads of every `item_type` item the sink received."""
    found = []
    for name in sorted(os.listdir(sink)):
        if not name.endswith(".envelope"):
            continue
        lines = open(os.path.join(sink, name), "rb").read().split(b"\n")
        for i, line in enumerate(lines):
            try:
                header = json.loads(line)
            except ValueError:
                continue
            if isinstance(header, dict) and header.get("type") == item_type:
                found.append(json.loads(lines[i + 1]))
    return found

events = [json.loads(line) for line in open(events_file)]
assert len(events) == 1, events
e = events[0]
assert e["level"] == "fatal", e
value = e["exception"]["values"][-1]
assert value["mechanism"]["handled"] is False, value
if kind == "terminate":
    # Reported by the terminate handler in the dying run itself, not a
    # second time by the crash handler.
    assert value["type"] == "std::logic_error", value
    assert value["value"] == "order total is negative", value
    assert value["mechanism"]["type"] == "terminate", value
    print("crash: terminate reported once, as fatal")
    sys.exit(0)
signal = {"segv": "SIGSEGV", "abort": "SIGABRT"}[kind]
assert value["type"] == signal, value
assert value["mechanism"]["type"] == "signalhandler"
assert value["mechanism"]["meta"]["signal"]["name"] == signal
# The stack starts at the crash, not in the handler: symbolized here with
# addr2line (the program's frames; newest first).
import subprocess
images = e["debug_meta"]["images"]
program = [i for i in images if i["code_file"].endswith("/crash")][0]
base = int(program["image_addr"], 16)
def function_at(address, newest):
    # Return addresses point after the call: look up the call itself.
    target = address - (0 if newest else 1)
    for candidate in (target - base, target):  # PIE, else absolute
        name = subprocess.run(
            ["addr2line", "-f", "-C", "-e", "examples/crash/crash", hex(candidate)],
            capture_output=True, text=True).stdout.split("\n")[0]
        if name and name != "??":
            return name
    return "??"
frames = list(reversed(value["stacktrace"]["frames"]))
names = []
for k, frame in enumerate(frames):
    address = int(frame["instruction_addr"], 16)
    inside = base <= address < base + program["image_size"]
    names.append(function_at(address, k == 0) if inside else "(elsewhere)")
if kind == "segv":
    assert "WriteThroughNull" in names[0], names  # the faulting function
calls = [n for n in names if n != "(elsewhere)"]
assert any("ProcessOrder" in n for n in calls), names
assert any(n.startswith("main") for n in calls), names
for handler in ("OnSignal", "WriteCrash", "UnwindFromSignal"):
    assert not any(handler in n for n in names), names
assert e["tags"]["checkout.step"] == "payment", e.get("tags")
# Captured by the handler process: every thread, the crashed one flagged.
assert e["contexts"]["crash"]["backend"] == "out_of_process", e["contexts"]
assert [t["id"] for t in e["threads"]["values"] if t.get("crashed")] == [value["thread_id"]]
assert e["user"]["id"] == "4711"
assert [b["message"] for b in e["breadcrumbs"]["values"]] == ["cart loaded"]
# What every event carries, prepared ahead of time.
assert e["contexts"]["os"]["name"] == "Linux", e.get("contexts")
assert e["server_name"], e
assert e["sdk"]["name"] == "sentry.cpp", e.get("sdk")
assert any(i["code_file"].endswith("/crash") and len(i["debug_id"]) == 36
           for i in images), images
# The crashed run's session is closed as crashed by the next run.
sessions = items("session")
crashed = [s for s in sessions if s["status"] == "crashed"]
assert len(crashed) == 1 and crashed[0]["errors"] >= 1, sessions
print(f"crash: {kind} reached the server on the next run; session crashed")
PY
  left="$(ls "${cache}" | grep -c '\.envelope$' || true)"
  [[ "${left}" == 0 ]] || { echo "FAIL: ${left} envelopes left in the spool"; exit 1; }
done
