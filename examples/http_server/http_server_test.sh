#!/usr/bin/env bash
# Runs the HTTP server example, sends it concurrent requests, stops it, and
# checks the events it reported.
set -euo pipefail
unset SENTRY_DSN
work="${TEST_TMPDIR}/http_server"
mkdir -p "${work}"
examples/http_server/http_server --port 0 --port-file "${work}/port" \
  >"${work}/out.txt" 2>"${work}/err.txt" &
server=$!
trap 'kill ${server} 2>/dev/null || true; tail -50 "${work}/err.txt"' EXIT
for _ in $(seq 100); do [[ -f "${work}/port" ]] && break; sleep 0.1; done
/usr/bin/python3 - "$(cat "${work}/port")" <<'PY'
import concurrent.futures, sys, urllib.error, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def get(path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
jobs = [("/hello", None, 200)] * 4 + [("/boom", None, 500)] * 4 + [
    (f"/user/u{i}?ref=r{i}", {"Authorization": "Bearer secret-token"}, 200)
    for i in range(24)]
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    results = list(pool.map(lambda job: (job, get(job[0], job[1])), jobs))
bad = [(job[0], status) for job, status in results if status != job[2]]
assert not bad, bad
PY
kill -TERM "${server}"
wait "${server}" || { cat "${work}/err.txt"; exit 1; }
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${work}/out.txt" --events 32 >"${work}/events.jsonl"
/usr/bin/python3 - "${work}/events.jsonl" "${work}/out.txt" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
users = [e for e in events if e.get("transaction") == "/user/<id>"]
assert len(users) == 24, len(users)
for e in users:
    uid = e["user"]["id"]
    assert e["request"]["url"].endswith("/user/" + uid), e["request"]
    assert e["request"]["query_string"] == "ref=r" + uid[1:], e["request"]
    assert e["request"]["headers"]["Authorization"] == "[Filtered]"
    assert "ip_address" not in e["user"], e["user"]
    crumbs = [b["message"] for b in e["breadcrumbs"]["values"]]
    assert crumbs == ["GET /user/" + uid], crumbs
booms = [e for e in events if "exception" in e]
assert len(booms) == 4
for e in booms:
    value = e["exception"]["values"][-1]
    assert value["mechanism"] == {"type": "http_server", "handled": False}
    assert e["transaction"] == "/boom" and "user" not in e
hellos = [e for e in events if e.get("transaction") == "/hello"]
assert len(hellos) == 4 and all("user" not in e for e in hellos)
# Request-mode release health: per-minute aggregates, no process session.
aggregates = []
for line in open(sys.argv[2], "rb").read().split(b"\n"):
    try:
        value = json.loads(line)
    except ValueError:
        continue
    if isinstance(value, dict) and "aggregates" in value:
        aggregates.extend(value["aggregates"])
    assert not (isinstance(value, dict) and "sid" in value), value
total = lambda key: sum(a.get(key, 0) for a in aggregates)
assert (total("exited"), total("errored"), total("crashed")) == (28, 0, 4), aggregates
print("http_server: 32 events, each with only its own request's data; 32 request sessions")
PY
