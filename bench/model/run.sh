#!/usr/bin/env bash
# bench/run model [--quick] [--json]: R1 (../shared/anchors/R1.md) trained with Tandem's model
# code (tandem_r1_bench) against the PyTorch reference (../shared/anchors/r1_torch.py, run
# from its own folder with /usr/bin/python3), at 1 and 2 intra-op threads, same batches, same
# steps, same BLAS, one invocation. For each thread count the two sides run back to back
# (Tandem first), with OMP/OPENBLAS/MKL_NUM_THREADS = N exported before each process starts.
#
# Ratios, oriented so that above 1 means Tandem is better (DESIGN.md section 10):
#   tokens/s  Tandem / PyTorch;   ms/step  PyTorch / Tandem;   peak RSS  PyTorch / Tandem.
#
# Environment: REPEAT (default 1; with more, each side keeps its best run by tokens/s, as
# R1.md section 3 asks on a shared machine), THREADS (default "1 2"), BLAS_DIR (a folder with a
# libblas.so.3 to load on both sides instead of the system alternative).
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
r1_setup model r1_torch.py
threads_list="${THREADS:-1 2}"
if [[ -n ${BLAS_DIR:-} ]]; then
  export LD_LIBRARY_PATH="$BLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

with_scratch model_bench

load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }

alt="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?')"
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
log "libblas.so.3 alternative: $alt${BLAS_DIR:+ (overridden: BLAS_DIR=$BLAS_DIR)}"
log "load at start: $(load); warm-up $warmup, timed steps $steps, repeat $repeat"

OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "$bin" --selftest >&2
if ((!quick)); then
  (cd "$anchors" && "$PY" r1_torch.py --selftest >&2)
fi

for ((i = 1; i <= repeat; i++)); do
  for n in $threads_list; do
    export OMP_NUM_THREADS=$n OPENBLAS_NUM_THREADS=$n MKL_NUM_THREADS=$n
    log "tandem threads=$n run $i: load $(load)"
    "$bin" --threads "$n" --warmup "$warmup" --steps "$steps" >>"$tmp/tandem_$n.jsonl"
    tail -n1 "$tmp/tandem_$n.jsonl" >&2
    log "pytorch threads=$n run $i: load $(load)"
    (cd "$anchors" && "$PY" r1_torch.py --threads "$n" --warmup "$warmup" --steps "$steps" --json) \
      >>"$tmp/torch_$n.jsonl"
    tail -n1 "$tmp/torch_$n.jsonl" >&2
  done
done
log "load at end: $(load)"

"$PY" - "$tmp" "$json" "$threads_list" "$alt" <<'PY'
import json, sys
tmp, as_json, threads, alt = sys.argv[1], sys.argv[2] == "1", sys.argv[3].split(), sys.argv[4]

def best(path):
    runs = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    return max(runs, key=lambda d: d["tokens_per_s"]), len(runs)

METRICS = [  # name, unit, ratio orientation (True: tandem / peer, False: peer / tandem)
    ("tokens_per_s", "target tokens/s", True),
    ("ms_per_step_median", "ms/step (median)", False),
    ("peak_rss_mb", "MiB peak RSS", False),
]
rows = []
for n in threads:
    t, runs = best(f"{tmp}/tandem_{n}.jsonl")
    p, _ = best(f"{tmp}/torch_{n}.jsonl")
    if sorted(t["blas"]) != sorted(p["blas"]):
        print(f"# WARNING threads={n}: the two sides loaded different BLAS: "
              f"tandem {t['blas']} vs pytorch {p['blas']}", file=sys.stderr)
    rows.append((int(n), t, p, runs))

def ratio(t, p, up):
    return round((t / p) if up else (p / t), 3)

if as_json:
    for n, t, p, runs in rows:
        metrics = {name: {"tandem": t[name], "peer": p[name], "ratio": ratio(t[name], p[name], up),
                          "unit": unit} for name, unit, up in METRICS}
        print(json.dumps({
            "bench": "model", "point": {"threads": n},
            "tandem": t["tokens_per_s"], "peer": p["tokens_per_s"],
            "peer_name": f"pytorch {p['torch']} (r1_torch.py)",
            "ratio": metrics["tokens_per_s"]["ratio"], "unit": "target tokens/s",
            "metrics": metrics,
            "ratio_orientation": "tokens/s tandem/peer; ms/step and peak RSS peer/tandem (>1: Tandem better)",
            "steps": t["steps"], "warmup": t["warmup"], "runs_per_side": runs,
            "cpu_util": {"tandem": t["cpu_util"], "peer": p["cpu_util"]},
            "distorted": {"tandem": t["cpu_util"] < 0.8 * n, "peer": p["cpu_util"] < 0.8 * n},
            "loadavg_before": {"tandem": t["loadavg"], "peer": p["loadavg"]},
            "loss_first": {"tandem": t["loss_first"], "peer": p["loss_first"]},
            "loss_last": {"tandem": t["loss_last"], "peer": p["loss_last"]},
            "blas": {"tandem": t["blas"], "peer": p["blas"], "alternative": alt},
        }))
else:
    print(f"{'thr':>3} {'side':<8} {'tokens/s':>9} {'ms/step':>8} {'RSS MiB':>8} {'cpu_util':>8} "
          f"{'load1':>5} {'loss first/last':>16}")
    for n, t, p, runs in rows:
        for side, d in (("tandem", t), ("pytorch", p)):
            flag = "  (distorted: cpu_util < 0.8 N)" if d["cpu_util"] < 0.8 * n else ""
            print(f"{n:>3} {side:<8} {d['tokens_per_s']:9.1f} {d['ms_per_step_median']:8.1f} "
                  f"{d['peak_rss_mb']:8.1f} {d['cpu_util']:8.2f} {d['loadavg'][0]:5.2f} "
                  f"{d['loss_first']:7.4f}/{d['loss_last']:7.4f}{flag}")
        r = [ratio(t[name], p[name], up) for name, _, up in METRICS]
        print(f"{n:>3} {'ratio':<8} {r[0]:8.3f}x {r[1]:7.3f}x {r[2]:7.3f}x")
    print("# ratio: tokens/s Tandem/PyTorch; ms/step and RSS PyTorch/Tandem (above 1: Tandem better)")
    print(f"# BLAS (both sides): {', '.join(rows[0][1]['blas'])}; peer: pytorch {rows[0][2]['torch']}; "
          f"warm-up {rows[0][1]['warmup']}, timed {rows[0][1]['steps']}, best of {rows[0][3]}")
PY
