#!/usr/bin/env bash
# Runs the quick start twice: with the stdout transport (checking what it
# printed), then with SENTRY_DSN pointing at a local sink (checking what the
# HTTP transport delivered). Same events, same checks.
set -euo pipefail
out="${TEST_TMPDIR}/out.txt"
unset SENTRY_DSN
examples/quickstart/quickstart >"${out}"
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${out}" --events 3 >"${TEST_TMPDIR}/stdout.jsonl"

sink="${TEST_TMPDIR}/sink"
mkdir -p "${sink}"
/usr/bin/python3 tools/envelope_sink.py "${sink}/port" "${sink}" &
sink_pid=$!
trap 'kill ${sink_pid} 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -f "${sink}/port" ]] && break; sleep 0.1; done
SENTRY_DSN="http://publickey@127.0.0.1:$(cat "${sink}/port")/42" \
  examples/quickstart/quickstart
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --dir "${sink}" --events 3 >"${TEST_TMPDIR}/http.jsonl"
grep -q "sentry_key=publickey" "${sink}/1.auth"

for events in "${TEST_TMPDIR}/stdout.jsonl" "${TEST_TMPDIR}/http.jsonl"; do
/usr/bin/python3 - "${events}" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
by_kind = {}
for e in events:
    if "exception" in e:
        by_kind["exception"] = e
    else:
        by_kind[e["logentry"]["message"]] = e
msg = by_kind["quickstart started"]
assert msg["level"] == "info", msg
assert msg["tags"]["component"] == "quickstart", msg["tags"]
assert msg["user"]["id"] == "42", msg["user"]
assert [b["message"] for b in msg["breadcrumbs"]["values"]] == [
    "loaded settings", "connected to database"], msg["breadcrumbs"]
assert msg["release"] == "quickstart@0.1.0"
exc = by_kind["exception"]["exception"]["values"][-1]
assert exc["type"] == "std::invalid_argument", exc
assert exc["value"] == "empty configuration", exc
login = by_kind["login failed"]
assert login["level"] == "warning"
assert login["extra"]["password"] == "[redacted]", login["extra"]
assert login["tags"]["scrubbed"] == "yes"
assert "password" not in msg.get("extra", {}), "WithScope data leaked"
print("quickstart: 3 events checked in", sys.argv[1])
PY
done
