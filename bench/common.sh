# Sourced by each bench/<name>/run.sh: the repository root, the build directory, the shared
# flags (--quick, --json) and a check that a benchmark binary was built.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TANDEM_BUILD_DIR:-$root/build}"
quick=0 json=0
for arg in "$@"; do
  case "$arg" in --quick) quick=1 ;; --json) json=1 ;; esac
done

# OpenBLAS: a machine may pin an old kernel (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE); a peer
# slowed that way is no comparison, so both sides run without them, and the kernel OpenBLAS
# then picks is logged. Debian's OpenBLAS 0.3.21 does not know CPUs newer than it (Sapphire
# and Emerald Rapids) and falls back to Prescott, its generic SSE3 kernel, a quarter of the
# AVX-512 kernel's speed there: then both sides get the newest kernel the CPU's flags allow.
# BENCH_OPENBLAS_CORETYPE names one instead (for both sides alike).
if [[ -n ${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-} ]]; then
  echo "# unset for both sides: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-}" >&2
fi
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
openblas_core() {
  /usr/bin/python3 -c 'import ctypes
l = ctypes.CDLL("libopenblas.so.0"); l.openblas_get_corename.restype = ctypes.c_char_p
print(l.openblas_get_corename().decode())' 2>/dev/null || echo unknown
}
blas_kernel=$(openblas_core)
if [[ -n ${BENCH_OPENBLAS_CORETYPE:-} ]]; then
  export OPENBLAS_CORETYPE=$BENCH_OPENBLAS_CORETYPE
elif [[ ${blas_kernel,,} == prescott ]]; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  if [[ $flags == *" avx512_bf16"* ]]; then export OPENBLAS_CORETYPE=Cooperlake
  elif [[ $flags == *" avx512f"* ]]; then export OPENBLAS_CORETYPE=SkylakeX
  elif [[ $flags == *" avx2"* ]]; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
if [[ -n ${OPENBLAS_CORETYPE:-} ]]; then
  echo "# OpenBLAS chose $blas_kernel; both sides run with OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE" >&2
  blas_kernel=$(openblas_core)
fi
echo "# BLAS kernel (OpenBLAS core, both sides): $blas_kernel" >&2

# require_bin BENCH PATH TARGET: exits with a message when PATH was not built.
require_bin() {
  [[ -x "$2" ]] || { echo "$1: $2 not found; build first (target $3)" >&2; exit 1; }
}

# require_anchor BENCH FILE: sets $anchors (../shared/anchors) and $PY (Debian's python3 with
# its python3-torch, not the python3 first on PATH); exits unless both and FILE are there.
require_anchor() {
  anchors="$root/../shared/anchors"
  PY=/usr/bin/python3
  [[ -f "$anchors/$2" ]] || { echo "$1: $anchors/$2 not found" >&2; exit 1; }
  [[ -x "$PY" ]] || { echo "$1: $PY not found" >&2; exit 1; }
}

# with_scratch NAME: sets $tmp to a fresh scratch folder and $pids to an empty list of the
# PIDs the script starts; on exit it stops those (only those), runs the function
# scratch_cleanup if the script defines one (e.g. to remove network namespaces it made), and
# removes the folder.
with_scratch() {
  pids=()
  tmp="$(mktemp -d "/tmp/tandem_$1.XXXXXX")"
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        if declare -F scratch_cleanup >/dev/null; then scratch_cleanup; fi
        rm -rf "$tmp"' EXIT
  trap 'exit 130' INT TERM
}

# r1_setup BENCH ANCHOR: the preamble of the R1 benchmarks: $bin (tandem_r1_bench, built),
# $anchors/$PY with ANCHOR present, $warmup/$steps (R1.md: 3 + 20; --quick: 1 + 5), $repeat.
r1_setup() {
  bin="$build/bench/model/tandem_r1_bench"
  require_bin "$1" "$bin" tandem_r1_bench
  require_anchor "$1" "$2"
  if ((quick)); then warmup=1 steps=5; else warmup=3 steps=20; fi
  repeat="${REPEAT:-1}"
}
