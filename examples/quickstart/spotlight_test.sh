#!/usr/bin/env bash
# The quick start with SENTRY_SPOTLIGHT pointing at a real Spotlight sidecar
# (npm @spotlightjs/spotlight 4.11.8): every event the example prints (its
# stdout transport) also reaches the sidecar, which accepts it and replays
# it on its event stream.
# Usage: spotlight_test.sh SPOTLIGHT_RUN_JS QUICKSTART
set -euo pipefail
spotlight_js="$(readlink -f "$1")"
quickstart="$2"
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

SENTRY_SPOTLIGHT="http://127.0.0.1:${port}/stream" "${quickstart}" >"${work}/stdout.txt"
ids="$(grep -o '^{"event_id":"[0-9a-f]\{32\}"' "${work}/stdout.txt" | cut -d'"' -f4 | sort -u)"
count="$(grep -c . <<<"${ids}")"
(( count >= 3 )) || { echo "FAIL: the example printed ${count} events"; exit 1; }

# The sidecar's stream replays what it received; read it until every id is
# there (or fail after 20 s).
python3 - "${port}" ${ids} <<'PY'
import json, socket, sys, time
port, wanted = int(sys.argv[1]), set(sys.argv[2:])
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
                header = json.loads(line[6:])[0]
            except ValueError:
                continue  # a line still being received
            seen.add(header.get("event_id", ""))
missing = wanted - seen
if missing:
    print("FAIL: the sidecar did not receive", sorted(missing))
    sys.exit(1)
print("ok: the sidecar received all", len(wanted), "events")
PY
