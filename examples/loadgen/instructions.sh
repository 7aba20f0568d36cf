#!/usr/bin/env bash
# Instructions the SDK's process executes for a burst of events, counted by
# valgrind's callgrind (all its threads), against the loopback sink:
# repeatable whatever else the machine is doing, unlike times. With --base
# COMMIT, the same count for that commit's SDK (built with this checkout's
# load generator; build_base.sh), next to this checkout's.
# Needs valgrind (Debian package valgrind).
#
#   examples/loadgen/instructions.sh [--base COMMIT] [EVENTS] [LOADGEN FLAGS...]
#   examples/loadgen/instructions.sh --base b4aa333 2000 --breadcrumbs 20 --compress 1
set -euo pipefail
cd "$(dirname "$0")/../.."
base=""
if [[ "${1:-}" == --base ]]; then base="$2"; shift 2; fi
events="${1:-2000}"
shift || true
source examples/loadgen/start_sink.sh

count() {  # count LOADGEN: prints the instructions executed
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" \
    --events "${events}" --threads 1 --max-queue "${events}" \
    --shutdown-timeout-s 120 "${@:2}" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\)$/\1/p'
}

if [[ -n "${base}" ]]; then
  source examples/loadgen/build_base.sh
  build_base_binary "${base}" loadgen "${work}/base_loadgen"
  before="$(count "${work}/base_loadgen" "$@")"
  echo "${base}: ${before} instructions, $(( before / events )) per event"
fi
now="$(count "${bin}/examples/loadgen/loadgen" "$@")"
echo "this checkout: ${now} instructions, $(( now / events )) per event"
