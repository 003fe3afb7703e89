#!/usr/bin/env bash
# bench/run translate [--quick] [--json]: decoding speed against the arithmetic limit
# (issue [12]), the library path (tandem_translate_bench: see its header for the model, the
# sentences and how FLOPs are counted). For 1 and 2 threads, greedy and beam 5, the decoder
# as it was ("before": chunks in input order, every row to the chunk's end) and as it is
# ("after": chunks in length order, finished greedy rows leave the batch), in the same
# invocation. Ratio: after / before; "of limit": useful FLOP/s over the measured rate of the
# decoder's largest matmul at the same thread count.
#
# Environment: TRANSLATE_SENTENCES (1000; --quick 200), TRANSLATE_THREADS ("1 2"),
# TRANSLATE_BEAMS ("1 5").
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bin="$build/bench/translate/tandem_translate_bench"
require_bin translate "$bin" tandem_translate_bench
if ((quick)); then n="${TRANSLATE_SENTENCES:-200}"; else n="${TRANSLATE_SENTENCES:-1000}"; fi
threads="${TRANSLATE_THREADS:-1 2}" beams="${TRANSLATE_BEAMS:-1 5}"
with_scratch translate_bench
echo "# $(date -u +%FT%TZ) machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for t in $threads; do
  OMP_NUM_THREADS=$t "$bin" --corpus "$root/data/corpus/en-es/test.en" --sentences "$n" \
    --threads "$t" --beams "$beams" >>"$tmp/points.jsonl"
done
if ((json)); then
  sed 's/^{/{"bench":"translate",/' "$tmp/points.jsonl"
  exit 0
fi
/usr/bin/python3 - "$tmp/points.jsonl" <<'PY'
import json, sys
pts = [json.loads(l) for l in open(sys.argv[1])]
first = pts[0]
print(f"# {first['sentences']} bundled test sentences ({first['words']} source words), README-size model, forced lengths")
print(f"{'threads':>7} {'decoding':>9} {'variant':>7} {'s':>7} {'words/s':>8} {'GFLOP/s':>8} {'matmul':>7} {'of limit':>8} {'after/before':>12}")
for p in pts:
    mode = "greedy" if p["beam"] == 1 else f"beam {p['beam']}"
    ratio = ""
    if p["variant"] == "after":
        b = [q for q in pts if q["threads"] == p["threads"] and q["beam"] == p["beam"] and q["variant"] == "before"][0]
        ratio = f"{b['seconds'] / p['seconds']:.2f}x"
    print(f"{p['threads']:>7} {mode:>9} {p['variant']:>7} {p['seconds']:>7.1f} {p['words_per_s']:>8.0f} {p['gflop_per_s']:>8.2f} {p['matmul_gflop_per_s']:>7.1f} {p['of_limit']:>8.3f} {ratio:>12}")
print("# goal (issue [12]): beam 5 and greedy at 2 threads at least 0.5 of the limit")
PY
