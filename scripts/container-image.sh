#!/usr/bin/env bash
# Builds Tandem's image (deploy/Dockerfile) with podman and tags it localhost/tandem:dev
# (or $TANDEM_IMAGE). Sets podman up first when needed (scripts/containers-setup.sh).
#   scripts/container-image.sh                 # programs from this machine's build (build/);
#                                              # they are built first when missing
#   scripts/container-image.sh --from-source   # programs compiled inside the image build
# Prints the image's size at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${TANDEM_IMAGE:-localhost/tandem:dev}
BASE=${TANDEM_BASE_IMAGE:-localhost/debian:bookworm}
bash scripts/containers-setup.sh
start=$(date +%s)
if [[ ${1:-} == --from-source ]]; then
  podman build -f deploy/Dockerfile --build-arg BASE="$BASE" --build-arg BINARIES=compiled \
    -t "$IMAGE" .
else
  BUILD_DIR=${TANDEM_BUILD_DIR:-build}
  bash scripts/build.sh tandem tandem-coordinator tandem-worker tandem_spm >/dev/null
  context="$BUILD_DIR/image-context"
  rm -rf "$context"
  bash deploy/stage-binaries.sh "$BUILD_DIR/bin" "$context"
  podman build -f deploy/Dockerfile --build-arg BASE="$BASE" --build-arg BINARIES=prebuilt \
    -t "$IMAGE" "$context"
fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "container-image: $IMAGE built in $(($(date +%s) - start)) s," \
  "$((size / 1000000)) MB"
