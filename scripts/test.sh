#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the small and medium tests.
#   scripts/test.sh            # small (unit) + medium (real servers and processes on 127.0.0.1)
#   scripts/test.sh -L small   # any ctest arguments replace the default label filter
#   TANDEM_SANITIZE=1 scripts/test.sh   # the same under AddressSanitizer + UBSan (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
if [[ ${TANDEM_SANITIZE:-0} == 1 ]]; then
  export TANDEM_BUILD_DIR=${TANDEM_BUILD_DIR:-build-asan}
  export TANDEM_CMAKE_ARGS="${TANDEM_CMAKE_ARGS:-} -DTANDEM_SANITIZE=ON"
fi
bash scripts/build.sh
BUILD_DIR=${TANDEM_BUILD_DIR:-build}
args=("$@")
if ((${#args[@]} == 0)); then args=(-L 'small|medium'); fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 600 "${args[@]}"
