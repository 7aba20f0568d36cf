#!/usr/bin/env bash
# The debug and code ids the SDK reports for each loaded module (the
# program itself and its shared libraries) equal what Sentry's CLI reads
# from the files: what Sentry will match uploaded debug files against.
set -euo pipefail
checked=0
while read -r file debug_id code_id; do
  [[ "${code_id}" == "-" || ! -f "${file}" ]] && continue
  report="$(RUST_BACKTRACE=0 external/sentry_cli/bin/sentry-cli debug-files check "${file}")"
  cli_debug="$(sed -n 's/.*Debug ID: *\([0-9a-f-]*\).*/\1/p' <<<"${report}" | head -1)"
  cli_code="$(sed -n 's/.*Code ID: *\([0-9a-f]*\).*/\1/p' <<<"${report}" | head -1)"
  if [[ "${cli_debug}" != "${debug_id}" || "${cli_code}" != "${code_id}" ]]; then
    echo "FAIL: ${file}: SDK ${debug_id} ${code_id}, sentry-cli ${cli_debug} ${cli_code}"
    exit 1
  fi
  checked=$((checked + 1))
done < <(sdk/print_modules)
[[ "${checked}" -ge 3 ]] || { echo "FAIL: only ${checked} modules checked"; exit 1; }
echo "debug ids of ${checked} modules match sentry-cli"
