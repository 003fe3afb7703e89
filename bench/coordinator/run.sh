#!/usr/bin/env bash
# bench/run coordinator [--quick] [--json]: the control plane under many workers and many
# stored jobs (issue [9]). For each point of the grid: a state database filled through
# JobStore (tandem_coordinator_bench populate: ended jobs, and prepared jobs waiting for
# workers), one real tandem-coordinator on it (127.0.0.1, plaintext, a scratch data directory
# on disk), then W simulated workers in one process (tandem_coordinator_bench load: Join,
# Heartbeat at the coordinator's interval, ReportReady, ReportProgress once per 1 s step, as
# real workers send them). Half the workers are given jobs by the real scheduler (jobs of
# workers.min = max = K) and report progress; the rest are idle and only beat. Once they train,
# after a warm-up, a window measures: heartbeat and ReportProgress latency (p50, p99), ListJobs
# as `tandem list` asks for it (summaries of the newest 100) and the real `tandem list` (in
# turn, every 2 s or so through the window; every job whole, page after page, as --json --all
# asks, three times after it), the coordinator's CPU in
# cores (/proc/PID/stat over the window) and RSS, and the bench process's own CPU: both share
# this machine's cores.
#
# No peer process: the goals are the issue's (1,000 workers, 10,000 jobs: heartbeat p99 under
# 20 ms, list under 200 ms, the coordinator under half a core); BENCHMARKS.md compares them
# with Kubernetes' and etcd's published figures.
#
# Environment: COORDINATOR_WORKERS (default "10 100 1000"; --quick "10 100"), COORDINATOR_JOBS
# (default "10 1000 10000"; --quick "10 1000"), COORDINATOR_WINDOW_S (15; --quick 5),
# COORDINATOR_BIN (a tandem-coordinator to measure instead of the build's: before/after runs).
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bin="$build/bench/coordinator/tandem_coordinator_bench"
coordinator="${COORDINATOR_BIN:-$build/bin/tandem-coordinator}"
cli="$build/bin/tandem"
require_bin coordinator "$bin" tandem_coordinator_bench
require_bin coordinator "$coordinator" tandem-coordinator
require_bin coordinator "$cli" tandem

if ((quick)); then
  workers_grid="${COORDINATOR_WORKERS:-10 100}" jobs_grid="${COORDINATOR_JOBS:-10 1000}"
  window="${COORDINATOR_WINDOW_S:-5}" warmup=2
else
  workers_grid="${COORDINATOR_WORKERS:-10 100 1000}" jobs_grid="${COORDINATOR_JOBS:-10 1000 10000}"
  window="${COORDINATOR_WINDOW_S:-15}" warmup=3
fi

with_scratch coordinator_bench
scratch_cleanup() { rm -rf "${shm:-}"; }
shm="$(mktemp -d /dev/shm/tandem_coordinator_bench.XXXXXX)"

load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }

log "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
log "coordinator: $coordinator ($("$coordinator" --version 2>/dev/null || echo '?'))"
log "load at start: $(load); workers: $workers_grid; jobs: $jobs_grid; window ${window} s"
for jobs in $jobs_grid; do
  for workers in $workers_grid; do
    # Half the workers train, in jobs of 10 (fewer, larger jobs when few are stored).
    waiting=$((workers / 20 > 1 ? workers / 20 : 1))
    ((waiting > jobs / 2 && jobs >= 2)) && waiting=$((jobs / 2))
    per_job=$((workers / 2 / waiting))
    dir="$tmp/data_${jobs}_$workers"
    mkdir -p "$dir"
    # Filled on tmpfs (tens of thousands of transactions), then copied to the data directory.
    rm -f "$shm"/state.db*
    t0=$(date +%s%N)
    "$bin" populate --db "$shm/state.db" --jobs "$jobs" --waiting "$waiting" --per_job "$per_job"
    cp "$shm/state.db" "$dir/state.db"
    log "jobs=$jobs workers=$workers: store filled in $((($(date +%s%N) - t0) / 1000000)) ms" \
        "($waiting waiting jobs of $per_job workers); load $(load)"
    "$coordinator" --listen 127.0.0.1:0 --data_dir "$dir" --port_file "$dir/port" \
      --metrics_listen "" 2>"$dir/coordinator.log" &
    pid=$!
    pids=("$pid")
    for _ in $(seq 600); do [[ -s $dir/port ]] && break; sleep 0.1; done
    [[ -s $dir/port ]] || { tail "$dir/coordinator.log" >&2; exit 1; }
    line=$("$bin" load --target "127.0.0.1:$(cat "$dir/port")" --workers "$workers" \
             --expect_assigned $((waiting * per_job)) --coordinator_pid "$pid" --cli "$cli" \
             --warmup_s $warmup --window_s "$window") || { tail "$dir/coordinator.log" >&2; exit 1; }
    echo "{\"jobs\":$jobs,${line#\{}" >>"$tmp/points.jsonl"
    echo "$line" >&2
    kill "$pid"
    wait "$pid" || true
    pids=()
    rm -rf "$dir"
  done
done
log "load at end: $(load)"

python3 - "$tmp/points.jsonl" "$json" <<'PY'
import json, sys
points = [json.loads(l) for l in open(sys.argv[1])]
if sys.argv[2] == "1":
    for p in points:
        print(json.dumps({"bench": "coordinator", "point": {"jobs": p["jobs"], "workers": p["workers"]}, **p}))
    sys.exit(0)
cols = [("jobs", "jobs", "{:>6}"), ("workers", "workers", "{:>7}"), ("training", "training", "{:>9}"),
        ("hb50", "hb p50", "{:>7.2f}"), ("hb99", "hb p99", "{:>7.2f}"),
        ("pr50", "prog p50", "{:>8.2f}"), ("pr99", "prog p99", "{:>8.2f}"),
        ("lr50", "ListJobs", "{:>8.1f}"), ("lc50", "tandem list", "{:>11.1f}"),
        ("lf50", "full list", "{:>9.1f}"),
        ("cpu", "coord cores", "{:>11.3f}"), ("rss", "coord RSS", "{:>9.0f}"),
        ("bcpu", "bench cores", "{:>11.3f}"), ("settle", "settle s", "{:>8.1f}"),
        ("rejoins", "lost", "{:>5}")]
def row(p):
    training = f"{p['training']}/{p['expected_training']}" + ("" if p["settled"] else "*")
    return {"jobs": p["jobs"], "workers": p["workers"], "training": training, "rejoins": p["rejoins"],
            "hb50": p["heartbeat_ms"]["p50"], "hb99": p["heartbeat_ms"]["p99"],
            "pr50": p["progress_ms"]["p50"], "pr99": p["progress_ms"]["p99"],
            "lr50": p["list_rpc_ms"]["p50"], "lc50": p["list_cli_ms"]["p50"],
            "lf50": p["list_full_ms"]["p50"],
            "cpu": p["coordinator_cpu_cores"], "rss": p["coordinator_rss_mib"],
            "bcpu": p["bench_cpu_cores"], "settle": p["settle_s"]}
rows = [row(p) for p in points]
print(" ".join(f"{h:>{len(f.format(0 if k != 'training' else ''))}}" for k, h, f in cols))
for r in rows:
    print(" ".join(f.format(r[k]) for k, _, f in cols))
errors = [(p["jobs"], p["workers"], k) for p in points for k in ("heartbeat_ms", "progress_ms", "ready_ms", "list_rpc_ms", "list_cli_ms", "list_full_ms") if p[k]["errors"]]
if errors:
    print("# failed calls at (jobs, workers, kind): " + ", ".join(map(str, errors)))
# How each figure grows along each axis, at the other axis' largest value.
def growth(axis, other):
    top = max(r[other] for r in rows)
    line = sorted((r for r in rows if r[other] == top), key=lambda r: r[axis])
    if len(line) < 2:
        return
    lo, hi = line[0], line[-1]
    parts = [f"{h.strip()} x{hi[k] / lo[k]:.1f}" for k, h, _ in cols[3:13] if lo[k] > 0]
    print(f"# growth {axis} {lo[axis]} -> {hi[axis]} (at {top} {other}): " + ", ".join(parts))
growth("workers", "jobs")
growth("jobs", "workers")
goal = [r for r in rows if r["jobs"] == 10000 and r["workers"] == 1000]
if goal:
    g = goal[0]
    ok = lambda b: "met" if b else "MISSED"
    print(f"# goals at 1,000 workers / 10,000 jobs: heartbeat p99 {g['hb99']:.1f} ms < 20 ({ok(g['hb99'] < 20)}), "
          f"tandem list {g['lc50']:.0f} ms < 200 ({ok(g['lc50'] < 200)}), coordinator {g['cpu']:.2f} cores < 0.5 ({ok(g['cpu'] < 0.5)})")
if any(not p["settled"] for p in points):
    print("# *: never settled: after 60 s fewer workers trained than expected (workers declared lost "
          "and joining again); measured as it was. lost: workers declared lost in the window")
print("# ListJobs: as `tandem list` asks (summaries of the newest 100; older servers send every job, "
      "whole or summarised), every 2 s with `tandem list` through the window; full list: every job whole "
      "(--json --all, pages of 1,000), median of 3 after the window.")
print("# latencies in ms at the client (p50/p99 over the window; lists: median of their runs); cores = CPU seconds / "
      "window seconds from /proc/PID/stat; RSS in MiB at the window's end. The coordinator and the bench "
      "(all simulated workers, one process) share the machine's cores: 'bench cores' is the bench's own CPU.")
PY
