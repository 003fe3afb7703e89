#!/usr/bin/env bash
# bench/run distributed [--quick] [--json]: R1-DP (../shared/anchors/R1.md section 4) trained by
# Tandem with 1 and 2 workers (tandem_r1_bench: the trainer's replica, gradient buckets
# all-reduced over the gRPC ring while backward runs) and, in the same invocation, the PyTorch
# DistributedDataParallel reference (../shared/anchors/r1_ddp.py, gloo, 2 processes) and
# PyTorch R1 at 1 thread (for DDP's own scaling efficiency). One thread per process
# everywhere, the same per-worker batches (rank r on data stream r).
#
# Ratios (above 1: Tandem better): aggregate tokens/s Tandem 2 workers / DDP; scaling
# efficiency = tokens/s of 2 workers / (2 x tokens/s of 1); hidden fraction = the part of
# the bucket all-reduces' time that overlapped backward (1 - exposed / total).
#
# DISTRIBUTED_TLS=1 (default; 0 skips it): Tandem's 2 workers again with mutual TLS and group
# keys as a deployment runs them (scripts/make-certs.sh), beside plaintext and DDP.
#
# DISTRIBUTED_ORDERED=1 (default 0): also 3 workers with the all-reduce and 3 workers with
# the ordered sum of three streams (training/README.md, "Stream order": what a job with
# workers.max 3 or more does), alternating, and their ratio.
#
# Environment: REPEAT (default 1; each side keeps its best run by tokens/s), TANDEM_BUCKET_MB.
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
r1_setup distributed r1_ddp.py
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

with_scratch distributed_bench

load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }

tls=${DISTRIBUTED_TLS:-1}
if ((tls)); then
  bash "$root/scripts/make-certs.sh" "$tmp/certs" >/dev/null
fi

# Starts W Tandem ranks on 127.0.0.1 (extra flags after the output file); rank 0's JSON line
# is appended to $2.
run_tandem() {
  local w=$1 out=$2 r p rc=0
  shift 2
  local rdv
  rdv="$(mktemp -d "$tmp/rdv.XXXXXX")"
  pids=()
  for ((r = 0; r < w; r++)); do
    if ((r == 0)); then
      "$bin" --world "$w" --rank $r --rendezvous "$rdv" --warmup $warmup --steps $steps "$@" >>"$out" &
    else
      "$bin" --world "$w" --rank $r --rendezvous "$rdv" --warmup $warmup --steps $steps "$@" >/dev/null &
    fi
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  pids=()
  return $rc
}

log "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
log "load at start: $(load); warm-up $warmup, timed steps $steps, repeat $repeat"
for ((i = 1; i <= repeat; i++)); do
  for w in 1 2; do
    log "tandem world=$w run $i: load $(load)"
    run_tandem "$w" "$tmp/tandem_$w.jsonl"
    tail -n1 "$tmp/tandem_$w.jsonl" >&2
  done
  if ((${DISTRIBUTED_ORDERED:-0})); then
    log "tandem world=3 all-reduce run $i: load $(load)"
    run_tandem 3 "$tmp/tandem_3.jsonl"
    tail -n1 "$tmp/tandem_3.jsonl" >&2
    log "tandem world=3 ordered sum run $i: load $(load)"
    run_tandem 3 "$tmp/tandem_3_ordered.jsonl" --ordered
    tail -n1 "$tmp/tandem_3_ordered.jsonl" >&2
  fi
  if ((tls)); then
    log "tandem world=2 mutual TLS run $i: load $(load)"
    run_tandem 2 "$tmp/tandem_tls_2.jsonl" --tls_dir "$tmp/certs"
    tail -n1 "$tmp/tandem_tls_2.jsonl" >&2
  fi
  log "pytorch ddp run $i: load $(load)"
  (cd "$anchors" && "$PY" r1_ddp.py --json --warmup $warmup --steps $steps) >>"$tmp/ddp.jsonl"
  tail -n1 "$tmp/ddp.jsonl" >&2
  log "pytorch 1 thread run $i: load $(load)"
  (cd "$anchors" && "$PY" r1_torch.py --threads 1 --warmup $warmup --steps $steps --json) \
    >>"$tmp/torch_1.jsonl"
  tail -n1 "$tmp/torch_1.jsonl" >&2
done
log "load at end: $(load)"

"$PY" - "$tmp" "$json" <<'PY'
import json, sys
tmp, as_json = sys.argv[1], sys.argv[2] == "1"

def best(name):
    try:
        runs = [json.loads(l) for l in open(f"{tmp}/{name}.jsonl") if l.strip().startswith("{")]
    except FileNotFoundError:
        return None, 0
    return max(runs, key=lambda d: d["tokens_per_s"]), len(runs)

t1, runs = best("tandem_1")
t2, _ = best("tandem_2")
ddp, _ = best("ddp")
p1, _ = best("torch_1")
t2s, _ = best("tandem_tls_2")
eff_t = t2["tokens_per_s"] / (2 * t1["tokens_per_s"])
eff_d = ddp["tokens_per_s"] / (2 * p1["tokens_per_s"])
ratio = t2["tokens_per_s"] / ddp["tokens_per_s"]
rss_ratio = max(ddp["peak_rss_mb_per_proc"]) / max(t2["peak_rss_mb_per_proc"])
if as_json:
    print(json.dumps({
        "bench": "distributed", "point": {"workers": 2, "threads_per_worker": 1},
        "tandem": t2["tokens_per_s"], "peer": ddp["tokens_per_s"],
        "peer_name": f"pytorch {ddp.get('torch', '?')} DDP gloo (r1_ddp.py)",
        "ratio": round(ratio, 3), "unit": "aggregate target tokens/s",
        "scaling_efficiency": {"tandem": round(eff_t, 3), "peer": round(eff_d, 3)},
        "tandem_1_worker_tokens_per_s": t1["tokens_per_s"],
        "peer_1_thread_tokens_per_s": p1["tokens_per_s"],
        "step_ms": {"tandem": t2["ms_per_step_median"], "peer": ddp["ms_per_step_median"]},
        "tandem_compute_ms": t2["compute_ms_per_step"], "tandem_comm_ms": t2["comm_ms_per_step"],
        "tandem_comm_exposed_ms": t2["comm_exposed_ms_per_step"],
        "tandem_comm_hidden_fraction": t2["comm_hidden_fraction"],
        "allreduce_full_grad_ms": {"tandem": t2["allreduce_full_grad_ms"],
                                   "peer": ddp["allreduce_full_grad_ms"]},
        "peak_rss_mb_per_proc": {"tandem": t2["peak_rss_mb_per_proc"],
                                 "peer": ddp["peak_rss_mb_per_proc"]},
        "cpu_util_per_proc": {"tandem": t2["cpu_util_per_proc"], "peer": ddp["cpu_util_per_proc"]},
        "loss": {"tandem": [t2["loss_first"], t2["loss_last"]],
                 "peer": [ddp["loss_first"], ddp["loss_last"]]},
        "steps": t2["steps"], "warmup": t2["warmup"], "runs_per_side": runs,
        "tandem_tls": t2s["tokens_per_s"] if t2s else None,
        "tls_ratio": round(t2s["tokens_per_s"] / ddp["tokens_per_s"], 3) if t2s else None,
        "tls_over_plain": round(t2s["tokens_per_s"] / t2["tokens_per_s"], 3) if t2s else None,
    }))
else:
    print(f"{'side':<18} {'tokens/s':>9} {'ms/step':>8} {'compute':>8} {'comm':>7} {'exposed':>8} "
          f"{'hidden':>6} {'full AR ms':>10} {'RSS MiB/proc':>14} {'cpu_util':>10}")
    def row(name, d, compute="-", comm="-", exposed="-", hidden="-"):
        rss = "/".join(f"{x:.0f}" for x in d.get("peak_rss_mb_per_proc", [d.get("peak_rss_mb", 0)]))
        util = "/".join(f"{x:.2f}" for x in d.get("cpu_util_per_proc", [d.get("cpu_util", 0)]))
        print(f"{name:<18} {d['tokens_per_s']:9.1f} {d['ms_per_step_median']:8.1f} {compute:>8} "
              f"{comm:>7} {exposed:>8} {hidden:>6} {str(d.get('allreduce_full_grad_ms', '-')):>10} "
              f"{rss:>14} {util:>10}")
    row("tandem 1 worker", t1, f"{t1['compute_ms_per_step']:.1f}")
    row("tandem 2 workers", t2, f"{t2['compute_ms_per_step']:.1f}", f"{t2['comm_ms_per_step']:.1f}",
        f"{t2['comm_exposed_ms_per_step']:.1f}", f"{t2['comm_hidden_fraction']:.2f}")
    if t2s:
        row("tandem 2 w, mTLS", t2s, f"{t2s['compute_ms_per_step']:.1f}",
            f"{t2s['comm_ms_per_step']:.1f}", f"{t2s['comm_exposed_ms_per_step']:.1f}",
            f"{t2s['comm_hidden_fraction']:.2f}")
    row("pytorch 1 thread", p1)
    row("pytorch DDP x2", ddp)
    print(f"ratio aggregate tokens/s, Tandem 2 workers / DDP: {ratio:.3f}x   "
          f"peak RSS per process DDP / Tandem: {rss_ratio:.3f}x")
    print(f"scaling efficiency (2 workers / 2 x 1): Tandem {eff_t:.3f}, DDP {eff_d:.3f}")
    if t2s:
        print(f"ratio aggregate tokens/s, Tandem 2 workers with mutual TLS / DDP (plaintext gloo): "
              f"{t2s['tokens_per_s'] / ddp['tokens_per_s']:.3f}x   mTLS / plaintext Tandem: "
              f"{t2s['tokens_per_s'] / t2['tokens_per_s']:.3f}x")
    t3, _ = best("tandem_3")
    t3o, _ = best("tandem_3_ordered")
    if t3 and t3o:
        row("tandem 3 w, AR", t3, f"{t3['compute_ms_per_step']:.1f}", f"{t3['comm_ms_per_step']:.1f}",
            f"{t3['comm_exposed_ms_per_step']:.1f}", f"{t3['comm_hidden_fraction']:.2f}")
        row("tandem 3 w, ordered", t3o, f"{t3o['compute_ms_per_step']:.1f}",
            f"{t3o['comm_ms_per_step']:.1f}", f"{t3o['comm_exposed_ms_per_step']:.1f}", "-")
        print(f"ratio aggregate tokens/s, 3 workers with the ordered sum / with the all-reduce: "
              f"{t3o['tokens_per_s'] / t3['tokens_per_s']:.3f}x (the price of the same bits "
              f"on any number of workers)")
    print(f"# loss first/last: tandem {t2['loss_first']:.4f}/{t2['loss_last']:.4f}, "
          f"ddp {ddp['loss_first']:.4f}/{ddp['loss_last']:.4f}; warm-up {t2['warmup']}, "
          f"timed {t2['steps']}, best of {runs}; bucket {t2['bucket_mb']} MiB")
PY
