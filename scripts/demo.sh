#!/usr/bin/env bash
# The main job: a local coordinator and two workers train an attention translation model on
# the bundled English-Spanish corpus (data/corpus/en-es) for a few minutes, then the coordinator
# translates held-out sentences with the job's model (scored with BLEU and chrF) and draws the
# attention of one, and the model is downloaded for local use.
# Installs what is missing and builds what is not built first.
# Everything it writes goes under .tandem/demo/; the processes it starts are stopped (by PID)
# when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/install-deps.sh
bash scripts/build.sh tandem tandem-coordinator tandem-worker tandem-local tandem_spm
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
    --threads 1 2>"$DEMO/worker$i.log" &
  PIDS+=($!)
done
for _ in $(seq 100); do
  [[ $("$BIN/tandem" workers --json | grep -o '"state":"idle"' | wc -l) -ge 2 ]] && break
  sleep 0.1
done
"$BIN/tandem" workers
echo
JOB=$("$BIN/tandem" submit examples/demo.yaml)
echo "submitted $JOB; following it until it ends (a few minutes)"
"$BIN/tandem" watch "$JOB" --timeout 1800
echo
"$BIN/tandem" status "$JOB"
echo
"$BIN/tandem" download "$JOB" "$DEMO/model"
"$BIN/tandem" plot "$JOB" -o "$DEMO/curves.svg"

# Held-out test sentences (never seen in training): translate, score, show a few.
TEST=data/corpus/en-es/test
head -n 200 "$TEST.en" >"$DEMO/test.en"
head -n 200 "$TEST.es" >"$DEMO/test.es"
"$BIN/tandem" translate --job "$JOB" --beam 1 <"$DEMO/test.en" >"$DEMO/test.hyp"
echo
echo "== BLEU on 200 held-out test sentences (greedy decoding on the coordinator) =="
"$BIN/tandem" score --ref "$DEMO/test.es" --hyp "$DEMO/test.hyp" --src "$DEMO/test.en"
echo
echo "== sample translations =="
for i in 1 2 3 4 5; do
  echo "EN:  $(sed -n "${i}p" "$DEMO/test.en")"
  echo "REF: $(sed -n "${i}p" "$DEMO/test.es")"
  echo "OUT: $(sed -n "${i}p" "$DEMO/test.hyp")"
  echo
done
"$BIN/tandem" attention --job "$JOB" -o "$DEMO/attention.svg" \
  "Click the button to open the dialog."
echo
echo "model: $DEMO/model"
echo "attention heatmap: $DEMO/attention.svg   training curves: $DEMO/curves.svg"
echo "try: build/bin/tandem translate --model $DEMO/model \"Save the document.\"   (locally)"
