#!/usr/bin/env bash
# //sdk:core knows nothing of HTTP: a program linked against it alone has no
# libcurl (no dynamic dependency, no curl symbol), and Init says clearly that
# a DSN then needs a transport.
set -euo pipefail
program=sdk/core_only
if readelf -d "${program}" | grep -i 'NEEDED.*curl'; then
  echo "FAIL: the core needs libcurl"
  exit 1
fi
if nm "${program}" | grep -E ' [TUu] curl_'; then
  echo "FAIL: the core references curl"
  exit 1
fi
out="$("${program}")"
grep -q "no transport: link //sdk:sentry" <<<"${out}" || {
  echo "FAIL: unexpected status: ${out}"
  exit 1
}
echo "the core links no libcurl; Init: ${out}"
