#!/usr/bin/env bash
# Runs the quick start twice: with the stdout transport (checking what it
# printed), then with SENTRY_DSN pointing at a local sink (checking what the
# HTTP transport delivered). Same events, same checks.
set -euo pipefail
out="${TEST_TMPDIR}/out.txt"
unset SENTRY_DSN
examples/quickstart/quickstart >"${out}"
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${out}" --events 3 --feedbacks 1 >"${TEST_TMPDIR}/stdout.jsonl"
# The JavaScript SDK's envelope parser reads the same envelopes.
node tools/sentry_core_envelopes.js external/sentry_js_core "${out}" \
  event=3 feedback=1

sink="${TEST_TMPDIR}/sink"
mkdir -p "${sink}"
/usr/bin/python3 tools/envelope_sink.py "${sink}/port" "${sink}" &
sink_pid=$!
trap 'kill ${sink_pid} 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -f "${sink}/port" ]] && break; sleep 0.1; done
SENTRY_DSN="http://publickey@127.0.0.1:$(cat "${sink}/port")/42" \
  examples/quickstart/quickstart
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --dir "${sink}" --events 3 --feedbacks 1 >"${TEST_TMPDIR}/http.jsonl"
grep -q "sentry_key=publickey" "${sink}/1.auth"

for events in "${TEST_TMPDIR}/stdout.jsonl" "${TEST_TMPDIR}/http.jsonl"; do
/usr/bin/python3 - "${events}" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
events = [r for r in records if r.get("_item") != "feedback"]
feedback = next(r for r in records if r.get("_item") == "feedback")
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
# Filtered by the SDK before before_send, which saw it so.
assert login["extra"]["password"] == "[Filtered]", login["extra"]
assert login["tags"]["scrubbed"] == "yes"
# Without send_default_pii the user's email stays on the machine; the
# address the user gave with the feedback is sent.
assert "email" not in msg["user"], msg["user"]
context = feedback["contexts"]["feedback"]
assert context["associated_event_id"] == by_kind["exception"]["event_id"], context
assert context["message"] == "The settings page stays blank", context
assert context["contact_email"] == "ada@example.com", context
assert "password" not in msg.get("extra", {}), "WithScope data leaked"
print("quickstart: 3 events and the feedback checked in", sys.argv[1])
PY
done
