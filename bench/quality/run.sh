#!/usr/bin/env bash
# bench/run quality [--quick] [--json]: does attention help, and most on long sentences?
# (issue [2]). Trains the Bahdanau model (bench/quality/bahdanau.yaml) and the plain
# encoder-decoder with one fixed context vector (bench/quality/none.yaml) on the bundled en-es
# corpus with the same budget: the two job files differ only in model.attention (same
# tokenizer, model size, seed, batch_tokens, max_steps). Both train at the same time, one
# LibTorch thread each (`tandem train --local --threads 1`) under `nice` (the budget is in
# steps, so CPU contention changes the wall time, not the result). Then each translates the
# held-out test set (data/corpus/en-es/test.en, beam search, same beam for both) and
# `tandem score --src` scores it: BLEU, chrF and BLEU per source-length bucket.
#
# Table: one row per figure (BLEU overall, chrF, BLEU per English-length bucket), the two
# models side by side, the difference and the ratio bahdanau / none (above 1: attention
# better). --json: one object per model (DESIGN.md section 10): `tandem` is that model's test
# BLEU, `peer` the none model's, `ratio` their quotient, plus chrF, the buckets and the
# training figures.
#
# --quick: 40 steps and the first 100 test sentences (a smoke test of the path; BLEU ~0).
# Environment: TANDEM_BIN_DIR (where tandem and tandem-local are; default
# $TANDEM_BUILD_DIR/bin), STEPS (override max_steps of both job files), TEST_LINES (score only
# the first N test pairs; 0 = all), BEAM (default 5; 1 = greedy), NICE (niceness of the
# trainings and decodes, default 10), QUALITY_OUT (working folder: models, logs,
# translations, scores; default a new /tmp/tandem_quality.XXXXXX), KEEP (1: keep that folder,
# the default for a full run; 0: remove it at exit, the default with --quick).
set -euo pipefail
# With QUALITY_BUDGET (a duration): issue [11]'s benchmark instead (budget.sh).
if [[ -n ${QUALITY_BUDGET:-} ]]; then exec "$(dirname "${BASH_SOURCE[0]}")/budget.sh" "$@"; fi
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bindir="${TANDEM_BIN_DIR:-$build/bin}"
tandem="$bindir/tandem"
require_bin quality "$tandem" tandem
require_bin quality "$bindir/tandem-local" tandem-local
PY=/usr/bin/python3
[[ -x "$PY" ]] || { echo "quality: $PY not found" >&2; exit 1; }
here="$root/bench/quality"
corpus="$root/data/corpus/en-es"
models=(bahdanau none)

if ((quick)); then
  steps="${STEPS:-40}" test_lines="${TEST_LINES:-100}" keep="${KEEP:-0}"
else
  steps="${STEPS:-}" test_lines="${TEST_LINES:-0}" keep="${KEEP:-1}"
fi
beam="${BEAM:-5}"
nice_level="${NICE:-10}"

# shellcheck source=lib.sh
source "$here/lib.sh"

# The comparison is only fair if the two job files differ in model.attention alone.
strip() { grep -v -e '^#' -e '^ *attention:' "$1"; }
if ! diff <(strip "$here/bahdanau.yaml") <(strip "$here/none.yaml") >/dev/null; then
  echo "quality: bahdanau.yaml and none.yaml differ in more than model.attention" >&2
  diff <(strip "$here/bahdanau.yaml") <(strip "$here/none.yaml") >&2 || true
  exit 1
fi

quality_workdir tandem_quality

log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
log "binaries: $bindir; working folder: $out; load at start: $(load)"

# The job files, with absolute corpus paths (they are copied out of bench/quality) and the
# step override if any.
for m in "${models[@]}"; do
  sed_args=(-e "s|\.\./\.\./data/|$root/data/|")
  [[ -n $steps ]] && sed_args+=(-e "s|^\(  max_steps:\).*|\1 $steps|")
  sed "${sed_args[@]}" "$here/$m.yaml" >"$out/$m.yaml"
  rm -rf "${out:?}/$m"
done
steps="$(sed -n 's/^  max_steps: *//p' "$out/bahdanau.yaml")"

# The test set, or its first TEST_LINES pairs.
quality_test_set "$corpus" "$test_lines"

# Train both at once, one thread each.
declare -A started
for m in "${models[@]}"; do
  log "training $m: $steps steps, --threads 1, nice $nice_level; load $(load)"
  started[$m]="$(now)"
  nice -n "$nice_level" "$tandem" train --local "$out/$m.yaml" --out "$out/$m" --threads 1 \
    >"$out/$m.train.out" 2>"$out/$m.train.log" &
  pids+=($!)
  echo "$m" >"$out/pid.$!"
done
while ((${#pids[@]} > 0)); do
  rc=0
  wait -n -p done_pid "${pids[@]}" || rc=$?
  t_end="$(now)"
  m="$(cat "$out/pid.$done_pid")"
  rest=()
  for p in "${pids[@]}"; do [[ $p == "$done_pid" ]] || rest+=("$p"); done
  pids=("${rest[@]+"${rest[@]}"}")
  if ((rc != 0)); then
    echo "quality: training $m failed (exit $rc); the end of $out/$m.train.log:" >&2
    tail -n 20 "$out/$m.train.log" >&2
    exit 1
  fi
  awk -v a="${started[$m]}" -v b="$t_end" 'BEGIN { printf "%.1f\n", b - a }' >"$out/$m.train_seconds"
  log "trained $m in $(cat "$out/$m.train_seconds") s: $(grep '^step ' "$out/$m.train.log" | tail -n1); load $(load)"
done
# Same seed, same corpus: the two tokenizers should hold the same pieces and scores (the model
# files themselves differ: they record their own training paths).
if command -v spm_export_vocab >/dev/null; then
  for f in source target; do
    if cmp -s <(spm_export_vocab --model "$out/bahdanau/$f.model") \
      <(spm_export_vocab --model "$out/none/$f.model"); then
      log "the two $f tokenizers hold the same vocabulary"
    else
      log "WARNING: the two $f tokenizers differ"
    fi
  done
fi

# Translate the test set with each (one after the other: decoding uses two threads) and score.
for m in "${models[@]}"; do
  quality_decode "$m"
  "$tandem" score --ref "$out/test.es" --hyp "$out/$m.hyp" --src "$out/test.en" \
    >"$out/$m.score.txt"
done
log "load at end: $(load)"

"$PY" - "$out" "$json" "$beam" "$nice_level" <<'PY'
import json, re, sys
out, as_json, beam, nice = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), int(sys.argv[4])
MODELS = ["bahdanau", "none"]

def train_stats(m):
    log = open(f"{out}/{m}.train.log").read()
    params = re.search(r"model: (\d+) parameters", log)
    steps = re.findall(r"^step (\d+)  epoch (\d+)  loss ([\d.]+)  lr \S+  (\d+) tok/s", log, re.M)
    valid = re.findall(r"^validation at step (\d+): loss ([\d.]+)  BLEU ([\d.]+) \((\d+) sentences\)",
                       log, re.M)
    s = steps[-1] if steps else ("0", "0", "nan", "0")
    return {
        "parameters": int(params.group(1)) if params else None,
        "steps": int(s[0]), "epoch": int(s[1]), "final_loss": float(s[2]),
        "tokens_per_s": float(s[3]),
        "seconds": float(open(f"{out}/{m}.train_seconds").read()),
        "validation": [{"step": int(v[0]), "loss": float(v[1]), "bleu": float(v[2]),
                        "sentences": int(v[3])} for v in valid],
    }

r = {}
for m in MODELS:
    sc = json.load(open(f"{out}/{m}.score.json"))
    r[m] = {"score": sc, "train": train_stats(m),
            "decode_seconds": float(open(f"{out}/{m}.decode_seconds").read())}
spec = open(f"{out}/bahdanau.yaml").read()
def field(name):
    x = re.search(rf"^\s*{name}:\s*(\S+)", spec, re.M)
    return x.group(1) if x else None
config = {k: field(k) for k in ("vocab_size", "cell", "embedding_dim", "hidden_dim",
                                "batch_tokens", "max_steps", "learning_rate", "warmup_steps",
                                "lr_schedule", "seed", "max_words")}
config.update({"threads": 1, "beam": beam, "nice": nice})

def ratio(a, b):
    return round(a / b, 3) if b > 0 else None

base = r["none"]["score"]
if as_json:
    for m in MODELS:
        sc, tr = r[m]["score"], r[m]["train"]
        buckets = []
        for b, nb in zip(sc["buckets"], base["buckets"]):
            buckets.append({"label": b["label"], "segments": b["segments"],
                            "bleu": b["bleu"]["score"] if b["segments"] else None,
                            "bp": b["bleu"]["bp"] if b["segments"] else None,
                            "none_bleu": nb["bleu"]["score"] if nb["segments"] else None})
        print(json.dumps({
            "bench": "quality", "point": {"attention": m},
            "tandem": sc["bleu"]["score"], "peer": base["bleu"]["score"],
            "peer_name": "attention none (same job, same budget)",
            "ratio": ratio(sc["bleu"]["score"], base["bleu"]["score"]), "unit": "test BLEU",
            "bleu": sc["bleu"]["score"], "chrf": sc["chrf"]["score"],
            "segments": sc["segments"], "buckets": buckets,
            "bleu_signature": sc["bleu"]["signature"], "chrf_signature": sc["chrf"]["signature"],
            "train": tr, "decode_seconds": r[m]["decode_seconds"], "config": config,
        }))
    sys.exit(0)

a, n = r["bahdanau"]["score"], r["none"]["score"]
rows = [("BLEU (all)", a["segments"], a["bleu"]["score"], n["bleu"]["score"]),
        (n["chrf"]["name"] + " (all)", a["segments"], a["chrf"]["score"], n["chrf"]["score"])]
for b, nb in zip(a["buckets"], n["buckets"]):
    if b["segments"]:
        rows.append((f"BLEU {b['label']} words", b["segments"], b["bleu"]["score"],
                     nb["bleu"]["score"]))
print(f"{'figure':<20} {'segments':>8} {'bahdanau':>9} {'none':>7} {'diff':>7} {'ratio':>7}")
for name, segs, x, y in rows:
    q = ratio(x, y)
    print(f"{name:<20} {segs:>8} {x:9.2f} {y:7.2f} {x - y:+7.2f} "
          + (f"{q:6.2f}x" if q is not None else f"{'-':>7}"))
print("# diff: bahdanau - none; ratio: bahdanau / none (above 1: attention better)")
print(f"# test: {a['segments']} pairs of data/corpus/en-es/test, beam {beam}; "
      f"BLEU {a['bleu']['signature']}")
for m in MODELS:
    tr = r[m]["train"]
    v = tr["validation"][-1] if tr["validation"] else None
    print(f"# {m}: {tr['parameters']} parameters, {tr['steps']} steps (epoch {tr['epoch']}), "
          f"final train loss {tr['final_loss']:.3f}"
          + (f", valid loss {v['loss']:.3f} greedy BLEU {v['bleu']:.2f} ({v['sentences']} sent.)"
             if v else "")
          + f"; trained in {tr['seconds']:.0f} s ({tr['tokens_per_s']:.0f} tok/s), "
          f"decoded in {r[m]['decode_seconds']:.0f} s")
print("# config: " + ", ".join(f"{k}={v}" for k, v in config.items()))
PY
