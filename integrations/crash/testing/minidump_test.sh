#!/usr/bin/env bash
# The minidump the handler attaches (CrashOptions::attach_minidump), opened
# by a debugger that reads minidumps (lldb): the same threads as the event,
# the crashing thread stopped by the signal, its top frame the event's (at
# the same instruction, in CrashInGamma).
set -euo pipefail
work="${TEST_TMPDIR}/minidump"
mkdir -p "${work}"
set +e
integrations/crash/crashing_program --cache-dir "${work}/cache" --minidump 1 \
  >"${work}/out.json" 2>"${work}/err.txt"
status=$?
set -e
# Killed by the signal, or, under a sanitizer, its exit code (its handler
# runs after ours); 3: no handler process.
[[ "${status}" != 0 && "${status}" != 3 ]] ||
  { echo "FAIL: exit ${status}"; cat "${work}/err.txt"; exit 1; }
/usr/bin/python3 - "${work}" <<'PY'
import glob, json, os, sys
work = sys.argv[1]
files = glob.glob(os.path.join(work, "cache", "*.envelope"))
assert len(files) == 1, files
data = open(files[0], "rb").read()
pos = data.index(b"\n") + 1
event = minidump = None
while pos < len(data):
    end = data.index(b"\n", pos)
    header = json.loads(data[pos:end])
    payload = data[end + 1:end + 1 + header["length"]]
    pos = end + 1 + header["length"] + 1
    if header["type"] == "event":
        event = json.loads(payload)
    elif header.get("attachment_type") == "event.minidump":
        assert header["filename"] == "minidump.dmp", header
        assert minidump is None, "two minidumps"
        minidump = payload
assert event and minidump and minidump[:4] == b"MDMP", "no event or minidump"
open(os.path.join(work, "minidump.dmp"), "wb").write(minidump)
json.dump(event, open(os.path.join(work, "event.json"), "w"))
PY
(cd "${work}" && HOME="${work}" lldb --batch -o "target create --core minidump.dmp" \
  -o "thread list" -o "bt 1" >lldb.txt 2>lldb.err) ||
  { echo "FAIL: lldb"; cat "${work}/lldb.err"; exit 1; }
/usr/bin/python3 - "${work}" <<'PY'
import json, os, re, sys
work = sys.argv[1]
event = json.load(open(os.path.join(work, "event.json")))
text = open(os.path.join(work, "lldb.txt")).read()
threads = re.findall(r"^\s*(\*?)\s*thread #\d+: tid = (\d+), (0x[0-9a-f]+) (.*)$", text, re.M)
assert threads, text
in_dump = {int(tid) for _, tid, _, _ in threads}
in_event = {t["id"] for t in event["threads"]["values"]}
assert in_dump == in_event, (in_dump, in_event)
crashed = [t for t in threads if t[0] == "*"]
assert len(crashed) == 1, threads
_, tid, pc, where = crashed[0]
value = event["exception"]["values"][0]
assert int(tid) == value["thread_id"], (tid, value["thread_id"])
assert "stop reason = signal SIGSEGV" in text, text
top = value["stacktrace"]["frames"][-1]
assert int(pc, 16) == int(top["instruction_addr"], 16), (pc, top)
assert "CrashInGamma" in where and "CrashInGamma" in top["function"], (where, top)
print(f"minidump: {len(in_dump)} threads; crashed {tid} at {pc} in CrashInGamma, as in the event")
PY
