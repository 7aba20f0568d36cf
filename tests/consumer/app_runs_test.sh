#!/usr/bin/env bash
# The program runs with the SDK and the user's own "boringssl" linked in:
# the program's calls reach the user's RAND_bytes, and the SDK's event ids
# do not come from it (they differ between tasks and between two runs, and
# are not the user's 0xab bytes).
set -euo pipefail
first="$(./app)"
second="$(./app)"
echo "${first}"
for out in "${first}" "${second}"; do
  grep -qE '^task 1 event [0-9a-f]{32}$' <<<"${out}"
  grep -qE '^task 2 event [0-9a-f]{32}$' <<<"${out}"
  grep -qx "linked with the user's boringssl" <<<"${out}"
  grep -qx "user RAND_bytes 171 171 171 171" <<<"${out}"
done
ids="$(grep -ohE '[0-9a-f]{32}$' <<<"${first}"$'\n'"${second}")"
if [[ "$(sort -u <<<"${ids}" | grep -c .)" != 4 ]]; then
  echo "FAIL: the SDK's event ids repeat: ${ids}"; exit 1
fi
if grep -q 'abababab' <<<"${ids}"; then
  echo "FAIL: the SDK's ids come from the user's RAND_bytes: ${ids}"; exit 1
fi
echo "ok: 4 distinct event ids, none from the user's RAND_bytes"
