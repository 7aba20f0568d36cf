#!/usr/bin/env bash
# The files the file transport writes are what Sentry accepts: Sentry's own
# CLI parses each one and sends it to a local sink, and every event in them
# conforms to Sentry's event schema.
set -euo pipefail
spool="${TEST_TMPDIR}/spool"
sink="${TEST_TMPDIR}/sink"
mkdir -p "${sink}"
transports/file/write_envelopes "${spool}"

/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --dir "${spool}" --events 3 >/dev/null

/usr/bin/python3 tools/envelope_sink.py "${sink}/port" "${sink}" &
sink_pid=$!
trap 'kill ${sink_pid} 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -f "${sink}/port" ]] && break; sleep 0.1; done
port="$(cat "${sink}/port")"

sent=0
for file in "${spool}"/*.envelope; do
  SENTRY_DSN="http://publickey@127.0.0.1:${port}/42" RUST_BACKTRACE=0 \
    external/sentry_cli/bin/sentry-cli send-envelope "${file}"
  sent=$((sent + 1))
done
received="$(ls "${sink}"/*.envelope | wc -l)"
if [[ "${sent}" != 3 || "${received}" != 3 ]]; then
  echo "FAIL: sent ${sent}, sink received ${received}"
  exit 1
fi
grep -q "sentry_key=publickey" "${sink}/1.auth"
# What Sentry's CLI forwarded still holds our three events, schema-valid.
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --dir "${sink}" --events 3 >/dev/null
echo "sentry-cli accepted ${sent} envelopes"
