#!/usr/bin/env bash
# Where one end-to-end run spends its CPU: runs the load generator (-c opt)
# once against the loopback sink and prints the CPU time (user + system) per
# event of each of its threads, by name (sentry-client: the SDK's worker;
# sentry-http: the sending thread; loadgen: the capturing and main threads),
# and of the sink. Threads are sampled from /proc every 20 ms until the
# process ends, so each figure misses at most its last 20 ms.
#
#   examples/loadgen/threads.sh [EVENTS] [LOADGEN FLAGS...]
#   examples/loadgen/threads.sh 40000 --breadcrumbs 20 --compress 1
set -euo pipefail
cd "$(dirname "$0")/../.."
events="${1:-40000}"
shift || true
source examples/loadgen/start_sink.sh

ticks() { awk '{print $14 + $15}' "$1"; }  # utime + stime, in clock ticks
sink_before="$(ticks "/proc/${sink}/stat")"
"${bin}/examples/loadgen/loadgen" --events "${events}" --threads 1 \
  --max-queue "${events}" --shutdown-timeout-s 120 "$@" >"${work}/result" &
loadgen=$!
declare -A last name
while kill -0 "${loadgen}" 2>/dev/null; do
  for task in /proc/"${loadgen}"/task/*; do
    tid="${task##*/}"
    n="$(cat "${task}/comm" 2>/dev/null)" || continue
    t="$(ticks "${task}/stat" 2>/dev/null)" || continue
    [[ -n "${n}" && -n "${t}" ]] || continue
    last[${tid}]="${t}"
    name[${tid}]="${n}"
  done
  sleep 0.02
done
wait "${loadgen}"
sink_after="$(ticks "/proc/${sink}/stat")"
cat "${work}/result"
hz="$(getconf CLK_TCK)"
declare -A by_name
for tid in "${!last[@]}"; do
  by_name[${name[${tid}]}]=$(( ${by_name[${name[${tid}]}]:-0} + last[${tid}] ))
done
for n in "${!by_name[@]}" sink; do
  t="${by_name[${n}]:-$(( sink_after - sink_before ))}"
  /usr/bin/python3 -c 'import sys; print(f"{sys.argv[1]:14s} {int(sys.argv[2]) * 1e6 / int(sys.argv[3]) / int(sys.argv[4]):8.1f} us/event")' \
    "${n}" "${t}" "${hz}" "${events}"
done
