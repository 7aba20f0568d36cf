# Sourced by the scripts that compare this checkout with a base commit
# (bench.sh and paced.sh through start_sink.sh, footprint.sh,
# instructions.sh), from the workspace root. Defines
#
#   build_base_binary COMMIT TARGET OUT
#
# which builds //examples/loadgen:TARGET (-c opt) with COMMIT's SDK and this
# checkout's load generator sources (examples/loadgen's .cc, .h and
# BUILD.bazel, copied over COMMIT's), copies the binary to OUT, and stops
# that build's Bazel server (its JVM's periodic threads would run beside
# the measurements). COMMIT is checked out in a git worktree kept under
# ${TMPDIR:-/tmp} (sentry-cpp-base-HASH), with its Bazel output, for the
# next run, which then builds only what changed; `git worktree remove
# --force DIR` removes one. Exits with a message when COMMIT does not build
# with this load generator.
build_base_binary() {
  local commit="$1" target="$2" out="$3" hash tree
  hash="$(git rev-parse --short=12 "${commit}^{commit}")" ||
    { echo "${commit} is not a commit" >&2; exit 1; }
  tree="${TMPDIR:-/tmp}/sentry-cpp-base-${hash}"
  if [[ ! -d "${tree}" ]]; then
    git worktree add --detach "${tree}" "${hash}" >/dev/null 2>&1 ||
      { echo "no worktree for ${commit} at ${tree}" >&2; exit 1; }
  fi
  cp examples/loadgen/*.cc examples/loadgen/*.h examples/loadgen/BUILD.bazel \
    "${tree}/examples/loadgen/"
  (cd "${tree}" && ./bazelw build -c opt "//examples/loadgen:${target}" >/dev/null 2>&1) ||
    { echo "${commit} does not build with this load generator" >&2; exit 1; }
  cp "$(cd "${tree}" && ./bazelw info -c opt bazel-bin 2>/dev/null)/examples/loadgen/${target}" \
    "${out}"
  (cd "${tree}" && ./bazelw shutdown >/dev/null 2>&1) || true
}
