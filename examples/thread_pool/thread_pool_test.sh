#!/usr/bin/env bash
# Runs the thread pool example and checks that each event carries its own
# request's data and nothing from the other requests.
set -euo pipefail
unset SENTRY_DSN
out="${TEST_TMPDIR}/out.txt"
examples/thread_pool/thread_pool >"${out}" 2>"${TEST_TMPDIR}/err.txt" || {
  cat "${TEST_TMPDIR}/err.txt"; exit 1; }
grep -q "request 3 failed: corrupt image" "${TEST_TMPDIR}/err.txt"
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${out}" --events 4 >"${TEST_TMPDIR}/events.jsonl"
/usr/bin/python3 - "${TEST_TMPDIR}/events.jsonl" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
thumbnails = [e for e in events if e.get("logentry", {}).get("message") == "thumbnail written"]
assert sorted(e["tags"]["request"] for e in thumbnails) == ["1", "2"], thumbnails
for e in thumbnails:
    crumbs = [b["message"] for b in e["breadcrumbs"]["values"]]
    assert crumbs == [f"resizing image {e['tags']['request']}"], crumbs
    assert e["tags"]["service"] == "resizer"
[failed] = [e for e in events if "exception" in e]
value = failed["exception"]["values"][-1]
assert value["type"] == "std::runtime_error" and value["value"] == "corrupt image", value
assert value["mechanism"] == {"type": "thread_pool", "handled": False}, value
assert failed["tags"]["request"] == "3", failed["tags"]
[audit] = [e for e in events if e.get("logentry", {}).get("message") == "audit done"]
assert "request" not in audit["tags"], audit["tags"]
print("thread_pool: 4 events, each with only its own request's data")
PY
