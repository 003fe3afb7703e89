#!/usr/bin/env bash
# Configures and builds Tandem into build/ (Ninja, RelWithDebInfo, -j2, ccache when present).
# Extra arguments go to ninja (target names). TANDEM_BUILD_DIR overrides the directory;
# TANDEM_CMAKE_ARGS adds configure options (e.g. -DTANDEM_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TANDEM_BUILD_DIR:-build}
if [[ ! -f $BUILD_DIR/build.ninja ]]; then
  # shellcheck disable=SC2086
  cmake -S . -B "$BUILD_DIR" -G Ninja ${TANDEM_CMAKE_ARGS:-} >/dev/null
fi
ninja -C "$BUILD_DIR" -j "${TANDEM_JOBS:-2}" "$@"
