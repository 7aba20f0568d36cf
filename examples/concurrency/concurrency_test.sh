#!/usr/bin/env bash
set -euo pipefail
out="$(examples/concurrency/concurrency)"
echo "${out}"
lines="$(echo "${out}" | wc -l)"
[[ "${lines}" == 8 ]] || { echo "FAIL: ${lines} events, expected 8"; exit 1; }
# "cloned hub, thread 2 -> secretTag=cloned-2": the tag names the thread.
bad="$(echo "${out}" | awk '{
  split($0, parts, " -> secretTag=");
  n = split(parts[1], words, " ");
  kind = (parts[1] ~ /^cloned/) ? "cloned" : "global";
  if (parts[2] != kind "-" words[n]) print
}')"
[[ -z "${bad}" ]] || { echo "FAIL: events with another thread's tag:"; echo "${bad}"; exit 1; }
