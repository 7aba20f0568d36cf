#!/usr/bin/env bash
# An example with SENTRY_SPOTLIGHT pointing at a real Spotlight sidecar
# (npm @spotlightjs/spotlight 4.11.8): every event and check-in the example
# prints (its stdout transport) also reaches the sidecar, which accepts it
# and replays it on its event stream.
# Usage: spotlight_test.sh SPOTLIGHT_RUN_JS EXAMPLE [MIN_RECORDS]
set -euo pipefail
spotlight_js="$(readlink -f "$1")"
example="$2"
min_records="${3:-3}"
work="${TEST_TMPDIR:-$(mktemp -d)}"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# The log exists before the reader below opens it.
: >"${work}/spotlight.log"
node "${spotlight_js}" server -p "${port}" >>"${work}/spotlight.log" 2>&1 &
sidecar=$!
trap 'kill "${sidecar}" 2>/dev/null || true' EXIT
# Ready when it says so.
if ! timeout 30 grep -q -m1 "listening on ${port}" <(tail -n +1 -f --pid="${sidecar}" "${work}/spotlight.log"); then
  echo "FAIL: the sidecar did not start:"; cat "${work}/spotlight.log"; exit 1
fi

SENTRY_SPOTLIGHT="http://127.0.0.1:${port}/stream" "${example}" >"${work}/stdout.txt"

# The sidecar's stream replays what it received; read it until every event
# and check-in printed is there (or fail after 20 s).
python3 - "${port}" "${work}/stdout.txt" "${min_records}" <<'PY'
import json, socket, sys, time

def record(value):
    """An event (its envelope header) or a check-in (its item), as a key."""
    if isinstance(value, dict) and "check_in_id" in value:
        return "check-in %s %s" % (value["check_in_id"], value.get("status"))
    if isinstance(value, dict) and "event_id" in value and "type" not in value:
        return "event " + value["event_id"]
    return None

port, printed, minimum = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
wanted = set()
for line in open(printed, "rb"):
    try:
        key = record(json.loads(line))
    except ValueError:
        continue  # an attachment's bytes
    if key and (key.startswith("check-in") or line.startswith(b'{"event_id"')):
        wanted.add(key)
if len(wanted) < minimum:
    print("FAIL: the example printed", sorted(wanted))
    sys.exit(1)
sock = socket.create_connection(("127.0.0.1", port), timeout=20)
sock.sendall(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Accept: text/event-stream\r\n\r\n")
deadline, buffer, seen = time.time() + 20, b"", set()
while wanted - seen and time.time() < deadline:
    chunk = sock.recv(65536)
    if not chunk:
        break
    buffer += chunk
    for line in buffer.split(b"\n"):
        if line.startswith(b"data: "):
            try:
                header, items = json.loads(line[6:])
            except ValueError:
                continue  # a line still being received
            seen.add(record(header))
            seen.update(record(payload) for _, payload in items)
missing = wanted - seen
if missing:
    print("FAIL: the sidecar did not receive", sorted(missing))
    sys.exit(1)
print("ok: the sidecar received all", len(wanted), "events and check-ins")
PY
