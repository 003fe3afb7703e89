#!/usr/bin/env bash
# Fuzzes what Tandem reads from files and the network (fuzz/README.md) with libFuzzer and
# AddressSanitizer (Debian's clang), for a bounded time per target.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 30 s, every target
#
# Builds build-fuzz/ (clang, -DTANDEM_FUZZ=ON, only what the targets need), then runs each
# target on a working copy of its seeds (fuzz/corpus/<target>/) and past crashes
# (fuzz/regressions/<target>/). Inputs are bounded to 64 KiB and allocations to 512 MiB: an
# input that makes Tandem allocate more is a finding, like a crash. On a finding the input is
# copied into fuzz/regressions/<target>/ (commit it with the fix: the replay ctest then keeps
# it fixed in every build) and the script exits 1 after running the other targets.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(job_file_fuzz corpus_reader_fuzz collective_wire_fuzz checkpoint_fuzz)
fi
if ! command -v clang++ >/dev/null || [[ ! -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ]]; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi

BUILD=${TANDEM_FUZZ_BUILD_DIR:-build-fuzz}
if [[ ! -f $BUILD/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTANDEM_FUZZ=ON -DTANDEM_BUILD_TESTS=OFF \
    -DTANDEM_COMPONENTS="proto;common;data;model;collective;fuzz" >/dev/null
fi
ninja -C "$BUILD" -j "${TANDEM_JOBS:-2}" "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}
failed=()
for t in "${targets[@]}"; do
  work=$BUILD/fuzz-work/$t
  artifacts=$BUILD/fuzz-artifacts/$t
  mkdir -p "$work" "$artifacts"
  cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s"
  if ! "$BUILD/fuzz/$t" -max_total_time="$seconds" -max_len=65536 -timeout=20 \
      -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$work" "fuzz/regressions/$t" \
      >"$artifacts/log.txt" 2>&1; then
    tail -n 40 "$artifacts/log.txt"
    for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/oom-* "$artifacts"/timeout-* \
             "$artifacts"/slow-unit-*; do
      [[ -f $f ]] || continue
      cp "$f" "fuzz/regressions/$t/"
      echo "fuzz: $t: kept $(basename "$f") in fuzz/regressions/$t/"
    done
    failed+=("$t")
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$artifacts/log.txt" |
      sed "s/^/fuzz: $t: /"
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]} (logs under $BUILD/fuzz-artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no findings"
