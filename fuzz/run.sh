#!/usr/bin/env bash
# Fuzzes each target for SECONDS (default 30) with libFuzzer, starting from
# its seed corpus. A crash leaves its input in fuzz/crashes/<target>/ and
# fails the run: add it to fuzz/regressions/<target>/ once fixed.
#
#   fuzz/run.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
targets=(dsn rate_limits envelope propagation)
./bazelw build --config=fuzz \
  $(printf '//fuzz:%s_fuzzer ' "${targets[@]}") >/dev/null
bin="$(./bazelw info --config=fuzz bazel-bin 2>/dev/null)"
status=0
for target in "${targets[@]}"; do
  work="$(mktemp -d)"
  cp fuzz/corpus/"${target}"/* "${work}/"
  [[ "${target}" == envelope ]] && cp sdk/testdata/*.envelope "${work}/"
  mkdir -p "fuzz/crashes/${target}"
  echo "== fuzzing ${target} for ${seconds} s"
  if ! "${bin}/fuzz/${target}_fuzzer" "${work}" -max_total_time="${seconds}" \
      -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="fuzz/crashes/${target}/" 2>"${work}.log"; then
    tail -40 "${work}.log"
    echo "FAIL: ${target} crashed; input saved under fuzz/crashes/${target}/"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "${work}.log" || true
  fi
  rm -rf "${work}" "${work}.log"
done
exit "${status}"
