#!/usr/bin/env bash
# Checks the README's "Use it in your project" snippets against this
# workspace, which CI builds and tests: the README's WORKSPACE lines from the
# load() of the dependencies macro on are in our WORKSPACE; its .bazelrc
# lines are exactly ours; every SDK label of its BUILD lines is used in our
# BUILD.bazel; its install command runs a target that exists (this test's
# data) with groups the script knows.
set -euo pipefail
readme="$(find -L . -path '*sentry/README.md' | head -1)"
script="$(find -L . -path '*sentry/third_party/install_system_deps.sh' | head -1)"
section="$(awk '/^## Use it in your project/{on=1; next} /^## /{on=0} on' "${readme}")"
[[ -n "${section}" ]] || { echo "FAIL: no 'Use it in your project' section"; exit 1; }

# The first fenced block after the line that matches $1.
block_after() {
  awk -v anchor="$1" 'index($0, anchor){armed=1; next}
    armed && /^```/{ if (on) exit; on=1; next }
    on' <<<"${section}"
}
fail() { echo "FAIL: $*"; exit 1; }

workspace_snippet="$(block_after 'In your `WORKSPACE`:')"
tail_lines="$(awk '/^load\("@sentry\/\/bazel:dependencies.bzl"/{on=1} on' <<<"${workspace_snippet}")"
[[ -n "${tail_lines}" ]] || fail "the WORKSPACE snippet loads no dependencies.bzl"
while IFS= read -r line; do
  [[ -z "${line}" ]] && continue
  grep -qxF "${line}" WORKSPACE || fail "README line not in tests/consumer/WORKSPACE: ${line}"
done <<<"${tail_lines}"

# Settings, not comments or blank lines: the same, in the same order.
settings() { grep -v -e '^#' -e '^$' || true; }
bazelrc_snippet="$(block_after 'In your `.bazelrc`:' | settings)"
grep -qxF 'build --cxxopt=-std=c++17' <<<"${bazelrc_snippet}" ||
  fail "the .bazelrc snippet sets no C++17"
[[ "${bazelrc_snippet}" == "$(settings <.bazelrc)" ]] ||
  fail "tests/consumer/.bazelrc is not the README's: $(diff <(echo "${bazelrc_snippet}") <(settings <.bazelrc))"

build_snippet="$(block_after 'In your `BUILD` files:')"
labels="$(grep -o '"@sentry//[^"]*"' <<<"${build_snippet}" || true)"
[[ -n "${labels}" ]] || fail "the BUILD snippet names no SDK target"
while IFS= read -r label; do
  grep -qF "${label}" BUILD.bazel || fail "README's ${label} is not used in tests/consumer/BUILD.bazel"
done <<<"${labels}"

install_line="$(block_after 'from your workspace:' | grep -m1 'bazel run')"
[[ "${install_line}" == "bazel run @sentry//third_party:install_system_deps -- "* ]] ||
  fail "unexpected install command: ${install_line}"
read -r -a words <<<"${install_line#*-- }"
for group in "${words[@]}"; do
  grep -qE "^  \[${group}\]=" "${script}" || fail "install_system_deps.sh has no group '${group}'"
done
echo "ok: README's WORKSPACE, .bazelrc, BUILD and install lines match this workspace"
