#!/usr/bin/env bash
# bench/run translate [--quick] [--json]: translation speed (issue [12]) in two parts.
#
# library: decoding speed against the arithmetic limit (tandem_translate_bench: see its
#   header for the model, the sentences and how FLOPs are counted). For 1 and 2 threads,
#   greedy and beam 5, the decoder as it was ("before": chunks in input order, every row to the
#   chunk's end) and as it is ("after": chunks in length order, finished greedy rows leave the
#   batch), and "after" with the output layer in int8 ("int8", TranslateRequest.int8), in the
#   same invocation (TRANSLATE_VARIANTS, default "before after int8"). Speed-up: after against
#   before, int8 against after; "of limit": useful FLOP/s over the measured rate of the
#   decoder's largest matmul in float32 at the same thread count (int8 may pass 1).
#
# coordinator: a real tandem-coordinator (127.0.0.1, a port it picks, a scratch data folder,
#   --translate_threads TRANSLATE_RPC_THREADS) and one tandem-worker train the README's
#   example model size (examples/demo.yaml with embeddings 256, hidden 256, vocabularies
#   8,000; --quick: the demo's own 128/4,000) for TRANSLATE_TRAIN_STEPS steps on the bundled
#   corpus, so the job ends with a final model; it is downloaded, and
#   tandem_translate_rpc_bench (see its header) measures through JobService.Translate: one
#   short sentence's latency (greedy, beam 5) next to the same sentence decoded in-process
#   from the downloaded model at the same thread count, and 20 concurrent clients of short
#   requests alone and beside clients sending the 64 longest test sentences per request.
#   Then the coordinator is restarted on the same data with each further value of
#   TRANSLATE_BATCH_MS ("5 0": batching on, then off, as --translate_batch_ms) and the
#   concurrent clients run again: the throughput of batching against none, same invocation.
#   Goals (the issue's): one short sentence under 50 ms at the median; short requests not
#   waiting for a long request's whole batch. A model trained a few steps writes little of
#   sense; the work is its output's length (printed in words), up to the length limit.
#   Everything started is stopped by PID on exit, and the scratch folder removed.
#
# growth (only when named in TRANSLATE_PARTS): how the library's decoding grows with the beam
#   (1, 2, 5, 10), the sentence length (1-10, 11-20, 21-30, 31-50 words, beam 5) and the
#   vocabulary (2,000 to 32,000, beam 5), at TRANSLATE_GROWTH_THREADS (2) threads, on
#   TRANSLATE_GROWTH_SENTENCES (200; --quick 40; 100 per length bucket) sentences.
#
# Environment: TRANSLATE_PARTS ("library coordinator"; also "growth"), TRANSLATE_SENTENCES (1000; --quick
# 200), TRANSLATE_THREADS ("1 2"), TRANSLATE_BEAMS ("1 5"), TRANSLATE_RPC_THREADS (1: the
# coordinator's default), TRANSLATE_TRAIN_STEPS (4), TRANSLATE_REQUESTS (50; --quick 20),
# TRANSLATE_CLIENTS (20), TRANSLATE_SHORT_REQUESTS (20 per client; --quick 5),
# TRANSLATE_LONG_CLIENTS (2), TRANSLATE_BATCH_MS ("5 0").
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
parts="${TRANSLATE_PARTS:-library coordinator}"
has_part() { [[ " $parts " == *" $1 "* ]]; }
for part in $parts; do
  case "$part" in library | coordinator | growth) ;; *) echo "translate: unknown part '$part' (library, coordinator, growth)" >&2; exit 2 ;; esac
done
bin="$build/bench/translate/tandem_translate_bench"
rpc="$build/bench/translate/tandem_translate_rpc_bench"
coordinator="$build/bin/tandem-coordinator"
worker="$build/bin/tandem-worker"
cli="$build/bin/tandem"
if has_part library || has_part growth; then require_bin translate "$bin" tandem_translate_bench; fi
if has_part coordinator; then
  require_bin translate "$rpc" tandem_translate_rpc_bench
  require_bin translate "$coordinator" tandem-coordinator
  require_bin translate "$worker" tandem-worker
  require_bin translate "$cli" tandem
fi
if ((quick)); then
  n="${TRANSLATE_SENTENCES:-200}" requests="${TRANSLATE_REQUESTS:-20}" short_requests="${TRANSLATE_SHORT_REQUESTS:-5}"
else
  n="${TRANSLATE_SENTENCES:-1000}" requests="${TRANSLATE_REQUESTS:-50}" short_requests="${TRANSLATE_SHORT_REQUESTS:-20}"
fi
threads="${TRANSLATE_THREADS:-1 2}" beams="${TRANSLATE_BEAMS:-1 5}"
rpc_threads="${TRANSLATE_RPC_THREADS:-1}" train_steps="${TRANSLATE_TRAIN_STEPS:-4}"
clients="${TRANSLATE_CLIENTS:-20}" long_clients="${TRANSLATE_LONG_CLIENTS:-2}"
batch_values="${TRANSLATE_BATCH_MS:-5 0}"
growth_threads="${TRANSLATE_GROWTH_THREADS:-2}"
variants="${TRANSLATE_VARIANTS:-before after int8}"
if ((quick)); then growth_n="${TRANSLATE_GROWTH_SENTENCES:-40}"; else growth_n="${TRANSLATE_GROWTH_SENTENCES:-200}"; fi
with_scratch translate_bench
load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }
log "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load $(load)"
: >"$tmp/points.jsonl"
: >"$tmp/rpc.jsonl"
: >"$tmp/growth.jsonl"

# --- library -------------------------------------------------------------------------------
if has_part library; then
  for t in $threads; do
    OMP_NUM_THREADS=$t "$bin" --corpus "$root/data/corpus/en-es/test.en" --sentences "$n" \
      --threads "$t" --beams "$beams" --variants "$variants" >>"$tmp/points.jsonl"
  done
  log "library part done; load $(load)"
fi

# --- growth --------------------------------------------------------------------------------
if has_part growth; then
  g() { OMP_NUM_THREADS=$growth_threads "$bin" --corpus "$root/data/corpus/en-es/test.en" \
          --threads "$growth_threads" --variants after "$@" >>"$tmp/growth.jsonl"; }
  g --sentences "$growth_n" --beams "1 2 5 10"
  for bucket in "1 10" "11 20" "21 30" "31 50"; do
    read -r lo hi <<<"$bucket"
    g --sentences $((growth_n / 2)) --beams 5 --min_words "$lo" --max_words "$hi"
  done
  for v in 2000 4000 16000 32000; do g --sentences "$growth_n" --beams 5 --vocab "$v"; done
  log "growth part done; load $(load)"
fi

# --- coordinator ---------------------------------------------------------------------------
if has_part coordinator; then
  d="$tmp/coord"
  mkdir -p "$d"
  load_start=$(load)
  # start_coordinator BATCH_MS: a coordinator on $d/data (its PID in cpid, its address in
  # target); stop_coordinator ends it.
  start_coordinator() {
    rm -f "$d/port"
    "$coordinator" --data_dir "$d/data" --listen 127.0.0.1:0 --port_file "$d/port" \
      --metrics_listen "" --translate_threads "$rpc_threads" --translate_batch_ms "$1" \
      2>>"$d/coordinator.log" &
    cpid=$!
    pids+=("$cpid")
    for ((i = 0; i < 600; i++)); do [[ -s $d/port ]] && break; sleep 0.05; done
    [[ -s $d/port ]] || { echo "translate: the coordinator did not start:" >&2; tail "$d/coordinator.log" >&2; exit 1; }
    target="127.0.0.1:$(cat "$d/port")"
  }
  stop_coordinator() { kill "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; }
  read -r first_batch other_batches <<<"$batch_values"
  start_coordinator "$first_batch"
  "$worker" --coordinator "$target" --cache_dir "$d/worker" --threads 2 2>"$d/worker.log" &
  wpid=$!
  pids+=("$wpid")
  if ((quick)); then
    size=(--set model.embedding_dim=128 --set model.hidden_dim=128 --set tokenizer.vocab_size=4000)
    size_text="the demo's size (embeddings 128, hidden 128, vocabularies 4,000)"
  else
    size=(--set model.embedding_dim=256 --set model.hidden_dim=256 --set tokenizer.vocab_size=8000)
    size_text="the README's example size (embeddings 256, hidden 256, vocabularies 8,000)"
  fi
  job=$("$cli" --coordinator "$target" submit "$root/examples/demo.yaml" "${size[@]}" \
          --set "training.max_steps=$train_steps" --set workers.min=1 --set workers.max=1 \
          2>"$d/submit.log") || { cat "$d/submit.log" >&2; exit 1; }
  log "job $job submitted ($train_steps steps); waiting for its final model"
  "$cli" --coordinator "$target" watch "$job" --timeout 1200 >"$d/watch.log" 2>&1 \
    || { echo "translate: job $job did not succeed:" >&2; tail "$d/watch.log" "$d/coordinator.log" "$d/worker.log" >&2; exit 1; }
  "$cli" --coordinator "$target" download "$job" "$d/model" >/dev/null
  # The worker has no more work; stop it so only the coordinator and the clients run.
  kill "$wpid" 2>/dev/null || true
  wait "$wpid" 2>/dev/null || true
  log "final model downloaded; load $(load)"
  run_rpc() {  # BATCH_MS LATENCY(0|1)
    "$rpc" --target "$target" --job "$job" --model "$d/model" \
      --corpus "$root/data/corpus/en-es/test.en" --threads "$rpc_threads" --requests "$requests" \
      --clients "$clients" --short_requests "$short_requests" --long_clients "$long_clients" \
      --coordinator_pid "$cpid" --batch_ms "$1" --latency "$2" >>"$tmp/rpc.jsonl" \
      || { echo "translate: the coordinator part failed:" >&2; tail "$d/coordinator.log" >&2; exit 1; }
  }
  run_rpc "$first_batch" 1
  for b in $other_batches; do
    stop_coordinator
    start_coordinator "$b"
    log "coordinator restarted with --translate_batch_ms $b; load $(load)"
    run_rpc "$b" 0
  done
  load_end=$(load)
  log "coordinator part done; load $load_end"
  printf '{"part":"setup","size":"%s","train_steps":%d,"rpc_threads":%d,"blas":"%s","load_start":"%s","load_end":"%s"}\n' \
    "$size_text" "$train_steps" "$rpc_threads" "$blas_kernel" "$load_start" "$load_end" >>"$tmp/rpc.jsonl"
fi

if ((json)); then
  cat "$tmp/points.jsonl" "$tmp/rpc.jsonl" "$tmp/growth.jsonl" | sed 's/^{/{"bench":"translate",/'
  exit 0
fi
/usr/bin/python3 - "$tmp/points.jsonl" "$tmp/rpc.jsonl" "$tmp/growth.jsonl" <<'PY'
import json, sys
pts = [json.loads(l) for l in open(sys.argv[1])]
rpc = [json.loads(l) for l in open(sys.argv[2])]
growth = [json.loads(l) for l in open(sys.argv[3])]
if growth:
    g0 = growth[0]
    print(f"# growth: the decoder as it is ('after'), {g0['threads']} thread(s), forced lengths; 'of limit': useful GFLOP/s over the output layer's measured matmul rate at that vocabulary")
    print(f"{'table':>7} {'value':>9} {'beam':>4} {'vocab':>6} {'sentences':>9} {'words':>6} {'s':>7} {'words/s':>8} {'GFLOP/s':>8} {'matmul':>7} {'of limit':>8}")
    def row(table, value, p):
        print(f"{table:>7} {value:>9} {p['beam']:>4} {p['vocab']:>6} {p['sentences']:>9} {p['words']:>6} {p['seconds']:>7.2f} {p['words_per_s']:>8.0f} {p['gflop_per_s']:>8.2f} {p['matmul_gflop_per_s']:>7.1f} {p['of_limit']:>8.3f}")
    plain = [p for p in growth if p["vocab"] == 8000 and p["min_words"] == 1 and p["max_words"] == 50]
    for p in plain:
        row("beam", p["beam"], p)
    for p in growth:
        if p["vocab"] == 8000 and (p["min_words"], p["max_words"]) != (1, 50):
            row("length", f"{p['min_words']}-{p['max_words']}", p)
    for p in sorted([p for p in growth if p["beam"] == 5 and (p["min_words"], p["max_words"]) == (1, 50)], key=lambda p: p["vocab"]):
        row("vocab", p["vocab"], p)
    if pts or rpc:
        print()
if pts:
    first = pts[0]
    print(f"# {first['sentences']} bundled test sentences ({first['words']} source words), README-size model, forced lengths")
    print(f"{'threads':>7} {'decoding':>9} {'variant':>7} {'s':>7} {'words/s':>8} {'GFLOP/s':>8} {'matmul':>7} {'of limit':>8} {'speed-up':>16}")
    for p in pts:
        mode = "greedy" if p["beam"] == 1 else f"beam {p['beam']}"
        ratio = ""
        base = {"after": "before", "int8": "after"}.get(p["variant"])
        b = [q for q in pts if q["threads"] == p["threads"] and q["beam"] == p["beam"] and q["variant"] == base]
        if b:
            ratio = f"{b[0]['seconds'] / p['seconds']:.2f}x vs {base}"
        print(f"{p['threads']:>7} {mode:>9} {p['variant']:>7} {p['seconds']:>7.1f} {p['words_per_s']:>8.0f} {p['gflop_per_s']:>8.2f} {p['matmul_gflop_per_s']:>7.1f} {p['of_limit']:>8.3f} {ratio:>16}")
    print("# goal (issue [12]): beam 5 and greedy at 2 threads at least 0.5 of the limit")
if rpc:
    if pts:
        print()
    setup = [p for p in rpc if p["part"] == "setup"][0]
    lat = [p for p in rpc if p["part"] == "latency"]
    conc = [p for p in rpc if p["part"] == "concurrent"]
    print(f"# through the coordinator: a job of {setup['size']} trained {setup['train_steps']} steps "
          f"(its final model), --translate_threads {setup['rpc_threads']}; BLAS {setup['blas']}; "
          f"load {setup['load_start']} -> {setup['load_end']}")
    def mode_of(p):
        return (("greedy" if p["beam"] == 1 else f"beam {p['beam']}") + (" bf16" if p.get("bf16") else "")
                + (" int8" if p.get("int8") else ""))
    outs = ", ".join(f"{mode_of(p)} {p['out_words']}" for p in lat if p["path"] == "coordinator" and "out_words" in p)
    print(f"# a. one {lat[0]['words']}-word sentence (output words: {outs}), {lat[0]['requests']} requests in a row after a warm-up; "
          f"library: the same sentence, downloaded model, in-process, {lat[0]['threads']} thread(s), alternating with them")
    print(f"{'decoding':>11} {'path':>11} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'CPU ms':>7} {'coordinator/library':>20}")
    goals = []
    for p in lat:
        mode = mode_of(p)
        ratio = ""
        if p["path"] == "coordinator":
            l = [q for q in lat if q["beam"] == p["beam"] and q.get("bf16") == p.get("bf16") and q.get("int8") == p.get("int8") and q["path"] == "library"][0]
            ratio = f"{p['p50_ms'] / l['p50_ms']:.2f}x ({p['p50_ms'] - l['p50_ms']:+.1f} ms)"
            goals.append(f"{mode} {p['p50_ms']:.1f} ms ({'met' if p['p50_ms'] < 50 else 'MISSED'})")
        cpu = f"{p['cpu_ms']:.1f}" if p.get("cpu_ms", -1) >= 0 else "-"
        print(f"{mode:>11} {p['path']:>11} {p['p50_ms']:>7.1f} {p['p90_ms']:>7.1f} {p['p99_ms']:>7.1f} {p['max_ms']:>7.1f} {cpu:>7} {ratio:>20}")
    print("# CPU ms: per request, the coordinator process's (all its threads) and the in-process decode's: about the latency on a free core")
    print(f"# goal: one short sentence through the coordinator under 50 ms at the median: {', '.join(goals)}")
    if conc:
        c0 = conc[0]
        long_p = [c for c in conc if c["long_clients"] > 0]
        desc = f"# b. {c0['clients']} clients x {c0['short_requests'] // c0['clients']} one-sentence requests (5-8 words, beam {c0['beam']}), back to back"
        if long_p:
            desc += f"; alone, and beside {long_p[0]['long_clients']} clients sending the {long_p[0]['long_sentences']} longest test sentences ({long_p[0]['long_words']} words) per request until they are done"
        print(desc)
        print("# short s, short/s: to the last short answer, short sentences per second; all s, all/s: to the last answer (long ones included), all sentences per second")
        print("# batch ms: the coordinator's --translate_batch_ms (0: every request decodes alone)")
        print("# CPU ms/sent.: the coordinator's CPU time over the part, per sentence answered (long ones included)")
        print(f"{'batch ms':>8} {'load':>10} {'short reqs':>10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'long reqs':>9} {'long p50 ms':>11} {'short s':>7} {'short/s':>7} {'all s':>6} {'all/s':>6} {'CPU ms/sent.':>12}")
        for c in conc:
            lp = f"{c['long_p50_ms']:.0f}" if c["long_requests"] else "-"
            print(f"{c.get('batch_ms', '-'):>8} {c['load']:>10} {c['short_requests']:>10} {c['short_p50_ms']:>8.1f} {c['short_p90_ms']:>8.1f} {c['short_p99_ms']:>8.1f} {c['short_max_ms']:>8.1f} {c['long_requests']:>9} {lp:>11} {c['short_seconds']:>7.1f} {c['short_sentences_per_s']:>7.1f} {c['seconds']:>6.1f} {c['sentences_per_s']:>6.1f} {c.get('cpu_ms_per_sentence', -1):>12.1f}")
        for bm in dict.fromkeys(c.get("batch_ms") for c in conc):
            alone = [c for c in conc if c.get("batch_ms") == bm and c["long_clients"] == 0]
            mixed = [c for c in conc if c.get("batch_ms") == bm and c["long_clients"] > 0]
            if not alone or not mixed:
                continue
            a, b = alone[0], mixed[0]
            waited = b["short_p99_ms"] >= b["long_p50_ms"]
            print(f"# batch {bm} ms: with the long requests the short ones' p50 is {b['short_p50_ms'] / a['short_p50_ms']:.2f}x and p99 {b['short_p99_ms'] / a['short_p99_ms']:.2f}x alone; "
                  f"p99 {b['short_p99_ms']:.0f} ms against a long request's {b['long_p50_ms']:.0f} ms: "
                  + ("short requests WAITED for long batches (goal MISSED)" if waited else "no short request waited for a long one's whole batch (goal met)"))
        off = {c["load"]: c for c in conc if c.get("batch_ms") == 0}
        for c in conc:
            o = off.get(c["load"])
            if c.get("batch_ms") and o:
                cpu = ""
                if c.get("cpu_ms_per_sentence", -1) > 0 and o.get("cpu_ms_per_sentence", -1) > 0:
                    cpu = f", coordinator CPU per sentence {c['cpu_ms_per_sentence'] / o['cpu_ms_per_sentence']:.2f}x"
                print(f"# {c['load']}: batching ({c['batch_ms']} ms) against none: short sentences/s {c['short_sentences_per_s'] / o['short_sentences_per_s']:.2f}x, "
                      f"short p50 {c['short_p50_ms'] / o['short_p50_ms']:.2f}x, p99 {c['short_p99_ms'] / o['short_p99_ms']:.2f}x{cpu}")
PY
