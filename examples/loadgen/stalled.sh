#!/usr/bin/env bash
# Memory with a server that never answers: loadgen (-c opt) captures EVENTS
# events on 2 threads against a sink that accepts connections and reads
# requests but never answers; prints loadgen's result (peak RSS, drops by
# reason) and checks that every event is accounted for, and that the
# transport ended up with exactly its queue and its requests in flight.
#
#   examples/loadgen/stalled.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
events="${1:-100000}"
sink_flags="--hang"
source examples/loadgen/start_sink.sh

"${bin}/examples/loadgen/loadgen" --events "${events}" --threads 2 \
  --shutdown-timeout-s 2 >"${work}/result"
cat "${work}/result"
/usr/bin/python3 - "${work}/result" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
dropped = result["dropped"]
assert result["delivered"] == 0, result
assert sum(dropped.values()) == result["events"], dropped
# Until the shutdown timeout the transport holds its four requests in
# flight and the 64 envelopes from which it is backlogged, and the worker
# holds the rest as captures. The flush at shutdown sends a client report
# (the 65th queued envelope); at the timeout the captures go to the
# transport, which fills its queue (1000, the default) with 935 of them and
# gives up those and the 68 as network errors: 1003 events.
assert dropped.get("network_error") == 1003, dropped
print(f"peak RSS {result['peak_rss_mb']} MB; queue_overflow "
      f"{dropped.get('queue_overflow', 0)}, network_error "
      f"{dropped.get('network_error', 0)}")
PY
