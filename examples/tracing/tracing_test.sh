#!/usr/bin/env bash
# Runs the tracing example and checks its envelopes: they validate against
# Sentry's event schema, @sentry/core's parser reads them, and checkout's transaction, inventory's transaction
# and inventory's error share one trace with the right parents.
set -euo pipefail
unset SENTRY_DSN
work="${TEST_TMPDIR}/tracing"
mkdir -p "${work}"
examples/tracing/tracing >"${work}/out.txt" 2>"${work}/err.txt" || {
  cat "${work}/err.txt"; exit 1; }
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${work}/out.txt" --events 1 --transactions 2 >"${work}/events.jsonl"
# The JavaScript SDK's envelope parser reads the same envelopes.
node tools/sentry_core_envelopes.js external/sentry_js_core "${work}/out.txt" \
  event=1 transaction=2
/usr/bin/python3 - "${work}/events.jsonl" <<'PY'
import json, sys
items = [json.loads(line) for line in open(sys.argv[1])]
transactions = {t["transaction"]: t for t in items if t.get("type") == "transaction"}
error = next(e for e in items if e.get("type") != "transaction")
checkout, inventory = transactions["/checkout"], transactions["/items/<id>/reserve"]
trace = checkout["contexts"]["trace"]
assert "parent_span_id" not in trace, trace  # The head of the trace.
assert trace["op"] == "http.server" and trace["status"] == "internal_error", trace
inventory_trace = inventory["contexts"]["trace"]
assert inventory_trace["trace_id"] == trace["trace_id"], inventory_trace
assert error["contexts"]["trace"]["trace_id"] == trace["trace_id"]
# checkout's outgoing call is a child span; inventory's transaction its child.
client = [s for s in checkout["spans"] if s["op"] == "http.client"]
assert len(client) == 1, checkout["spans"]
assert client[0]["parent_span_id"] == trace["span_id"]
assert client[0]["description"].startswith("GET http://127.0.0.1:")
assert inventory_trace["parent_span_id"] == client[0]["span_id"]
# The error happened inside inventory's transaction, which got the headers.
assert error["contexts"]["trace"]["span_id"] == inventory_trace["span_id"]
assert error["tags"]["incoming.sentry-trace"] == "%s-%s-1" % (
    trace["trace_id"], client[0]["span_id"]), error["tags"]
assert error["tags"]["service"] == "inventory"
assert inventory_trace["status"] == "already_exists", inventory_trace
print("one trace:", trace["trace_id"])
PY
