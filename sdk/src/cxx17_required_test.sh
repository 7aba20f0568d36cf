#!/usr/bin/env bash
# Code that includes sentry/sentry.h as C++14 (Bazel 4's default standard is
# older still) stops with the SDK's own message, which names the .bazelrc
# line to add, before any other error; as C++17 the header gets past it.
set -euo pipefail
cxx="${CXX:-g++}"
command -v "${cxx}" >/dev/null || cxx=c++
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
echo '#include "sentry/sentry.h"' >"${tmp}/user.cc"
if "${cxx}" -std=c++14 -fsyntax-only -I sdk/include "${tmp}/user.cc" 2>"${tmp}/errors.txt"; then
  echo "FAIL: sentry/sentry.h compiled as C++14"
  exit 1
fi
first_error="$(grep -m1 'error' "${tmp}/errors.txt")"
if [[ "${first_error}" != *"sentry-cpp needs C++17 or later"*"build --cxxopt=-std=c++17"* ]]; then
  echo "FAIL: the first error is not the SDK's: ${first_error}"
  exit 1
fi
# As C++17 there is no such error (other errors, of headers not on this
# command's include path, do not matter here).
"${cxx}" -std=c++17 -fsyntax-only -I sdk/include "${tmp}/user.cc" 2>"${tmp}/errors17.txt" || true
if grep -q 'sentry-cpp needs C++17' "${tmp}/errors17.txt"; then
  echo "FAIL: the check fires under C++17"
  exit 1
fi
echo "ok: ${first_error}"
