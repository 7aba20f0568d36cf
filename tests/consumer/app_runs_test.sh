#!/usr/bin/env bash
# The program runs with the SDK and the user's own "boringssl" linked in.
set -euo pipefail
out="$(./app)"
echo "${out}"
grep -qE '^task 1 event [0-9a-f]{32}$' <<<"${out}"
grep -qE '^task 2 event [0-9a-f]{32}$' <<<"${out}"
grep -qx "linked with the user's boringssl" <<<"${out}"
