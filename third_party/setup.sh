#!/usr/bin/env bash
# Installs what the build needs on Debian 12, idempotently:
#   1. Debian packages (Bazel 4 and its rule sets, Protobuf, GoogleTest, ...);
#   2. the pinned Debian source packages of Abseil and BoringSSL, checked
#      against their checksums and unpacked into .deps/ (a Bazel repository
#      each; see WORKSPACE).
# Once everything is present it only checks and returns (well under a second).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="${root}/.deps"

packages=(
  g++ dpkg-dev
  bazel-bootstrap bazel-platforms bazel-skylib bazel-rules-java bazel-rules-proto
  libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-gnutls-dev zlib1g-dev
  python3 python3-jsonschema libssl-dev binutils
)

# name  version  .dsc sha256  orig tarball sha256
sources=(
  "abseil 20220623.1-1+deb12u2 ba731eaced569332fa4ce802a7ff2615ae57ac25beaf2d02f634ef908f2e62c2 abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe"
  "android-platform-external-boringssl 13.0.0+r24-2 7da1c07f669b05f417cbf3e0a784a1a9d844ce138616e02b3a228fc20645ef37 583b7aeee1fca68b8244d086cea6fca23bd19d517bd63f0b9de714e048f92a7d"
)
# Repository name in WORKSPACE for each source package.
declare -A repo_of=(
  [abseil]=abseil
  [android-platform-external-boringssl]=boringssl
)

log() { echo "setup: $*" >&2; }

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_update() {
  if [[ "${apt_updated}" == 0 ]]; then
    log "apt-get update"
    as_root apt-get update -q >/dev/null
    apt_updated=1
  fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("${p}")
  fi
done
if (( ${#missing[@]} )); then
  apt_update
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# A deb-src entry mirroring the machine's own Debian archive entries.
ensure_deb_src() {
  local list=/etc/apt/sources.list.d/sentry-cpp-deb-src
  if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return
  fi
  log "adding a deb-src entry derived from the Debian archive entries"
  local tmp
  tmp="$(mktemp)"
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "${f}" ]] || continue
    grep -qi 'debian' "${f}" || continue
    sed -e 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "${f}" >>"${tmp}"
    echo >>"${tmp}"
  done
  if [[ -s "${tmp}" ]]; then
    as_root install -m 0644 "${tmp}" "${list}.sources"
  else
    grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
      sed -e 's/^deb\([[:space:]]\)/deb-src\1/' >"${tmp}"
    as_root install -m 0644 "${tmp}" "${list}.list"
  fi
  rm -f "${tmp}"
  apt_updated=0
}

# Sentry's own CLI, from npm, to check that Sentry accepts what the SDK writes.
sentry_cli_version=3.8.0
sentry_cli="${deps}/npm/node_modules/@sentry/cli-linux-x64/bin/sentry-cli"
if [[ ! -x "${sentry_cli}" ]] ||
   ! grep -qs "\"version\": \"${sentry_cli_version}\"" \
     "${deps}/npm/node_modules/@sentry/cli/package.json"; then
  if ! command -v npm >/dev/null; then
    apt_update
    log "installing nodejs npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
  fi
  log "installing @sentry/cli@${sentry_cli_version}"
  mkdir -p "${deps}/npm"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "${deps}/npm" \
    "@sentry/cli@${sentry_cli_version}" >/dev/null
fi

mkdir -p "${deps}/download"
for entry in "${sources[@]}"; do
  read -r name version dsc_sha orig_sha <<<"${entry}"
  repo="${repo_of[${name}]}"
  dir="${deps}/${repo}-${version}"
  if [[ ! -f "${dir}/.sentry-cpp-ok" ]]; then
    upstream="${version%-*}"
    upstream="${upstream#*:}"
    dsc="${deps}/download/${name}_${version}.dsc"
    if [[ ! -f "${dsc}" ]]; then
      ensure_deb_src
      apt_update
      log "downloading source package ${name}=${version}"
      (cd "${deps}/download" && apt-get source -q --download-only "${name}=${version}" >/dev/null 2>&1)
    fi
    echo "${dsc_sha}  ${dsc}" | sha256sum -c --quiet -
    orig="$(ls "${deps}/download/${name}_${upstream}.orig.tar."*)"
    echo "${orig_sha}  ${orig}" | sha256sum -c --quiet -
    rm -rf "${dir}"
    log "unpacking ${name}=${version}"
    dpkg-source --no-check -x "${dsc}" "${dir}" >/dev/null
    # Bazel's local_repository needs a WORKSPACE file at the top.
    [[ -f "${dir}/WORKSPACE" || -f "${dir}/WORKSPACE.bazel" ]] ||
      echo "workspace(name = \"${repo}\")" >"${dir}/WORKSPACE"
    rm -f "${deps}"/*.orig.tar.* "${deps}"/*.debian.tar.*
    touch "${dir}/.sentry-cpp-ok"
  fi
  ln -sfn "${repo}-${version}" "${deps}/${repo}"
done
