#!/usr/bin/env bash
# Checks the README's "Use it in your project" snippets against this
# workspace, which CI builds: every line of the README's WORKSPACE snippet
# from the load() of the dependencies macro on is in our WORKSPACE, and every
# group the README's install command names is one the script knows.
set -euo pipefail
readme="$(find -L . -path '*sentry/README.md' | head -1)"
script="$(find -L . -path '*sentry/third_party/install_system_deps.sh' | head -1)"
section="$(awk '/^## Use it in your project/{on=1; next} /^## /{on=0} on' "${readme}")"
[[ -n "${section}" ]] || { echo "FAIL: no 'Use it in your project' section"; exit 1; }

workspace_snippet="$(awk '/^```python/{on=1; next} /^```/{on=0} on' <<<"${section}")"
tail_lines="$(awk '/^load\("@sentry\/\/bazel:dependencies.bzl"/{on=1} on' <<<"${workspace_snippet}")"
[[ -n "${tail_lines}" ]] || { echo "FAIL: the snippet loads no dependencies.bzl"; exit 1; }
while IFS= read -r line; do
  [[ -z "${line}" ]] && continue
  if ! grep -qxF "${line}" WORKSPACE; then
    echo "FAIL: README line not in tests/consumer/WORKSPACE: ${line}"
    exit 1
  fi
done <<<"${tail_lines}"

install_line="$(grep -m1 'install_system_deps.sh ' <<<"${section}")"
read -r -a words <<<"${install_line%%#*}"
for group in "${words[@]:1}"; do
  if ! grep -qE "^  \[${group}\]=" "${script}"; then
    echo "FAIL: install_system_deps.sh has no group '${group}'"
    exit 1
  fi
done
echo "ok: README's WORKSPACE lines and install groups match"
