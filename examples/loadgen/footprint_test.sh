#!/usr/bin/env bash
# The footprint program runs to its end natively (footprint.sh runs it under
# Lackey): it prints the two marks' addresses, the rounds and the order of
# its kinds, in the form footprint.sh reads, and makes every call.
set -euo pipefail
out="$(examples/loadgen/footprint)"
echo "${out}"
grep -Eq '^marks: [0-9a-f]+ [0-9a-f]+$' <<<"${out}" || { echo "FAIL: marks"; exit 1; }
grep -Eq '^rounds: 20$' <<<"${out}" || { echo "FAIL: rounds"; exit 1; }
grep -Eq '^order: touch floor last_id capture log metric transaction$' <<<"${out}" ||
  { echo "FAIL: order"; exit 1; }
grep -Eq '^calls: 140$' <<<"${out}" || { echo "FAIL: not every call was made"; exit 1; }
