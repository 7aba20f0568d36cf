#!/usr/bin/env bash
# The crash handler process, as a user meets it: crashing_program crashes
# once per kind, with SENTRY_DSN on a local sink and no second run; the sink
# must receive exactly one fatal event (every thread, the crashing thread's
# own scope and trace) and the crashed session, sent by the handler.
set -euo pipefail
program=integrations/crash/crashing_program
work="${TEST_TMPDIR}/out_of_process"

for kind in segv abort assert heap overflow pool lock sdk; do
  dir="${work}/${kind}"
  sink="${dir}/sink"
  mkdir -p "${sink}"
  /usr/bin/python3 tools/envelope_sink.py "${sink}/port" "${sink}" &
  sink_pid=$!
  for _ in $(seq 100); do [[ -f "${sink}/port" ]] && break; sleep 0.1; done
  set +e
  SENTRY_DSN="http://key@127.0.0.1:$(cat "${sink}/port")/1" SENTRY_DEBUG=1 \
    "${program}" --cache-dir "${dir}/cache" --how "${kind}" \
    >"${dir}/out.json" 2>"${dir}/err.txt"
  status=$?
  set -e
  # Killed by the signal (>= 128), or, under a sanitizer, its own exit code.
  if [[ "${status}" == 0 || "${status}" == 3 ]]; then
    echo "FAIL: ${kind}: exit ${status}"; cat "${dir}/err.txt"; exit 1
  fi
  # The handler outlives the program: wait (bounded) for it to deliver the
  # event, then for the spool to be empty (delivered files are deleted).
  delivered=""
  for _ in $(seq 300); do
    if grep -l '"type":"event"' "${sink}"/*.envelope >/dev/null 2>&1 &&
       ! ls "${dir}/cache" 2>/dev/null | grep -q '\.envelope$'; then
      delivered=yes; break
    fi
    sleep 0.1
  done
  kill "${sink_pid}"
  [[ -n "${delivered}" ]] || {
    echo "FAIL: ${kind}: nothing delivered"; cat "${dir}/err.txt"; exit 1; }
  /usr/bin/python3 tools/check_envelopes.py \
    --schema sdk/testdata/event.schema.json --dir "${sink}" --events 1 \
    >"${dir}/events.jsonl" || { echo "FAIL: ${kind}: envelopes"; exit 1; }
  /usr/bin/python3 - "${kind}" "${sink}" "${dir}/events.jsonl" \
    "${dir}/out.json" <<'PY'
import json, os, sys
kind, sink, events_file, expected_file = sys.argv[1:5]
expected = json.loads(open(expected_file).read().strip().splitlines()[-1])

def items(item_type):
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

def attachments():
    """The attachment items sent: {filename: (headers, payload bytes)}."""
    found = {}
    for name in sorted(os.listdir(sink)):
        if not name.endswith(".envelope"):
            continue
        data = open(os.path.join(sink, name), "rb").read()
        pos = data.index(b"\n") + 1  # after the envelope header
        while pos < len(data):
            end = data.index(b"\n", pos)
            header = json.loads(data[pos:end])
            payload = data[end + 1:end + 1 + header["length"]]
            pos = end + 1 + header["length"] + 1
            if header.get("type") == "attachment":
                found[header.get("filename")] = (header, payload)
    return found

events = [json.loads(line) for line in open(events_file)]
assert len(events) == 1, events
e = events[0]
assert e["level"] == "fatal", e["level"]
value = e["exception"]["values"][-1]
signal = {"abort": "SIGABRT", "assert": "SIGABRT"}.get(kind, "SIGSEGV")
assert value["type"] == signal, value["type"]
# A failed assertion's message, as the C library kept it.
if kind == "assert":
    assert value["value"].startswith("Abort: "), value["value"]
    assert "Assertion `orders == 4 && \"orders must balance\"' failed." in value["value"], value["value"]
else:
    assert value["value"] in ("Segfault", "Abort"), value["value"]
# Whether the kernel writes a core dump, and where.
crash = e["contexts"]["crash"]
assert crash["backend"] == "out_of_process", crash
assert crash["core_pattern"] == open("/proc/sys/kernel/core_pattern").read().strip(), crash
assert isinstance(crash["core_dumped"], bool), crash
assert value["mechanism"] == {
    "type": "signalhandler", "handled": False, "synthetic": True,
    "meta": {"signal": value["mechanism"]["meta"]["signal"]}}, value
crashing_tid = value["thread_id"]

def names(thread):
    return [f.get("function", "") for f in reversed(thread["stacktrace"]["frames"])]

threads = {t["id"]: t for t in e["threads"]["values"]}
crashed = [t for t in threads.values() if t.get("crashed")]
assert [t["id"] for t in crashed] == [crashing_tid], crashed
top = names(crashed[0])
# The crashing thread's stack starts where it faulted, not in a handler.
first = {"segv": "CrashInGamma", "pool": "CrashInGamma", "heap": "CrashInGamma",
         "sdk": "CrashInGamma", "lock": "CrashInGamma",
         "overflow": "Overflow"}.get(kind)
if first:
    assert first in top[0], top[:5]
else:  # abort, assert: the C library's abort, called from the program
    assert any("Work" in n for n in top[:12]), top[:12]
for handler in ("OnSignal", "ReportToHandler", "WriteCrash"):
    assert not any(handler in n for n in top), top[:8]
# Every thread is there, the parked ones in their functions, named.
parked = {"parked-alpha": "ParkInAlpha", "parked-beta": "ParkInBeta",
          "parked-delta": "ParkInDelta"}
by_name = {t.get("name"): t for t in threads.values()}
for name, function in parked.items():
    assert name in by_name, sorted(by_name)
    assert any(function in n for n in names(by_name[name])), names(by_name[name])
assert expected["pid"] in threads and threads[expected["pid"]].get("main"), threads.keys()
if kind == "sdk":
    # The SDK's own worker thread crashed, inside before_send; the worker
    # that captured is among the others, in its wait.
    assert crashed[0]["name"] == "sentry-client", crashed[0]["name"]
    assert any("BlockForever" in n for n in names(threads[expected["worker_tid"]]))
else:
    # The crashing thread's own scope: its tag (not main's), its user, its
    # breadcrumbs up to the one added just before the crash, its trace.
    tags = e.get("tags", {})
    assert tags.get("thread") == "worker", tags
    crumbs = [b["message"] for b in e.get("breadcrumbs", {}).get("values", [])]
    assert crumbs[-1] == "writing order 3", crumbs
    assert e["user"]["id"] == "4711", e.get("user")
    # The crashing thread's scope's attachments, read by the handler: bytes
    # from the stopped process, a file from its path.
    sent = attachments()
    assert sent.get("orders.json", (None, None))[1] == b'{"orders":[1,2,3]}', sent
    assert sent["orders.json"][0].get("content_type") == "application/json", sent
    assert sent.get("cache-worker.log", (None, None))[1] == b"worker started\n", sent
    # Scrubbed as every event is: the secret's value, the user's email.
    assert tags.get("X-Api-Key") == "[Filtered]", tags
    assert "email" not in e["user"], e["user"]
    assert "key-k4711" not in json.dumps(e) and "ann@" not in json.dumps(e)
    trace = e["contexts"]["trace"]
    assert trace["trace_id"] == expected["trace_id"], trace
    if kind == "pool":
        # The task's hub, forked from the worker's: its own tag on top.
        assert tags.get("task") == "order-3", tags
        assert crashing_tid != expected["worker_tid"]
    else:
        assert crashing_tid == expected["worker_tid"], (crashing_tid, expected)
        assert trace["span_id"] == expected["span_id"], trace
assert e["contexts"]["os"]["name"] == "Linux"
# Exactly one crashed session, for this run, delivered with the crash.
crashed_sessions = [s for s in items("session") if s["status"] == "crashed"]
assert len(crashed_sessions) == 1 and crashed_sessions[0]["errors"] >= 1, items("session")
print(f"out of process: {kind}: {len(threads)} threads, sent by the handler")
PY
done
