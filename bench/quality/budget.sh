#!/usr/bin/env bash
# QUALITY_BUDGET=30m bench/run quality [--quick] [--json]: the most quality a fixed time buys
# (issue [11]). Three models on the bundled en-es corpus, each trained twice for the same wall
# time (training.max_duration = QUALITY_BUDGET):
#   budget: lr_schedule linear (warm-up, then decay to 0 exactly where the budget runs out,
#           re-estimated from the measured pace) and the parameters' moving average
#           (ema_decay 0.999, used for validation and the final model);
#   fixed:  the same job as a fixed-step run would train it (inverse_sqrt, no average), cut at
#           the same time: "its own fixed-step run of the same wall time".
# Models: bahdanau.yaml (GRU with Bahdanau attention), none.yaml (GRU, one fixed context
# vector), transformer.yaml (pre-norm Transformer); same corpus, tokenizer, batch and seed.
# A model's two runs train at the same time, one LibTorch thread each (`tandem train --local`;
# each gets one of this machine's two cores, the same share for both), models one after the
# other: 3 x QUALITY_BUDGET in all, then the six decodes. Each model translates the held-out
# test set (beam 5) and `tandem score --src` scores it: BLEU and chrF overall and by English
# source length.
#
# The table: one row per figure, the six runs side by side; then the issue's three questions
# as ratios: attention / none by bucket (budget runs), transformer / bahdanau, and budget /
# fixed per model. --json: one object per run (tandem = its BLEU, peer = its fixed twin's).
# --quick: the first 100 test sentences (with a small QUALITY_BUDGET, e.g. 1m: a smoke test).
# Environment as run.sh: TANDEM_BIN_DIR, TEST_LINES, BEAM (5), NICE (10), QUALITY_OUT, KEEP;
# QUALITY_MODELS: which models, of "bahdanau none transformer" (the default, all three); the
# table has their columns and the ratios whose two sides ran.
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bindir="${TANDEM_BIN_DIR:-$build/bin}"
tandem="$bindir/tandem"
require_bin quality "$tandem" tandem
require_bin quality "$bindir/tandem-local" tandem-local
PY=/usr/bin/python3
here="$root/bench/quality"
corpus="$root/data/corpus/en-es"
budget="${QUALITY_BUDGET:?QUALITY_BUDGET, e.g. 30m}"
read -r -a models <<<"${QUALITY_MODELS:-bahdanau none transformer}"
for m in "${models[@]}"; do
  [[ -f $here/$m.yaml ]] || { echo "quality: QUALITY_MODELS: no model '$m' (bahdanau, none, transformer)" >&2; exit 2; }
done
variants=(budget fixed)
if ((quick)); then test_lines="${TEST_LINES:-100}" keep="${KEEP:-0}"; else test_lines="${TEST_LINES:-0}" keep="${KEEP:-1}"; fi
beam="${BEAM:-5}"
nice_level="${NICE:-10}"
# shellcheck source=lib.sh
source "$here/lib.sh"

quality_workdir tandem_quality_budget

log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
log "budget $budget per run; binaries: $bindir; working folder: $out; load at start: $(load)"

# The job files: step limits and cadences out (the budget sets them), the budget in; the
# budget variant with the linear schedule and the average.
for m in "${models[@]}"; do
  for v in "${variants[@]}"; do
    f="$out/$m.$v.yaml"
    sed -e "s|\.\./\.\./data/|$root/data/|" \
      -e '/^  max_steps:/d' -e '/^  validation_interval_steps:/d' \
      -e '/^  checkpoint_interval_steps:/d' "$here/$m.yaml" >"$f"
    if [[ $v == budget ]]; then
      sed -i -e "s|^\(  lr_schedule:\).*|\1 linear|" "$f"
      sed -i -e "s|^training:|training:\n  max_duration: $budget\n  ema_decay: 0.999|" "$f"
    else
      sed -i -e "s|^training:|training:\n  max_duration: $budget|" "$f"
    fi
    rm -rf "${out:?}/$m.$v"
  done
done
quality_test_set "$corpus" "$test_lines"

for m in "${models[@]}"; do
  log "training $m, budget and fixed at once, $budget each; load $(load)"
  pids=()
  for v in "${variants[@]}"; do
    nice -n "$nice_level" "$tandem" train --local "$out/$m.$v.yaml" --out "$out/$m.$v" \
      --threads 1 >"$out/$m.$v.train.out" 2>"$out/$m.$v.train.log" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      echo "quality: training $m.${variants[$i]} failed; the end of its log:" >&2
      tail -n 20 "$out/$m.${variants[$i]}.train.log" >&2
      exit 1
    fi
  done
  pids=()
  for v in "${variants[@]}"; do log "$m.$v: $(grep '^step ' "$out/$m.$v.train.log" | tail -n1)"; done
done

for m in "${models[@]}"; do
  for v in "${variants[@]}"; do quality_decode "$m.$v"; done
done
log "load at end: $(load)"

"$PY" - "$out" "$json" "$beam" "$budget" "${models[*]}" <<'PY'
import json, re, sys
out, as_json, beam, budget = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4]
MODELS, VARIANTS = sys.argv[5].split(), ["budget", "fixed"]
RUNS = [(m, v) for m in MODELS for v in VARIANTS]

def train_stats(name):
    log = open(f"{out}/{name}.train.log").read()
    params = re.search(r"model: (\d+) parameters", log)
    steps = re.findall(r"^step (\d+)  epoch (\d+)  loss ([\d.]+)  lr \S+  (\d+) tok/s", log, re.M)
    s = steps[-1] if steps else ("0", "0", "nan", "0")
    return {"parameters": int(params.group(1)) if params else None, "steps": int(s[0]),
            "epoch": int(s[1]), "final_loss": float(s[2]), "tokens_per_s": float(s[3])}

r = {}
for m, v in RUNS:
    name = f"{m}.{v}"
    r[name] = {"score": json.load(open(f"{out}/{name}.score.json")), "train": train_stats(name),
               "decode_seconds": float(open(f"{out}/{name}.decode_seconds").read())}

def bleu(name, bucket=None):
    sc = r[name]["score"]
    if bucket is None:
        return sc["bleu"]["score"]
    b = sc["buckets"][bucket]
    return b["bleu"]["score"] if b["segments"] else None

def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None

if as_json:
    for m, v in RUNS:
        name, twin = f"{m}.{v}", f"{m}.{'fixed' if v == 'budget' else 'budget'}"
        sc = r[name]["score"]
        print(json.dumps({
            "bench": "quality-budget", "point": {"model": m, "schedule": v, "budget": budget},
            "tandem": bleu(name), "peer": bleu(twin), "peer_name": f"{twin} (same wall time)",
            "ratio": ratio(bleu(name), bleu(twin)), "unit": "test BLEU",
            "chrf": sc["chrf"]["score"], "segments": sc["segments"],
            "buckets": [{"label": b["label"], "segments": b["segments"],
                         "bleu": b["bleu"]["score"] if b["segments"] else None}
                        for b in sc["buckets"]],
            "train": r[name]["train"], "decode_seconds": r[name]["decode_seconds"]}))
    sys.exit(0)

first = r[f"{MODELS[0]}.budget"]["score"]
names = [f"{m}.{v}" for m, v in RUNS]
print(f"{'figure':<18} {'segments':>8} " + " ".join(f"{n:>18}" for n in names))
print(f"{'BLEU (all)':<18} {first['segments']:>8} " + " ".join(f"{bleu(n):18.2f}" for n in names))
print(f"{first['chrf']['name'] + ' (all)':<18} {first['segments']:>8} "
      + " ".join(f"{r[n]['score']['chrf']['score']:18.2f}" for n in names))
for i, b in enumerate(first["buckets"]):
    if not b["segments"]:
        continue
    print(f"{'BLEU ' + b['label']:<18} {b['segments']:>8} "
          + " ".join(f"{bleu(n, i):18.2f}" for n in names))
print(f"{'steps':<18} {'':>8} " + " ".join(f"{r[n]['train']['steps']:>18}" for n in names))
print(f"{'tokens/s':<18} {'':>8} " + " ".join(f"{r[n]['train']['tokens_per_s']:18.0f}" for n in names))
print(f"{'parameters':<18} {'':>8} " + " ".join(f"{str(r[n]['train']['parameters']):>18}" for n in names))

def fmt(q):
    return f"{q:.2f}x" if q is not None else "-"
if "bahdanau" in MODELS and "none" in MODELS:
    by_bucket = [f"{b['label']} {fmt(ratio(bleu('bahdanau.budget', i), bleu('none.budget', i)))}"
                 for i, b in enumerate(first["buckets"]) if b["segments"]]
    print(f"attention / none (budget runs), BLEU: all {fmt(ratio(bleu('bahdanau.budget'), bleu('none.budget')))}; "
          + ", ".join(by_bucket))
if "transformer" in MODELS and "bahdanau" in MODELS:
    print(f"transformer / bahdanau (budget runs), BLEU: {fmt(ratio(bleu('transformer.budget'), bleu('bahdanau.budget')))}")
print("budget / fixed, BLEU: " + ", ".join(
    f"{m} {fmt(ratio(bleu(m + '.budget'), bleu(m + '.fixed')))}" for m in MODELS))
print(f"# {first['segments']} test pairs of data/corpus/en-es/test, beam {beam}; each run "
      f"{budget} of wall time (training.max_duration), one thread, the two runs of a model at "
      f"once; BLEU {first['bleu']['signature']}")
PY
