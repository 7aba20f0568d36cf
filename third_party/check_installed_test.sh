#!/usr/bin/env bash
# check_installed.sh, as @sentry_cpp_system's targets run it: a missing
# package stops the build with a message that names the package and the
# command; an installed one lets it through.
set -euo pipefail
check="$(find -L . -name check_installed.sh -path '*third_party*' | head -1)"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
command='bazel run @sentry//third_party:install_system_deps -- testing'

if "${check}" "${tmp}/missing.h" no/such/header.h libno-such-dev "${command}" 2>"${tmp}/err"; then
  echo "FAIL: a missing header passed"
  exit 1
fi
[[ ! -e "${tmp}/missing.h" ]] || { echo "FAIL: wrote its output anyway"; exit 1; }
grep -q 'package libno-such-dev is not installed (no no/such/header.h)' "${tmp}/err" ||
  { echo "FAIL: the package is not named:"; cat "${tmp}/err"; exit 1; }
grep -qF "as root: ${command}" "${tmp}/err" ||
  { echo "FAIL: the command is not named:"; cat "${tmp}/err"; exit 1; }

# A header every C toolchain has, and one in a multiarch folder.
"${check}" "${tmp}/stdio.h" stdio.h libc6-dev "${command}"
[[ -e "${tmp}/stdio.h" ]] || { echo "FAIL: no output for an installed header"; exit 1; }
"${check}" "${tmp}/types.h" sys/types.h libc6-dev "${command}"
echo "ok"
