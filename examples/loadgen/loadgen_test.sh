#!/usr/bin/env bash
# The load generator as a test: delivery to a live sink is complete, and a
# sink that accepts connections but never answers costs bounded memory.
set -euo pipefail
work="${TEST_TMPDIR}/loadgen"
mkdir -p "${work}"

start_sink() {  # start_sink NAME [--hang]
  rm -f "${work}/$1.port"
  transports/http/sink --port-file "${work}/$1.port" "${@:2}" >"${work}/$1.out" \
    2>"${work}/$1.err" &
  echo $! >"${work}/$1.pid"
  for _ in $(seq 100); do [[ -f "${work}/$1.port" ]] && break; sleep 0.1; done
}
stop_sink() {  # stop_sink NAME: prints the sink's request count
  kill -TERM "$(cat "${work}/$1.pid")"
  wait "$(cat "${work}/$1.pid")" || cat "${work}/$1.err" >&2
  sed -n 's/^{"requests": \([0-9]*\)}$/\1/p' "${work}/$1.out"
}
field() {  # field JSON NAME
  /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}
trap 'kill $(cat "${work}"/*.pid 2>/dev/null) 2>/dev/null || true' EXIT

# 1. Everything reaches a live sink.
start_sink live
result="$(SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/live.port")/1" \
  examples/loadgen/loadgen --events 5000 --threads 2 --max-queue 5000 \
  --shutdown-timeout-s 60)"
echo "live: ${result}"
received="$(stop_sink live)"
[[ "$(field "${result}" delivered)" == 5000 ]] || { echo "FAIL: not all delivered"; exit 1; }
[[ "${received}" == 5000 ]] || { echo "FAIL: sink received ${received}"; exit 1; }

# 2. 100,000 events while the server never answers: drops are counted, the
# program finishes, and peak RSS stays under 64 MB (sanitizers, which
# multiply memory use, skip the bound).
start_sink hung --hang
result="$(SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/hung.port")/1" \
  examples/loadgen/loadgen --events 100000 --threads 2 --shutdown-timeout-s 1)"
echo "hung: ${result}"
stop_sink hung >/dev/null
[[ "$(field "${result}" captured)" == 100000 ]]
delivered="$(field "${result}" delivered)"
[[ "${delivered}" == 0 ]] || { echo "FAIL: ${delivered} claimed delivered"; exit 1; }
# Every event is accounted for, as a queue overflow or as given up at
# shutdown (network_error), and for no other reason.
/usr/bin/python3 - "${result}" <<'PY' || { echo "FAIL: drops do not add up"; exit 1; }
import json, sys
result = json.loads(sys.argv[1])
dropped = result["dropped"]
assert set(dropped) <= {"queue_overflow", "network_error"}, dropped
assert dropped.get("queue_overflow", 0) > 0, dropped
assert sum(dropped.values()) == result["events"], dropped
# Until the shutdown timeout the transport holds 68 envelopes (4 in flight,
# then 64, from which it is backlogged) and the rest wait as captures. The
# flush at shutdown sends a client report (the queue overflows so far), the
# 65th queued envelope; at the timeout the captures go to the transport,
# which keeps 935 of them (its queue holds 1000) and gives those and the 68
# up as network errors: 1003 events.
assert dropped.get("network_error") == 1003, dropped
PY
rss="$(field "${result}" peak_rss_mb)"
if [[ -z "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" ]]; then
  /usr/bin/python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 64 else 1)' "${rss}" \
    || { echo "FAIL: peak RSS ${rss} MB"; exit 1; }
fi

# 3. The spool across two runs: with the server down, events are kept in the
# cache directory (more than the transport takes before it is backlogged:
# those held back go to it at shutdown); the next run (capturing nothing)
# delivers them all.
cache="${work}/cache"
start_sink gone
dead_port="$(cat "${work}/gone.port")"
stop_sink gone >/dev/null
result="$(SENTRY_DSN="http://key@127.0.0.1:${dead_port}/1" \
  examples/loadgen/loadgen --events 300 --cache-dir "${cache}" --shutdown-timeout-s 1)"
echo "down: ${result}"
[[ "$(field "${result}" spooled)" == 300 ]] || { echo "FAIL: not spooled"; exit 1; }
start_sink back
result="$(SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/back.port")/1" \
  examples/loadgen/loadgen --events 0 --cache-dir "${cache}" --shutdown-timeout-s 30)"
echo "back: ${result}"
[[ "$(field "${result}" from_spool)" == 300 ]] || { echo "FAIL: from_spool"; exit 1; }
received="$(stop_sink back)"
[[ "${received}" == 300 ]] || { echo "FAIL: the next run sent ${received} of 300"; exit 1; }
left="$(ls "${cache}" | grep -c '\.envelope$' || true)"
[[ "${left}" == 0 ]] || { echo "FAIL: ${left} files left in the spool"; exit 1; }

# 4. Every --api makes the calls it is asked for, paced, and times each one;
# each of the events and transactions among them reaches the sink (one
# request each), the logs and metrics in batches, and the calls without
# the SDK send nothing.
for api in capture transaction log metric deadline last_id floor handoff touch chase scatter locked \
  capture_spun capture_warmed; do
  for pace in sleep spin; do
    start_sink apis
    result="$(SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/apis.port")/1" \
      examples/loadgen/loadgen --events 30 --threads 1 --rate 1000 --api "${api}" \
      --pace "${pace}" --warmup 0 --shutdown-timeout-s 30)"
    received="$(stop_sink apis)"
    [[ "$(field "${result}" captured)" == 30 ]] || { echo "FAIL: ${api} ${pace}: ${result}"; exit 1; }
    (( "$(field "${result}" capture_p50_ns)" > 0 )) || { echo "FAIL: ${api} ${pace} untimed"; exit 1; }
    case "${api}" in
      capture* | transaction) expected=30 ;;
      log | metric) expected=some ;;
      *) expected=0 ;;
    esac
    if [[ "${expected}" == some ]]; then
      (( received > 0 )) || { echo "FAIL: ${api} ${pace}: the sink received nothing"; exit 1; }
    else
      [[ "${received}" == "${expected}" ]] ||
        { echo "FAIL: ${api} ${pace}: the sink received ${received}, not ${expected}"; exit 1; }
    fi
    # Each envelope of its own is timed from its call to the transport.
    if [[ "${expected}" == 30 ]]; then
      (( "$(field "${result}" deliver_p50_us)" > 0 )) ||
        { echo "FAIL: ${api} ${pace}: delivery untimed: ${result}"; exit 1; }
    fi
  done
done

echo "loadgen: complete delivery; ${rss} MB peak with a hung server; spool replayed; every --api paced and timed"
