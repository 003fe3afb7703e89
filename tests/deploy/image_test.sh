#!/usr/bin/env bash
# Large test (and the fixture of the other container tests): sets podman up when needed
# (scripts/containers-setup.sh) and builds Tandem's image from this build's programs
# (scripts/container-image.sh) as localhost/tandem:test; then checks that each program
# starts in it and that no library is missing.
#   tests/deploy/image_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=$1 BUILD=$2
IMAGE=${TANDEM_TEST_IMAGE:-localhost/tandem:test}
TANDEM_BUILD_DIR=$BUILD TANDEM_IMAGE=$IMAGE bash "$SRC/scripts/container-image.sh" |
  grep -v '^\(STEP\|-->\|\[\|Copying\|Writing\|Storing\|COMMIT\|Getting\|Successfully\)' || true
podman image exists "$IMAGE" || { echo "FAIL: no image $IMAGE" >&2; exit 1; }
missing=$(podman run --rm "$IMAGE" sh -c 'ldd /opt/tandem/bin/* /opt/tandem/lib/tandem/* | grep "not found"' || true)
[[ -z $missing ]] || { echo "FAIL: libraries missing in the image: $missing" >&2; exit 1; }
for p in tandem-coordinator tandem-worker; do
  podman run --rm "$IMAGE" "$p" --version | grep -q "^$p " ||
    { echo "FAIL: $p --version does not run in the image" >&2; exit 1; }
done
echo "PASS: $IMAGE, $(($(podman image inspect --format '{{.Size}}' "$IMAGE") / 1000000)) MB"
