#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the small and medium tests.
#   scripts/test.sh            # small (unit) + medium (real servers and processes on 127.0.0.1)
#   scripts/test.sh -L small   # any ctest arguments replace the default label filter
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
BUILD_DIR=${TANDEM_BUILD_DIR:-build}
args=("$@")
if ((${#args[@]} == 0)); then args=(-L 'small|medium'); fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 600 "${args[@]}"
