#!/usr/bin/env bash
# bench/run dashboard [--quick] [--json]: what the dashboard costs (issue [10]).
#
# 1. Pages with many jobs stored: a state database filled with DASHBOARD_JOBS jobs through
#    JobStore (tandem_coordinator_bench populate, as bench/run coordinator does), one real
#    tandem-coordinator on it with its HTTP port on 127.0.0.1, then, 20 times each in turn,
#    what a browser asks for when it opens the jobs page: the page (GET /), the newest 100
#    jobs (GET /api/jobs), the live view's first snapshot (the first bytes of /api/stream:
#    the newest 50 jobs and every worker) and, for scripts, every job summarised
#    (GET /api/jobs?limit=10000&summary=true). Times at one Python client (connect to the
#    last byte; for the stream, to the end of its first snapshot event; "the jobs page" is
#    the page and that snapshot together). Goal: under 100 ms with 1,000 jobs.
#
# 2. Training with pages open: the README's demo job (examples/demo.yaml, 2 workers, one
#    thread each, max_steps lifted) on a real coordinator and two tandem-workers, and windows
#    of DASHBOARD_WINDOW_S seconds taken in turn with no page open and with
#    DASHBOARD_PAGES open on the job. An open page is what the dashboard's script does: GET
#    the page, the job, its events, its curve and its model listing, then hold
#    /api/stream?job=... open (curl -N), which the coordinator feeds every poll (1 s). No
#    browser renders: a browser's drawing runs on its user's machine, not on the training
#    hosts, and 20 headless Chromiums would measure Chromium on this 2-core machine. A
#    window's figure is the mean of the job's tokens/s over the steps in it (the coordinator's
#    curve); the ratio is pages-open / none, per pair of neighbouring windows, and their
#    median. Goal: within 3 % (ratio >= 0.97). Each window also records the coordinator's
#    CPU (/proc/PID/stat): what the open pages cost it, which noise on a shared machine does
#    not blur as it blurs tokens/s.
#
# No peer process: the goals are the issue's. Environment: DASHBOARD_JOBS (1000),
# DASHBOARD_PAGES (20), DASHBOARD_WINDOW_S (30; --quick 10), DASHBOARD_PAIRS (3; --quick 1).
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
populate="$build/bench/coordinator/tandem_coordinator_bench"
coordinator="$build/bin/tandem-coordinator"
worker="$build/bin/tandem-worker"
cli="$build/bin/tandem"
require_bin dashboard "$populate" tandem_coordinator_bench
require_bin dashboard "$coordinator" tandem-coordinator
require_bin dashboard "$worker" tandem-worker
require_bin dashboard "$cli" tandem
command -v curl >/dev/null || { echo "dashboard: curl not found" >&2; exit 1; }
PY=/usr/bin/python3

jobs="${DASHBOARD_JOBS:-1000}" pages="${DASHBOARD_PAGES:-20}"
if ((quick)); then
  window="${DASHBOARD_WINDOW_S:-10}" pairs="${DASHBOARD_PAIRS:-1}"
else
  window="${DASHBOARD_WINDOW_S:-30}" pairs="${DASHBOARD_PAIRS:-3}"
fi

with_scratch dashboard_bench
load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }

# start_coordinator DIR: a coordinator on DIR/coord with its HTTP port; sets $port, $http.
start_coordinator() {
  "$coordinator" --data_dir "$1/coord" --listen 127.0.0.1:0 --port_file "$1/port" \
    --metrics_listen 127.0.0.1:0 --dashboard_streams $((pages + 8)) 2>"$1/coordinator.log" &
  cpid=$!
  pids+=("$cpid")
  local i
  for ((i = 0; i < 600; i++)); do [[ -s $1/port ]] && break; sleep 0.05; done
  [[ -s $1/port ]] || { echo "dashboard: the coordinator did not start:" >&2; tail "$1/coordinator.log" >&2; exit 1; }
  port=$(cat "$1/port")
  http=$(grep -o -m1 'the dashboard on http://[0-9.:]*' "$1/coordinator.log" | sed 's/.* on //')
}

log "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
log "load at start: $(load); $jobs jobs stored; $pages pages; windows of $window s, $pairs pairs"

# --- 1. pages with many jobs --------------------------------------------------------------
d="$tmp/pages"
mkdir -p "$d/coord"
"$populate" populate --db "$d/coord/state.db" --jobs "$jobs" --waiting 0
start_coordinator "$d"
# One client process, 20 rounds; the stream is timed to the end of its first snapshot event
# (what the jobs page waits for before it shows a row), not to the response head.
"$PY" - "$http" >"$tmp/pages.txt" <<'PY'
import http.client, sys, time, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
def timed(path, stream=False):
    t0 = time.perf_counter()
    c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    c.request("GET", path, headers={"Host": "127.0.0.1"})
    r = c.getresponse()
    if stream:
        buf = b""
        while b"event: snapshot" not in buf or not buf.split(b"event: snapshot", 1)[1].count(b"\n\n"):
            chunk = r.read1(65536)
            if not chunk:
                break
            buf += chunk
    else:
        r.read()
    t = time.perf_counter() - t0
    c.close()
    return t
for _ in range(20):
    page = timed("/")
    snap = timed("/api/stream", stream=True)
    print("page", page)
    print("stream", snap)
    print("opened", page + snap)
    print("jobs", timed("/api/jobs"))
    print("all", timed("/api/jobs?limit=10000&summary=true"))
PY
bytes_jobs=$(curl -s "$http/api/jobs" | wc -c)
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
pids=()
log "pages measured; load $(load)"

# --- 2. training with pages open ----------------------------------------------------------
d="$tmp/train"
mkdir -p "$d"
start_coordinator "$d"
for w in w1 w2; do
  "$worker" --coordinator "127.0.0.1:$port" --cache_dir "$d/$w" --threads 1 2>"$d/$w.log" &
  pids+=("$!")
done
job=$("$cli" --coordinator "127.0.0.1:$port" submit "$root/examples/demo.yaml" \
        --set training.max_steps=1000000 2>"$d/submit.log") || { cat "$d/submit.log" >&2; exit 1; }
step() { curl -s "$http/api/jobs/$job" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["progress"]["step"])'; }
for ((i = 0; i < 600; i++)); do
  s=$(step 2>/dev/null || echo 0)
  ((s >= 30)) && break
  sleep 1
done
((s >= 30)) || { echo "dashboard: the job did not train (step $s):" >&2; tail "$d/coordinator.log" >&2; exit 1; }
log "job $job trains at step $s; load $(load)"

# open_pages: DASHBOARD_PAGES clients doing what an open job page does; their PIDs in $open.
open_pages() {
  open=()
  local p
  for ((p = 0; p < pages; p++)); do
    (
      curl -s -o /dev/null "$http/jobs/$job"
      curl -s -o /dev/null "$http/api/jobs/$job"
      curl -s -o /dev/null "$http/api/jobs/$job/events?limit=10000"
      curl -s -o /dev/null "$http/api/jobs/$job/metrics?max_points=2000"
      curl -s -o /dev/null "$http/api/jobs/$job/model"
      exec curl -s -N -o "$d/stream.$p" "$http/api/stream?job=$job"
    ) &
    open+=("$!")
    pids+=("$!")
  done
}
open=()
close_pages() {
  local p
  for p in "${open[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${open[@]}"; do wait "$p" 2>/dev/null || true; done
  open=()
}
# cpu PID: its user + system CPU time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# window LABEL: one measured window; appends "LABEL first_step last_step coordinator_ticks
# ticks_per_s seconds" to windows.txt.
window() {
  local a b c0 c1 t0 t1 p k0=0 k1=0
  a=$(step)
  c0=$(cpu "$cpid")
  for p in "${open[@]}"; do k0=$((k0 + $(cpu "$p" 2>/dev/null || echo 0))); done
  t0=$(date +%s%N)
  sleep "$window"
  c1=$(cpu "$cpid")
  for p in "${open[@]}"; do k1=$((k1 + $(cpu "$p" 2>/dev/null || echo 0))); done
  t1=$(date +%s%N)
  b=$(step)
  echo "$1 $a $b $((c1 - c0)) $(getconf CLK_TCK) $(((t1 - t0) / 1000000)) $((k1 - k0))" >>"$tmp/windows.txt"
  log "window $1: steps $a..$b; load $(load)"
}
: >"$tmp/windows.txt"
sleep 5  # settle after the first steps' compilation and caches
for ((i = 0; i < pairs; i++)); do
  window none
  open_pages
  sleep 2  # the pages' first loads
  window open
  streamed=$(cat "$d"/stream.* 2>/dev/null | grep -c '^event: ' || true)
  close_pages
  log "the open pages received $streamed events"
done
curl -s "$http/api/jobs/$job/metrics" >"$tmp/points.json"

"$PY" - "$tmp/pages.txt" "$tmp/windows.txt" "$tmp/points.json" "$json" "$jobs" "$pages" "$bytes_jobs" <<'PY'
import json, statistics, sys
pages_file, windows_file, points_file, as_json, jobs, pages, bytes_jobs = sys.argv[1:8]
times = {}
for line in open(pages_file):
    what, t = line.split()
    times.setdefault(what, []).append(float(t) * 1000)
points = json.load(open(points_file))
def tps(a, b):
    xs = [p["tokens_per_second"] for p in points if a < p["step"] <= b]
    return statistics.mean(xs) if xs else float("nan")
windows = [l.split() for l in open(windows_file)]
# (label, tokens/s, steps, coordinator cores, the page clients' cores)
figures = [(w[0], tps(int(w[1]), int(w[2])), int(w[2]) - int(w[1]),
            int(w[3]) / int(w[4]) / (int(w[5]) / 1000),
            int(w[6]) / int(w[4]) / (int(w[5]) / 1000)) for w in windows]
ratios = [figures[i + 1][1] / figures[i][1] for i in range(0, len(figures) - 1, 2)]
median = statistics.median(ratios) if ratios else float("nan")
labels = {"page": "GET / (the page)", "stream": "/api/stream to its first snapshot",
          "opened": "the jobs page: both (what a browser waits for)",
          "jobs": "GET /api/jobs (newest 100)", "all": "GET /api/jobs?limit=10000&summary=true"}
if as_json == "1":
    for what, xs in times.items():
        print(json.dumps({"bench": "dashboard", "point": {"request": what, "jobs": int(jobs)},
                          "p50_ms": statistics.median(xs), "max_ms": max(xs)}))
    print(json.dumps({"bench": "dashboard", "point": {"pages": int(pages)}, "windows": figures,
                      "ratios": ratios, "median_ratio": median}))
    sys.exit(0)
print(f"# pages with {jobs} jobs stored (20 requests each; ms at the client; /api/jobs is {bytes_jobs} bytes)")
print(f"{'request':<48} {'p50':>7} {'p90':>7} {'max':>7}  goal < 100 ms")
for what in ("page", "stream", "opened", "jobs", "all"):
    xs = sorted(times[what])
    p90 = xs[int(0.9 * (len(xs) - 1))]
    goal = "" if what == "all" else ("met" if p90 < 100 else "MISSED")
    print(f"{labels[what]:<48} {statistics.median(xs):>7.1f} {p90:>7.1f} {max(xs):>7.1f}  {goal}")
print()
print(f"# the demo job on 2 workers, tokens/s per window, none vs {pages} pages open")
print(f"{'window':<8} {'steps':>6} {'tokens/s':>9} {'coordinator cores':>18} {'page clients cores':>19}")
for label, t, n, cores, clients in figures:
    print(f"{label:<8} {n:>6} {t:>9.0f} {cores:>18.3f} {clients:>19.3f}")
print(f"# ratio open/none per pair: {', '.join(f'{r:.3f}' for r in ratios)}; median {median:.3f} "
      f"(goal >= 0.97: {'met' if median >= 0.97 else 'MISSED'})")
PY
log "load at end: $(load)"
