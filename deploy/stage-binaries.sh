#!/usr/bin/env bash
# Copies Tandem's three programs and its SentencePiece module from a build's bin/ folder into
# an install tree laid out as the image has it, without debug sections, and writes the Debian
# packages they need at run time (scripts/runtime-packages.sh) beside them:
#   OUT/bin/{tandem,tandem-coordinator,tandem-worker}
#   OUT/lib/tandem/libtandem_spm.so        (found by the programs through ../lib/tandem)
#   OUT/runtime-packages                   (what deploy/Dockerfile's runtime stage installs)
# Used by deploy/Dockerfile's "compiled" stage and by scripts/container-image.sh.
set -euo pipefail
(($# == 2)) || { echo "usage: $0 BUILD_BIN_DIR OUT_DIR" >&2; exit 2; }
bin=$1 out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
programs=(tandem tandem-coordinator tandem-worker)
install -d "$out/bin" "$out/lib/tandem"
for p in "${programs[@]}"; do
  install -m 0755 "$bin/$p" "$out/bin/$p"
  strip --strip-debug "$out/bin/$p"
done
install -m 0644 "$bin/libtandem_spm.so" "$out/lib/tandem/libtandem_spm.so"
strip --strip-debug "$out/lib/tandem/libtandem_spm.so"
bash "$here/scripts/runtime-packages.sh" "${programs[@]/#/$bin/}" "$bin/libtandem_spm.so" \
  >"$out/runtime-packages"
