#!/usr/bin/env bash
# The main job: a local coordinator and two workers take a job on the bundled English-Spanish
# corpus (data/corpus/en-es). Installs what is missing and builds what is not built first.
# Everything it writes goes under .tandem/demo/; the processes it starts are stopped (by PID)
# when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/install-deps.sh
bash scripts/build.sh tandem tandem-coordinator tandem-worker tandem_spm
BIN=$ROOT/build/bin
DEMO=$ROOT/.tandem/demo
rm -rf "$DEMO"
mkdir -p "$DEMO"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

"$BIN/tandem-coordinator" --data_dir "$DEMO/coordinator" --listen 127.0.0.1:0 \
  --port_file "$DEMO/port" 2>"$DEMO/coordinator.log" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s $DEMO/port ]] && break; sleep 0.1; done
[[ -s $DEMO/port ]] || { echo "coordinator did not start; see $DEMO/coordinator.log" >&2; exit 1; }
export TANDEM_COORDINATOR=127.0.0.1:$(cat "$DEMO/port")
echo "coordinator on $TANDEM_COORDINATOR (log: $DEMO/coordinator.log)"
for i in 1 2; do
  "$BIN/tandem-worker" --coordinator "$TANDEM_COORDINATOR" --cache_dir "$DEMO/worker$i-cache" \
    2>"$DEMO/worker$i.log" &
  PIDS+=($!)
done
for _ in $(seq 100); do
  [[ $("$BIN/tandem" workers --json | grep -o '"WORKER_STATE_IDLE"' | wc -l) -ge 2 ]] && break
  sleep 0.1
done
"$BIN/tandem" workers
echo
JOB=$("$BIN/tandem" submit examples/demo.yaml)
echo "submitted $JOB; following it until both workers have their shards"
"$BIN/tandem" watch "$JOB" --until ready --timeout 600
echo
"$BIN/tandem" status "$JOB"
echo
echo "Training on the workers arrives with the next milestone (issue [4]); the job stops here."
"$BIN/tandem" cancel "$JOB" >/dev/null
