#!/usr/bin/env bash
# bench/run recovery [--quick] [--json]: how long training stands still after a fault, with
# the coordinator's default settings (heartbeat 500 ms, worker timeout 3000 ms), against the
# usual alternative on the same job: stop every worker and restart from the newest checkpoint
# (what torchrun and Ray Train do).
#
# Each measurement starts its own tandem-coordinator and N tandem-workers (--threads=1) on
# 127.0.0.1 with fresh data and cache folders, submits the job (workers.min 1, workers.max N,
# a checkpoint every C steps, max_steps far away), and runs tandem_recovery_probe, which polls
# the job every 50 ms, waits until it trains on N workers at step k*C + C/2 (so the
# alternative redoes half an interval, its average for a fault at a random step), takes the
# time and sends SIGKILL:
#   worker       the worker of rank 0; Tandem goes on with the others (a new generation).
#   coordinator  the coordinator; this script restarts it at once on the same port and data
#                folder (the workers keep training and reconnect).
#   restart      the alternative: every worker (the fault, and the agent stopping the rest);
#                this script starts N fresh workers with empty caches, which fetch the job's
#                files and resume from the newest checkpoint.
# Tandem's figure: seconds from the kill to the first poll that shows a step completed after
# it (the probe says exactly which); the alternative's: to its first step, and to the step the
# job had reached at the kill (lost work redone). Then everything is stopped (by PID) and the
# folders removed.
#
# Environment: RECOVERY_POINTS (model:workers pairs; default "tiny:2 tiny:3 demo:2", --quick
# "tiny:2"; models: tiny = the cluster tests' toy corpus, 16-wide GRU; demo =
# examples/demo.yaml), REPEAT (3; --quick 1), RECOVERY_CHECKPOINT_INTERVAL (C, 100: the demo
# job's), RECOVERY_WARMUP_STEPS (the fault's step is the first k*C + C/2 at or after it;
# default 200 for tiny (10 s), 100 for demo (a minute at 0.6 s a step): fault at 250 or 150),
# RECOVERY_MODES (default "worker coordinator restart"), RECOVERY_RAW (a file to keep every
# measurement's probe line, events and log lines after the kill in).
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
probe="$build/bench/recovery/tandem_recovery_probe"
coordinator="$build/bin/tandem-coordinator"
worker="$build/bin/tandem-worker"
cli="$build/bin/tandem"
require_bin recovery "$probe" tandem_recovery_probe
require_bin recovery "$coordinator" tandem-coordinator
require_bin recovery "$worker" tandem-worker
require_bin recovery "$cli" tandem
PY=/usr/bin/python3

if ((quick)); then
  points="${RECOVERY_POINTS:-tiny:2}" repeat="${REPEAT:-1}"
else
  points="${RECOVERY_POINTS:-tiny:2 tiny:3 demo:2}" repeat="${REPEAT:-3}"
fi
interval="${RECOVERY_CHECKPOINT_INTERVAL:-100}"
modes="${RECOVERY_MODES:-worker coordinator restart}"

with_scratch recovery_bench
load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }

# The tiny model's corpus: tests/testing/test_util.cc's WriteToyCorpus (1,500 lines of a
# 20-word vocabulary), and its job file (the cluster tests' TinySpec).
mkdir -p "$tmp/tiny"
"$PY" - "$tmp/tiny" <<'PY'
import random, sys
en = "the a house cat dog runs sleeps big small red green blue eats fish bird sings song today night river".split()
es = "la una casa gato perro corre duerme grande pequeño rojo verde azul come pez pájaro canta canción hoy noche río".split()
rng = random.Random(1)
with open(f"{sys.argv[1]}/train.en", "w") as fe, open(f"{sys.argv[1]}/train.es", "w") as fs:
    for _ in range(1500):
        words = [rng.randrange(20) for _ in range(3 + rng.randrange(10))]
        fe.write(" ".join(en[w] for w in words) + "\n")
        fs.write(" ".join(es[w] for w in words) + "\n")
PY
cat >"$tmp/tiny/tiny.yaml" <<'EOF'
corpus: {train_source: train.en, train_target: train.es}
tokenizer: {vocab_size: 40}
model: {embedding_dim: 16, hidden_dim: 16}
training: {batch_tokens: 300}
EOF
job_file() {
  case "$1" in
    tiny) echo "$tmp/tiny/tiny.yaml" ;;
    demo) echo "$root/examples/demo.yaml" ;;
    *) echo "recovery: unknown model '$1' (tiny, demo)" >&2; exit 2 ;;
  esac
}
warmup_steps() { if [[ $1 == demo ]]; then echo "${RECOVERY_WARMUP_STEPS:-100}"; else echo "${RECOVERY_WARMUP_STEPS:-200}"; fi; }
for point in $points; do job_file "${point%%:*}" >/dev/null; done

# start_coordinator DIR PORT: starts it (default settings) and waits for its port file;
# sets $cpid and $port.
start_coordinator() {
  rm -f "$1/port"
  "$coordinator" --data_dir "$1/coord" --listen "127.0.0.1:$2" --port_file "$1/port" \
    --metrics_listen "" 2>>"$1/coordinator.log" &
  cpid=$!
  pids+=("$cpid")
}
wait_port() {
  local i
  for ((i = 0; i < 600; i++)); do [[ -s $1/port ]] && break; sleep 0.05; done
  [[ -s $1/port ]] || { echo "recovery: the coordinator did not start:" >&2; tail "$1/coordinator.log" >&2; return 1; }
  port=$(cat "$1/port")
}
# start_worker DIR NAME: a worker on a fresh cache folder DIR/NAME; its PID in wpids[NAME].
start_worker() {
  "$worker" --coordinator "127.0.0.1:$port" --cache_dir "$1/$2" --threads 1 2>"$1/$2.log" &
  wpids[$2]=$!
  pids+=("$!")
}
# worker_id DIR NAME: the id the coordinator gave it (from its log), waiting up to 30 s.
worker_id() {
  local i id=""
  for ((i = 0; i < 300; i++)); do
    id=$(grep -o -m1 'joined the coordinator at [^ ]* as w-[0-9]*' "$1/$2.log" 2>/dev/null | sed 's/.* as //') || true
    [[ -n $id ]] && break
    sleep 0.1
  done
  [[ -n $id ]] || { echo "recovery: worker $2 did not join:" >&2; tail "$1/$2.log" >&2; return 1; }
  echo "$id"
}
stop_all() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

# measure MODEL N MODE REP: one measurement; appends the probe's line, with the workers' and
# coordinator's log lines after the kill, to $tmp/points.jsonl.
measure() {
  local model=$1 n=$2 mode=$3 rep=$4 d="$tmp/run" i id ids="" job rc=0 t_restart=""
  declare -gA wpids=()
  stop_all
  rm -rf "$d"
  mkdir -p "$d"
  start_coordinator "$d" 0
  wait_port "$d" || return 1
  for ((i = 1; i <= n; i++)); do start_worker "$d" "w$i"; done
  for ((i = 1; i <= n; i++)); do
    id=$(worker_id "$d" "w$i") || return 1
    ids+="$id=${wpids[w$i]},"
  done
  job=$("$cli" --coordinator "127.0.0.1:$port" submit "$(job_file "$model")" \
          --set training.max_steps=1000000 --set "training.checkpoint_interval_steps=$interval" \
          --set workers.min=1 --set "workers.max=$n" 2>>"$d/submit.log") \
    || { cat "$d/submit.log" >&2; return 1; }
  "$probe" --target="127.0.0.1:$port" --job="$job" --mode="$mode" --workers="$n" --kill_rank=0 \
    --warmup_steps="$(warmup_steps "$model")" --checkpoint_interval="$interval" --worker_pids="$ids" \
    --coordinator_pid="$cpid" --interval_ms=50 --timeout_s=900 >"$d/probe.json" &
  local probe_pid=$!
  pids+=("$probe_pid")
  case "$mode" in
    coordinator)
      # Restarted as soon as it is gone (a supervisor's job), on its port and data folder.
      wait -n "$cpid" "$probe_pid" 2>/dev/null || true
      if ! kill -0 "$cpid" 2>/dev/null; then
        t_restart=$EPOCHREALTIME
        start_coordinator "$d" "$port"
      fi
      ;;
    restart)
      # Every worker killed: fresh processes on empty caches, as soon as the old are gone.
      wait -n "${wpids[w1]}" "$probe_pid" 2>/dev/null || true
      if kill -0 "$probe_pid" 2>/dev/null; then
        for ((i = 1; i <= n; i++)); do wait "${wpids[w$i]}" 2>/dev/null || true; done
        t_restart=$EPOCHREALTIME
        for ((i = 1; i <= n; i++)); do start_worker "$d" "fresh$i"; done
      fi
      ;;
  esac
  wait "$probe_pid" 2>/dev/null || rc=$?
  # The logs of every process after the kill, for the breakdown.
  "$PY" - "$d" "$model" "$n" "$rep" "${t_restart:-0}" "$mode" >>"$tmp/points.jsonl" <<'PY' || rc=1
import datetime, glob, json, os, sys
d, model, n, rep, t_restart = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
p = json.loads(open(f"{d}/probe.json").read() or "{}")
p.setdefault("mode", sys.argv[6]), p.setdefault("workers", n), p.setdefault("ok", False)
k = p.get("kill_unix_ms", 0) / 1000.0
def lines(path):
    for line in open(path, errors="replace"):
        try:
            t = datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(
                tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            continue
        if t >= k - 0.05:
            yield round(t - k, 3), line[25:].strip()[:300]
p.update(model=model, rep=rep, restart_s=round(t_restart - k, 3) if t_restart else None,
         logs={os.path.basename(f)[:-4]: list(lines(f))[:40] for f in sorted(glob.glob(f"{d}/*.log"))
               if not f.endswith("submit.log")})
print(json.dumps(p))
PY
  stop_all
  rm -rf "$d"
  return $rc
}

log "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
log "load at start: $(load); points: $points; repeat $repeat; checkpoint every $interval steps; fault at the first k*$interval+$((interval / 2)) >= the warm-up (tiny $(warmup_steps tiny), demo $(warmup_steps demo) steps)"
for point in $points; do
  model=${point%%:*} n=${point##*:}
  for ((rep = 1; rep <= repeat; rep++)); do
    for mode in $modes; do
      t=${EPOCHREALTIME/./}
      if measure "$model" "$n" "$mode" "$rep"; then
        log "$model $n workers $mode run $rep: $(tail -n1 "$tmp/points.jsonl" | "$PY" -c 'import json, sys
p = json.load(sys.stdin)
print("step %d (checkpoint %d) -> first step %d at %.2f s, step %d at %.2f s" % (p["step_at_kill"],
      p["checkpoint_at_kill"], p["first_step"], p["first_s"], p["done_step"], p["done_s"]))') ($(((${EPOCHREALTIME/./} - t) / 1000000)) s in all; load $(load))"
      else
        log "$model $n workers $mode run $rep: FAILED (see above); load $(load)"
      fi
    done
  done
done
log "load at end: $(load)"
if [[ -n ${RECOVERY_RAW:-} ]]; then cp "$tmp/points.jsonl" "$RECOVERY_RAW"; fi

"$PY" - "$tmp/points.jsonl" "$json" "$interval" "$blas_kernel" <<'PY'
import json, statistics, sys
points = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
as_json, interval, blas = sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4]
med = lambda xs: statistics.median(xs) if xs else float("nan")

def first_event(p, *kinds, after=-1.0):
    ts = [e["t"] for e in p["events"] if e["kind"] in kinds and e["t"] > after]
    return min(ts) if ts else None

def first_log(p, text, after=-1.0, prefix=None):
    ts = [t for name, ls in p["logs"].items() if prefix is None or name.startswith(prefix)
          for t, l in ls if text in l and t > after]
    return min(ts) if ts else None

# The phases of a recovery: seconds after the kill at which each ended (events: the
# coordinator's clock; logs: each process's; the same machine).
PHASES = {
    "worker": [("failure reported", lambda p: first_event(p, "collective_failure", "member_lost")),
               ("generation formed", lambda p: first_event(p, "assigned")),
               ("assignment received", lambda p: first_log(p, "assigned to job")),
               ("replica synchronised", lambda p: first_log(p, "training from step")),
               ("first step seen", lambda p: p["done_s"])],
    "coordinator": [("process started", lambda p: p["restart_s"]),
                    ("store recovered", lambda p: first_log(p, "recovered ", prefix="coordinator")),
                    ("serving", lambda p: first_log(p, "coordinator listening", prefix="coordinator")),
                    ("worker reports back", lambda p: first_log(p, "progress reports reach the coordinator again")),
                    ("first step seen", lambda p: p["done_s"])],
    "restart": [("workers declared lost", lambda p: first_log(p, " lost: ", prefix="coordinator")),
                ("fresh processes started", lambda p: p["restart_s"]),
                ("fresh workers listening", lambda p: first_log(p, "worker listening", prefix="fresh")),
                ("joined", lambda p: first_log(p, "joined the coordinator", prefix="fresh")),
                ("checkpoint loaded", lambda p: first_log(p, "(the checkpoint)", prefix="fresh")),
                ("first step seen", lambda p: p["first_s"]),
                ("back at the fault's step", lambda p: p["done_s"])],
}

def breakdown(p):
    out = []
    for name, f in PHASES[p["mode"]]:
        v = f(p)
        out.append((name, v if v is not None and v >= 0 else None))
    return out

groups = {}
for p in points:
    groups.setdefault((p["model"], p["workers"]), {}).setdefault(p["mode"], []).append(p)

rows = []
for (model, n), g in groups.items():
    ok = {m: [p for p in g.get(m, []) if p["ok"]] for m in ("worker", "coordinator", "restart")}
    alt = ok["restart"]
    alt_first = med([p["first_s"] for p in alt])
    alt_done = med([p["done_s"] for p in alt])
    redo = med([p["step_at_kill"] - p["checkpoint_at_kill"] for p in alt])
    for m in ("worker", "coordinator"):
        runs = ok[m]
        t = med([p["done_s"] for p in runs])
        def phases(ps):
            acc = {}
            for p in ps:
                for k, v in breakdown(p):
                    acc.setdefault(k, [])
                    if v is not None:
                        acc[k].append(v)
            return {k: med(v) for k, v in acc.items()}
        rows.append({"model": model, "workers": n, "fault": m, "runs": len(runs),
                     "failed": len(g.get(m, [])) - len(runs), "tandem_s": t,
                     "alt_first_s": alt_first, "alt_s": alt_done, "alt_runs": len(alt),
                     "alt_redo_steps": redo,
                     "ratio": alt_done / t if t > 0 else float("nan"),
                     "ratio_first": alt_first / t if t > 0 else float("nan"),
                     "phases": phases(runs), "alt_phases": phases(alt),
                     "steps_at_kill": [p["step_at_kill"] for p in runs],
                     "first_steps": [p["first_step"] for p in runs]})

if as_json:
    for r in rows:
        print(json.dumps({"bench": "recovery", "point": {"model": r["model"], "workers": r["workers"],
                                                          "fault": r["fault"]},
                          "tandem": r["tandem_s"], "peer": r["alt_s"],
                          "peer_name": "stop every worker, restart from the newest checkpoint",
                          "ratio": round(r["ratio"], 3), "unit": "s from SIGKILL to training resumed",
                          "checkpoint_interval_steps": interval, "blas_kernel": blas, **r}))
    sys.exit(0)

print(f"{'scenario':<36} {'Tandem (s)':>10} {'alt. first (s)':>14} {'alternative (s)':>15} "
      f"{'ratio':>6} {'ratio first':>11}")
for r in rows:
    name = f"{r['model']}, {r['workers']} workers, {'worker' if r['fault'] == 'worker' else 'coordinator'} killed"
    flag = "" if r["failed"] == 0 and r["runs"] else f" ({r['failed']} of {r['runs'] + r['failed']} failed)"
    print(f"{name:<36} {r['tandem_s']:>10.2f} {r['alt_first_s']:>14.2f} {r['alt_s']:>15.2f} "
          f"{r['ratio']:>6.1f} {r['ratio_first']:>11.1f}{flag}")
print("# medians of " + ", ".join(sorted({f"{r['runs']}" for r in rows})) + " run(s) each; "
      "Tandem: SIGKILL -> first poll (every 50 ms) showing a step completed after it; alternative: "
      "every worker killed, fresh workers on empty caches resume from the newest checkpoint: "
      "-> its first step ('alt. first') and -> back at the step of the kill ('alternative', "
      f"redoing a median {med([r['alt_redo_steps'] for r in rows]):.0f} steps: checkpoint every "
      f"{interval}, fault half an interval after one); ratio = alternative / Tandem")
print("# phases, s after the kill (medians; from the events and the processes' logs):")
done = set()
for r in rows:
    ph = ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items() if v == v)
    print(f"#   {r['model']} {r['workers']}w, {r['fault']} killed: {ph}; steps at the kill "
          f"{r['steps_at_kill']} -> first seen {r['first_steps']}")
    if (r["model"], r["workers"]) not in done:
        done.add((r["model"], r["workers"]))
        aph = ", ".join(f"{k} {v:.2f}" for k, v in r["alt_phases"].items() if v == v)
        print(f"#   {r['model']} {r['workers']}w, alternative: {aph}")
goal = {"worker": 5.0, "coordinator": 10.0}
for r in rows:
    g = goal[r["fault"]]
    met = r["tandem_s"] < g and r["ratio"] >= 5
    print(f"# goal {r['model']} {r['workers']}w {r['fault']}: {r['tandem_s']:.2f} s < {g:.0f} s "
          f"({'met' if r['tandem_s'] < g else 'MISSED'}), {r['ratio']:.1f}x >= 5x "
          f"({'met' if r['ratio'] >= 5 else 'MISSED'})")
PY
