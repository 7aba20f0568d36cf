#!/usr/bin/env bash
# The public headers (sdk/include/sentry) expose only the public API: they
# include one another, the generated protocol messages, Abseil and Protobuf,
# never a private header of the SDK (sdk/src/..., sentry/internal/...).
set -euo pipefail
status=0
headers=(sdk/include/sentry/*.h)
(( ${#headers[@]} > 5 )) || { echo "FAIL: headers not found"; exit 1; }
for header in "${headers[@]}"; do
  while IFS= read -r included; do
    case "${included}" in
      absl/* | google/protobuf/* | sentry/protocol/*.pb.h) ;;
      sentry/internal/*)
        echo "FAIL: ${header} includes the private ${included}"
        status=1 ;;
      sentry/*)
        [[ -f "sdk/include/${included}" ]] || {
          echo "FAIL: ${header} includes ${included}, not a public header"
          status=1
        } ;;
      *)
        echo "FAIL: ${header} includes the private ${included}"
        status=1 ;;
    esac
  done < <(sed -n 's/^#include "\(.*\)"$/\1/p' "${header}")
done
if [[ -d sdk/include/sentry/internal ]]; then
  echo "FAIL: sdk/include/sentry/internal exists"
  status=1
fi
(( status == 0 )) && echo "${#headers[@]} public headers include only public headers"
exit "${status}"
