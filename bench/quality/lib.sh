# Shared by bench/quality/run.sh and budget.sh (sourced after ../common.sh): logging, the
# working folder (QUALITY_OUT, or a new /tmp/<prefix>.XXXXXX; kept at exit when keep=1) with
# the trainings in `pids` stopped at exit, and the test set (the first TEST_LINES pairs).
load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "# $(date -u +%FT%TZ) $*" >&2; }
now() { date +%s.%N; }

# quality_workdir PREFIX: sets `out` and the exit trap; needs `keep`.
quality_workdir() {
  if [[ -n ${QUALITY_OUT:-} ]]; then
    out="$QUALITY_OUT"
    mkdir -p "$out"
  else
    out="$(mktemp -d "/tmp/$1.XXXXXX")"
  fi
  pids=()  # trainings this script started and has not reaped
  trap quality_cleanup EXIT
  trap 'exit 130' INT TERM
}
quality_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((keep)); then log "models, logs, translations and scores kept in $out"; else rm -rf "$out"; fi
}

# quality_test_set CORPUS LINES: CORPUS/test.{en,es} (their first LINES pairs; 0 = all) to $out.
quality_test_set() {
  if (($2 > 0)); then
    head -n "$2" "$1/test.en" >"$out/test.en"
    head -n "$2" "$1/test.es" >"$out/test.es"
  else
    cp "$1/test.en" "$1/test.es" "$out/"
  fi
}

# quality_decode NAME: translates $out/test.en with the model in $out/NAME (beam $beam, nice
# $nice_level) into $out/NAME.hyp, its wall time in $out/NAME.decode_seconds, and scores it
# against $out/test.es with BLEU by source length: $out/NAME.score.json.
quality_decode() {
  log "translating $(wc -l <"$out/test.en") test sentences with $1, beam $beam; load $(load)"
  local t0
  t0="$(now)"
  nice -n "$nice_level" "$tandem" translate --model "$out/$1" --beam "$beam" \
    <"$out/test.en" >"$out/$1.hyp"
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f\n", b - a }' >"$out/$1.decode_seconds"
  "$tandem" score --ref "$out/test.es" --hyp "$out/$1.hyp" --src "$out/test.en" --json \
    >"$out/$1.score.json"
}
