#!/usr/bin/env bash
# bench/run model [--quick] [--json]: R1 (../shared/anchors/R1.md) trained with Tandem's model
# code (tandem_r1_bench) against the PyTorch reference (../shared/anchors/r1_torch.py, run
# from its own folder with /usr/bin/python3), and T1 (R1's data and update with a pre-norm
# Transformer; BENCHMARKS.md "Model: T1") with Tandem's Transformer (tandem_r1_bench
# --workload T1) against torch.nn.Transformer (t1_torch.py beside this script, same Python), at
# 1 and 2 intra-op threads, same batches, same steps, same BLAS, one invocation. For each
# workload and thread count the two sides run back to back (Tandem first in odd repeats,
# PyTorch first in even ones), with OMP/OPENBLAS/MKL_NUM_THREADS = N exported before each
# process starts; each process is fresh, so peak RSS is per side.
#
# Ratios, oriented so that above 1 means Tandem is better (DESIGN.md section 10):
#   tokens/s  Tandem / PyTorch;   ms/step  PyTorch / Tandem;   peak RSS  PyTorch / Tandem.
#
# Environment: REPEAT (default 1; with more, each side keeps its best run by tokens/s, as
# R1.md section 3 asks on a shared machine, and the table adds the ratio of the medians),
# THREADS (default "1 2"), MODEL_WORKLOADS (default "R1 T1"), BLAS_DIR (a folder with a
# libblas.so.3 to load on both sides instead of the system alternative).
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
r1_setup model r1_torch.py
threads_list="${THREADS:-1 2}"
workloads="${MODEL_WORKLOADS:-R1 T1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for w in $workloads; do
  case "$w" in R1 | T1) ;; *) echo "model: MODEL_WORKLOADS: R1 and/or T1, got $w" >&2; exit 2 ;; esac
done
[[ -f $here/t1_torch.py ]] || { echo "model: $here/t1_torch.py not found" >&2; exit 1; }
# The peer of workload W: its script and the folder it runs from.
peer_dir() { if [[ $1 == R1 ]]; then echo "$anchors"; else echo "$here"; fi; }
peer_py() { if [[ $1 == R1 ]]; then echo r1_torch.py; else echo t1_torch.py; fi; }
if [[ -n ${BLAS_DIR:-} ]]; then
  export LD_LIBRARY_PATH="$BLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

with_scratch model_bench

load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }

alt="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?')"
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
log "libblas.so.3 alternative: $alt${BLAS_DIR:+ (overridden: BLAS_DIR=$BLAS_DIR)}"
log "load at start: $(load); workloads $workloads, warm-up $warmup, timed steps $steps, repeat $repeat"

for w in $workloads; do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "$bin" --workload "$w" --selftest >&2
  if ((!quick)); then
    (cd "$(peer_dir "$w")" && "$PY" "$(peer_py "$w")" --selftest >&2)
  fi
done

run_tandem() {  # WORKLOAD THREADS RUN
  log "$1 tandem threads=$2 run $3: load $(load)"
  "$bin" --workload "$1" --threads "$2" --warmup "$warmup" --steps "$steps" >>"$tmp/tandem_$1_$2.jsonl"
  tail -n1 "$tmp/tandem_$1_$2.jsonl" >&2
}
run_torch() {  # WORKLOAD THREADS RUN
  log "$1 pytorch threads=$2 run $3: load $(load)"
  (cd "$(peer_dir "$1")" && "$PY" "$(peer_py "$1")" --threads "$2" --warmup "$warmup" \
    --steps "$steps" --json) >>"$tmp/torch_$1_$2.jsonl"
  tail -n1 "$tmp/torch_$1_$2.jsonl" >&2
}
for ((i = 1; i <= repeat; i++)); do
  for w in $workloads; do
    for n in $threads_list; do
      export OMP_NUM_THREADS=$n OPENBLAS_NUM_THREADS=$n MKL_NUM_THREADS=$n
      if ((i % 2)); then
        run_tandem "$w" "$n" "$i"
        run_torch "$w" "$n" "$i"
      else
        run_torch "$w" "$n" "$i"
        run_tandem "$w" "$n" "$i"
      fi
    done
  done
done
log "load at end: $(load)"

"$PY" - "$tmp" "$json" "$threads_list" "$alt" "$workloads" <<'PY'
import json, statistics, sys
tmp, as_json, threads, alt = sys.argv[1], sys.argv[2] == "1", sys.argv[3].split(), sys.argv[4]
workloads = sys.argv[5].split()
PEER = {"R1": "r1_torch.py", "T1": "t1_torch.py (torch.nn.Transformer)"}

def best(path):
    runs = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    return max(runs, key=lambda d: d["tokens_per_s"]), runs

METRICS = [  # name, unit, ratio orientation (True: tandem / peer, False: peer / tandem)
    ("tokens_per_s", "target tokens/s", True),
    ("ms_per_step_median", "ms/step (median)", False),
    ("peak_rss_mb", "MiB peak RSS", False),
]
rows = []
for w in workloads:
    for n in threads:
        t, truns = best(f"{tmp}/tandem_{w}_{n}.jsonl")
        p, pruns = best(f"{tmp}/torch_{w}_{n}.jsonl")
        if sorted(t["blas"]) != sorted(p["blas"]):
            print(f"# WARNING {w} threads={n}: the two sides loaded different BLAS: "
                  f"tandem {t['blas']} vs pytorch {p['blas']}", file=sys.stderr)
        rows.append((w, int(n), t, p, truns, pruns))

def ratio(t, p, up):
    return round((t / p) if up else (p / t), 3)

def median_ratio(truns, pruns, name, up):
    return ratio(statistics.median(d[name] for d in truns),
                 statistics.median(d[name] for d in pruns), up)

if as_json:
    for w, n, t, p, truns, pruns in rows:
        runs = len(truns)
        metrics = {name: {"tandem": t[name], "peer": p[name], "ratio": ratio(t[name], p[name], up),
                          "ratio_of_medians": median_ratio(truns, pruns, name, up),
                          "unit": unit} for name, unit, up in METRICS}
        print(json.dumps({
            "bench": "model", "point": {"workload": w, "threads": n},
            "tandem": t["tokens_per_s"], "peer": p["tokens_per_s"],
            "peer_name": f"pytorch {p['torch']} ({PEER[w]})",
            "ratio": metrics["tokens_per_s"]["ratio"], "unit": "target tokens/s",
            "metrics": metrics,
            "ratio_orientation": "tokens/s tandem/peer; ms/step and peak RSS peer/tandem (>1: Tandem better)",
            "steps": t["steps"], "warmup": t["warmup"], "runs_per_side": runs,
            "tokens_per_s_runs": {"tandem": [d["tokens_per_s"] for d in truns],
                                  "peer": [d["tokens_per_s"] for d in pruns]},
            "cpu_util": {"tandem": t["cpu_util"], "peer": p["cpu_util"]},
            "distorted": {"tandem": t["cpu_util"] < 0.8 * n, "peer": p["cpu_util"] < 0.8 * n},
            "loadavg_before": {"tandem": t["loadavg"], "peer": p["loadavg"]},
            "loss_first": {"tandem": t["loss_first"], "peer": p["loss_first"]},
            "loss_last": {"tandem": t["loss_last"], "peer": p["loss_last"]},
            "blas": {"tandem": t["blas"], "peer": p["blas"], "alternative": alt},
        }))
else:
    print(f"{'wl':<2} {'thr':>3} {'side':<8} {'tokens/s':>9} {'ms/step':>8} {'RSS MiB':>8} "
          f"{'cpu_util':>8} {'load1':>5} {'loss first/last':>16}")
    for w, n, t, p, truns, pruns in rows:
        for side, d in (("tandem", t), ("pytorch", p)):
            flag = "  (distorted: cpu_util < 0.8 N)" if d["cpu_util"] < 0.8 * n else ""
            print(f"{w:<2} {n:>3} {side:<8} {d['tokens_per_s']:9.1f} {d['ms_per_step_median']:8.1f} "
                  f"{d['peak_rss_mb']:8.1f} {d['cpu_util']:8.2f} {d['loadavg'][0]:5.2f} "
                  f"{d['loss_first']:7.4f}/{d['loss_last']:7.4f}{flag}")
        r = [ratio(t[name], p[name], up) for name, _, up in METRICS]
        print(f"{w:<2} {n:>3} {'ratio':<8} {r[0]:8.3f}x {r[1]:7.3f}x {r[2]:7.3f}x")
        if len(truns) > 1:
            m = [median_ratio(truns, pruns, name, up) for name, _, up in METRICS]
            print(f"{w:<2} {n:>3} {'ratio med':<8} {m[0]:8.3f}x {m[1]:7.3f}x {m[2]:7.3f}x"
                  f"   (medians of {len(truns)} runs per side)")
    print("# ratio: tokens/s Tandem/PyTorch; ms/step and RSS PyTorch/Tandem (above 1: Tandem better)")
    print("# peers: " + "; ".join(f"{w}: {PEER[w]}" for w in workloads))
    print(f"# BLAS (both sides): {', '.join(rows[0][2]['blas'])}; peer: pytorch {rows[0][3]['torch']}; "
          f"warm-up {rows[0][2]['warmup']}, timed {rows[0][2]['steps']}, best of {len(rows[0][4])}")
PY
