#!/usr/bin/env bash
# The crash program's handler process (found in the runfiles) writes the
# crash, with every thread, into the spool before the program dies.
set -euo pipefail
cache="${TEST_TMPDIR}/cache"
set +e
./crash "${cache}"
status=$?
set -e
# Killed by the signal, or, under a sanitizer, its exit code (not the
# program's own failures: 1 to 3).
(( status > 3 )) || { echo "FAIL: exit ${status}"; exit 1; }
files=("${cache}"/*.envelope)
[[ -f "${files[0]}" ]] || { echo "FAIL: no crash in the spool"; exit 1; }
grep -q '"type":"SIGSEGV"' "${files[0]}" || { echo "FAIL: not the segfault"; exit 1; }
grep -q '"backend":"out_of_process"' "${files[0]}" || { echo "FAIL: written in-process"; exit 1; }
grep -q '"crashed":true' "${files[0]}" || { echo "FAIL: no crashed thread"; exit 1; }
grep -q '"service":"consumer"' "${files[0]}" || { echo "FAIL: no scope"; exit 1; }
echo "crash captured by the handler process"
