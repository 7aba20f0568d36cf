#!/usr/bin/env bash
# The ThreadSanitizer report the SDK suppresses, reproduced without the SDK:
# two threads that take turns with absl::Mutex::Await. Under --config=tsan,
# without suppressions, TSan reports races in Abseil's Waiter::Post/Wait
# (and nowhere else); with the suppressions of tools/tsan.supp (the same as
# sdk/src/tsan_suppressions.cc) it reports nothing. In other builds there is
# nothing to reproduce: the program must still take every turn.
set -euo pipefail
program=tools/tsan_repro/absl_waiter_race
out="${TEST_TMPDIR}/out.txt"
err="${TEST_TMPDIR}/err.txt"
TSAN_OPTIONS="exitcode=0" "${program}" >"${out}" 2>"${err}"
grep -qx "turns 2000 2000" "${out}"
if ! grep -qx "built with ThreadSanitizer" "${out}"; then
  echo "not a ThreadSanitizer build: the program took every turn"
  exit 0
fi
# The race needs the two threads to meet in the mutex's slow path: most
# runs show it; up to 20 are tried.
reports=0
for run in $(seq 20); do
  (( run == 1 )) || TSAN_OPTIONS="exitcode=0" "${program}" >"${out}" 2>"${err}"
  reports="$(grep -c "WARNING: ThreadSanitizer" "${err}" || true)"
  (( reports == 0 )) || break
done
if (( reports == 0 )); then
  echo "FAIL: no report in 20 runs without suppressions (Abseil fixed it? then"
  echo "drop the suppressions)"
  exit 1
fi
# Every report is Abseil's Waiter, not the program's code.
racy="$(grep -A3 "WARNING: ThreadSanitizer: data race" "${err}" |
  grep -E '^    #0|^    #1' | grep -vcE 'Waiter::(Post|Wait)|__tsan|atomic' || true)"
grep -qE 'synchronization_internal::Waiter::(Post|Wait)' "${err}"
if (( racy != 0 )); then
  echo "FAIL: a report outside Abseil's Waiter:"; cat "${err}"; exit 1
fi
TSAN_OPTIONS="exitcode=66 suppressions=$(pwd)/tools/tsan.supp" "${program}" \
  >"${out}" 2>"${err}" || { echo "FAIL: reported with the suppressions:";
  cat "${err}"; exit 1; }
echo "ok: ${reports} report(s) in Abseil's Waiter without suppressions (run ${run}), none with"
