#!/usr/bin/env bash
# The marker exists only in the user's Abseil (see WORKSPACE): had the SDK's
# macro replaced it, this test would not even build.
set -euo pipefail
find -L . -name USER_ABSEIL | grep -q .
