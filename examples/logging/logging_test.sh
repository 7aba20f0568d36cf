#!/usr/bin/env bash
# Runs the logging example and checks its envelopes: the error validates
# against Sentry's event schema, the log and metric items have Sentry's
# telemetry shape, @sentry/core's parser reads them all, and all of them
# share the trace the example printed.
set -euo pipefail
unset SENTRY_DSN
work="${TEST_TMPDIR}/logging"
mkdir -p "${work}"
examples/logging/logging >"${work}/out.txt" 2>"${work}/err.txt" || {
  cat "${work}/err.txt"; exit 1; }
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${work}/out.txt" --events 1 --logs 4 --metrics 2 \
  >"${work}/records.jsonl"
# The JavaScript SDK's envelope parser reads the same envelopes.
node tools/sentry_core_envelopes.js external/sentry_js_core "${work}/out.txt" \
  event=1 log=1 trace_metric=1
/usr/bin/python3 - "${work}/records.jsonl" "${work}/err.txt" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
console = open(sys.argv[2]).read().splitlines()
error = next(r for r in records if "_item" not in r)
logs = [r for r in records if r.get("_item") == "log"]
metrics = [r for r in records if r.get("_item") == "trace_metric"]
trace = error["contexts"]["trace"]["trace_id"]
assert "trace " + trace in console, (trace, console)
def attr(r, key):
    return r["attributes"].get(key, {}).get("value")
bodies = {l["body"]: l for l in logs}
assert set(bodies) == {
    "job started with 2 orders", "charging order A-1001 for 2500 cents",
    "charging order A-1002 for 25000 cents",
    "order A-1002 is over the card's limit"}, sorted(bodies)
for record in logs + metrics:
    assert record["trace_id"] == trace, record
    assert attr(record, "job") == "nightly-charges", record
    assert attr(record, "sentry.release") == "logging-example@0.1.0", record
# The SDK's own call sends its template; spdlog's lines their text only.
started = bodies["job started with 2 orders"]
assert attr(started, "sentry.message.template") == "job started with $0 orders"
assert started["attributes"]["sentry.message.parameter.0"] == {
    "value": 2, "type": "integer"}, started
warn = bodies["order A-1002 is over the card's limit"]
assert warn["level"] == "warn" and warn["severity_number"] == 13, warn
assert attr(warn, "sentry.origin") == "auto.log.spdlog", warn
assert attr(warn, "logger.name") == "payments", warn
assert "sentry.message.template" not in warn["attributes"], warn
assert sorted(m["value"] for m in metrics) == [2500, 25000], metrics
assert all(m["name"] == "payment.amount" and m["unit"] == "cent" and
           m["type"] == "distribution" for m in metrics), metrics
# The error's breadcrumbs are the same lines, in order.
crumbs = [b["message"] for b in error["breadcrumbs"]["values"]]
assert crumbs == ["charging order A-1001 for 2500 cents",
                  "charging order A-1002 for 25000 cents",
                  "order A-1002 is over the card's limit"], crumbs
print("one trace:", trace, len(logs), "logs,", len(metrics), "metrics")
PY
