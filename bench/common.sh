# Sourced by each bench/<name>/run.sh: the repository root, the build directory, the shared
# flags (--quick, --json) and a check that a benchmark binary was built.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TANDEM_BUILD_DIR:-$root/build}"
quick=0 json=0
for arg in "$@"; do
  case "$arg" in --quick) quick=1 ;; --json) json=1 ;; esac
done

# require_bin BENCH PATH TARGET: exits with a message when PATH was not built.
require_bin() {
  [[ -x "$2" ]] || { echo "$1: $2 not found; build first (target $3)" >&2; exit 1; }
}
