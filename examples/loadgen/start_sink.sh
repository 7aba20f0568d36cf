# Sourced by bench.sh, threads.sh and stalled.sh (from the workspace root):
# builds the load generator and the sink with -c opt, starts the sink (with
# the flags in $sink_flags, if set), and sets
#   bin         the -c opt bazel-bin directory
#   work        a temporary directory, removed on exit
#   sink        the sink's pid, killed on exit
#   SENTRY_DSN  (exported) the sink's address
#   loadgen     (an associative array) loadgen[this]: this checkout's load
#               generator
# and defines sink_requests (the sink's request count so far) and
# build_base COMMIT (sets loadgen[base]: that commit's SDK built with this
# checkout's load generator; build_base.sh). bench.sh and
# paced.sh stop the Bazel server before they measure: its JVM's periodic
# threads would run beside them.
./bazelw build -c opt //examples/loadgen //transports/http:sink >/dev/null 2>&1
bin="$(./bazelw info -c opt bazel-bin 2>/dev/null)"
work="$(mktemp -d)"
declare -A loadgen=([this]="${bin}/examples/loadgen/loadgen")
# shellcheck disable=SC2086
"${bin}/transports/http/sink" --port-file "${work}/port" ${sink_flags:-} >"${work}/sink.out" &
sink=$!
trap 'kill ${sink} 2>/dev/null || true; rm -rf "${work}"' EXIT
for _ in $(seq 100); do [[ -f "${work}/port" ]] && break; sleep 0.1; done
[[ -f "${work}/port" ]] || { echo "the sink did not start" >&2; exit 1; }
export SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/port")/1"

# Prints the number of requests the sink has received so far (it answers
# SIGUSR1 with a line {"requests": N}).
sink_requests() {
  local lines
  lines="$(grep -c requests "${work}/sink.out" || true)"
  kill -USR1 "${sink}"
  for _ in $(seq 100); do
    (( "$(grep -c requests "${work}/sink.out" || true)" > lines )) && break
    sleep 0.05
  done
  sed -n 's/^{"requests": \([0-9]*\)}$/\1/p' "${work}/sink.out" | tail -n 1
}

source examples/loadgen/build_base.sh
build_base() {
  mkdir -p "${work}/bin"
  build_base_binary "$1" loadgen "${work}/bin/base"
  loadgen[base]="${work}/bin/base"
}
