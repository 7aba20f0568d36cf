# Sourced by bench.sh and threads.sh (from the workspace root): builds the
# load generator and the sink with -c opt, starts the sink, and sets
#   bin         the -c opt bazel-bin directory
#   work        a temporary directory, removed on exit
#   sink        the sink's pid, killed on exit
#   SENTRY_DSN  (exported) the sink's address
./bazelw build -c opt //examples/loadgen //transports/http:sink >/dev/null 2>&1
bin="$(./bazelw info -c opt bazel-bin 2>/dev/null)"
work="$(mktemp -d)"
"${bin}/transports/http/sink" --port-file "${work}/port" >/dev/null &
sink=$!
trap 'kill ${sink} 2>/dev/null || true; rm -rf "${work}"' EXIT
for _ in $(seq 100); do [[ -f "${work}/port" ]] && break; sleep 0.1; done
export SENTRY_DSN="http://key@127.0.0.1:$(cat "${work}/port")/1"
