#!/usr/bin/env bash
# Runs the cron example and checks its envelopes: six check-ins of Sentry's
# shape (@sentry/core's parser reads them too), paired by id, in_progress
# then ok / error / ok, each run's pair in the trace the example printed for
# it, the monitor's config on each, and the second run's error in its trace.
set -euo pipefail
unset SENTRY_DSN
work="${TEST_TMPDIR}/cron"
mkdir -p "${work}"
examples/cron/cron >"${work}/out.txt" 2>"${work}/err.txt" || {
  cat "${work}/err.txt"; exit 1; }
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --stream "${work}/out.txt" --events 1 --check-ins 6 >"${work}/records.jsonl"
node tools/sentry_core_envelopes.js external/sentry_js_core "${work}/out.txt" \
  event=1 check_in=6
/usr/bin/python3 - "${work}/records.jsonl" "${work}/err.txt" <<'PY'
import json, re, sys
records = [json.loads(line) for line in open(sys.argv[1])]
runs = [re.match(r"run (\d) check-in ([0-9a-f]{32}) trace ([0-9a-f]{32}) (ok|error)",
                 line).groups()
        for line in open(sys.argv[2]).read().splitlines() if line.startswith("run ")]
assert [(r[0], r[3]) for r in runs] == [("1", "ok"), ("2", "error"), ("3", "ok")], runs
check_ins = [r for r in records if r.get("_item") == "check_in"]
error = next(r for r in records if "_item" not in r)
for i, (run, id_, trace, status) in enumerate(runs):
    opened, closed = check_ins[2 * i], check_ins[2 * i + 1]
    assert [opened["status"], closed["status"]] == ["in_progress", status], (opened, closed)
    assert opened["check_in_id"] == closed["check_in_id"] == id_, (opened, closed, id_)
    assert "duration" not in opened and closed["duration"] >= 0, closed
    for c in (opened, closed):
        assert c["monitor_slug"] == "invoice-sync", c
        assert c["contexts"]["trace"]["trace_id"] == trace, (c, trace)
        assert c["release"] == "cron-example@0.1.0", c
        assert c["monitor_config"] == {
            "schedule": {"type": "crontab", "value": "*/5 * * * *"},
            "checkin_margin": 1, "max_runtime": 10, "timezone": "Europe/Vienna",
            "failure_issue_threshold": 1}, c["monitor_config"]
assert len({r[2] for r in runs}) == 3, runs
assert error["contexts"]["trace"]["trace_id"] == runs[1][2], error["contexts"]
assert error["exception"]["values"][0]["value"] == "ledger service unavailable"
print("3 runs, 6 check-ins; the failed run's error is in its trace", runs[1][2])
PY
