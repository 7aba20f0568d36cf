#!/usr/bin/env bash
# HTTPS with peer verification: an envelope reaches a TLS server whose
# certificate comes from a test CA when that CA is trusted, and nothing is
# sent (a clear error in the debug log) when another CA is. Against an
# HTTP/2 server (nghttpd), envelopes go out as HTTP/2 streams, several on
# one connection.
set -euo pipefail
work="${TEST_TMPDIR}/tls"
mkdir -p "${work}/sink"
cd "${work}"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=test-ca" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other-ca" \
  -keyout other.key -out other.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -extfile san.ext -out server.pem 2>/dev/null
cd - >/dev/null

/usr/bin/python3 tools/envelope_sink.py "${work}/port" "${work}/sink" \
  "${work}/server.pem" "${work}/server.key" &
sink_pid=$!
trap 'kill ${sink_pid} 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -f "${work}/port" ]] && break; sleep 0.1; done
dsn="https://public@127.0.0.1:$(cat "${work}/port")/42"

# The wrong CA: verification fails, nothing arrives.
transports/http/send_one "${dsn}" "${work}/other.pem" 2>"${work}/wrong.log"
if ls "${work}"/sink/*.envelope >/dev/null 2>&1; then
  echo "FAIL: an envelope was sent to a server the CA does not vouch for"
  exit 1
fi
grep -qi "certificate" "${work}/wrong.log" || {
  echo "FAIL: no certificate error in the debug log:"
  cat "${work}/wrong.log"
  exit 1
}

# The right CA: delivered.
transports/http/send_one "${dsn}" "${work}/ca.pem" 2>"${work}/right.log"
for _ in $(seq 50); do
  ls "${work}"/sink/*.envelope >/dev/null 2>&1 && break
  sleep 0.1
done
grep -q '"over tls"' "${work}"/sink/1.envelope || {
  echo "FAIL: the envelope did not arrive over TLS"
  cat "${work}/right.log"
  exit 1
}

# HTTP/2: nghttpd logs every frame; it answers each envelope POST with 200
# (the file below).
mkdir -p "${work}/htdocs/api/42/envelope"
echo '{}' >"${work}/htdocs/api/42/envelope/index.html"
h2_port="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
/usr/sbin/nghttpd -v -a 127.0.0.1 -d "${work}/htdocs" "${h2_port}" \
  "${work}/server.key" "${work}/server.pem" >"${work}/h2.log" 2>&1 &
h2_pid=$!
trap 'kill ${sink_pid} ${h2_pid} 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/${h2_port}") 2>/dev/null && break
  sleep 0.05
done
transports/http/send_one "https://public@127.0.0.1:${h2_port}/42" \
  "${work}/ca.pem" 8 2>"${work}/h2-client.log" || {
  echo "FAIL: not all 8 envelopes were delivered over HTTP/2"
  cat "${work}/h2-client.log" "${work}/h2.log"
  exit 1
}
kill "${h2_pid}"
/usr/bin/python3 - "${work}/h2.log" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
# Each POST is a stream: "[id=CONNECTION] ... recv (stream_id=N) :method: POST"
posts = re.findall(r"\[id=(\d+)\].*recv \(stream_id=(\d+)\) :method: POST", log)
assert len(posts) == 8, posts
streams_per_connection = {}
for connection, stream in posts:
    streams_per_connection.setdefault(connection, set()).add(stream)
assert max(len(s) for s in streams_per_connection.values()) >= 2, posts
assert log.count(":status: 200") == 8, "not every stream was answered 200"
print(f"HTTP/2: 8 envelopes as streams on {len(streams_per_connection)} connection(s)")
PY
echo "TLS verified with the test CA; refused with another; HTTP/2 streams"
