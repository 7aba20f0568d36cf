#!/usr/bin/env bash
# Installs the Debian 12 packages sentry-cpp's targets need: the one step of
# using the SDK that needs root. Everything else (Abseil, Protobuf and
# BoringSSL from Debian's source packages) is fetched by Bazel itself through
# sentry_cpp_dependencies() (bazel/dependencies.bzl).
#
# Usage: third_party/install_system_deps.sh [GROUP...]   (default: core)
#   core         the SDK with its HTTP transport, file and stdout transports,
#                thread-pool, crash and curl integrations: compiler, Bazel 4
#                and its rule sets, protoc, libcurl, zlib, libunwind (the
#                crash handler's remote unwinder)
#   testing      //sdk/testing (the test transport): GoogleTest and GoogleMock
#   http_server  //integrations/http_server adapters: Boost.Beast,
#                cpp-httplib, libmicrohttpd
#   spdlog       //integrations/spdlog
#   benchmark    the Google Benchmark binaries
#   fuzz         fuzz/ (clang with libFuzzer)
#   develop      everything this repository's own tests use (all of the above,
#                plus the tools the shell tests run)
# Idempotent: installed packages are skipped, apt runs only when needed.
set -euo pipefail

declare -A group=(
  [core]="g++ bazel-bootstrap bazel-platforms bazel-skylib bazel-rules-java bazel-rules-proto protobuf-compiler libcurl4-gnutls-dev zlib1g-dev libunwind-dev patch xz-utils binutils"
  [testing]="libgtest-dev libgmock-dev"
  [http_server]="libboost-dev libcpp-httplib-dev libmicrohttpd-dev"
  [spdlog]="libspdlog-dev"
  [benchmark]="libbenchmark-dev"
  [fuzz]="clang-14 libclang-rt-14-dev"
  [develop_tools]="python3 python3-jsonschema libssl-dev openssl nghttp2-server lldb"
)

selected=("$@")
(( ${#selected[@]} )) || selected=(core)
wanted=()
for g in "${selected[@]}"; do
  if [[ "${g}" == develop ]]; then
    for h in core testing http_server spdlog benchmark fuzz develop_tools; do
      read -r -a p <<<"${group[${h}]}"
      wanted+=("${p[@]}")
    done
  elif [[ -n "${group[${g}]+x}" && "${g}" != develop_tools ]]; then
    read -r -a p <<<"${group[${g}]}"
    wanted+=("${p[@]}")
  else
    echo "install_system_deps: unknown group '${g}' (see the usage at the top of $0)" >&2
    exit 2
  fi
done

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("${p}")
  fi
done
(( ${#missing[@]} )) || exit 0

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}
echo "install_system_deps: installing ${missing[*]}" >&2
as_root apt-get update -q >/dev/null
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
