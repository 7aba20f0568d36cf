#!/usr/bin/env bash
# What a target that links a Debian library of @sentry_cpp_system builds
# first: writes OUT (an empty header) when HEADER is installed (under
# /usr/include, multiarch folders included); otherwise says which Debian
# package is missing and the command that installs it, and fails, so that
# the build stops there instead of at a compiler error about the header.
#
#   check_installed.sh OUT HEADER PACKAGE COMMAND
#   check_installed.sh out.h curl/curl.h libcurl4-gnutls-dev \
#     'bazel run @sentry//third_party:install_system_deps -- core'
set -euo pipefail
out="$1" header="$2" package="$3" command="$4"
for candidate in /usr/include/"${header}" /usr/include/*/"${header}"; do
  if [[ -e "${candidate}" ]]; then
    : >"${out}"
    exit 0
  fi
done
echo "sentry-cpp: the Debian package ${package} is not installed (no ${header})." >&2
echo "Install it, once per machine, as root: ${command}" >&2
exit 1
