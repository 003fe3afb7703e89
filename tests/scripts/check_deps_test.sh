#!/usr/bin/env bash
# Self-test of scripts/check-deps.sh: runs it over small temporary trees and checks that a
# forbidden include fails naming the file and the include, that every violation is listed,
# and that allowed includes (lower folders, generated protos, other libraries, bench/,
# tests/) pass.
#   tests/scripts/check_deps_test.sh SOURCE_ROOT
set -euo pipefail
script="$1/scripts/check-deps.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# put TREE FILE LINE...: writes the lines to TREE/FILE.
put() {
  local tree=$1 file=$2
  shift 2
  mkdir -p "$(dirname "$tree/$file")"
  printf '%s\n' "$@" >"$tree/$file"
}

# A tree where everything is allowed.
good=$tmp/good
put "$good" common/log.h '#include <string>'
put "$good" data/corpus.cc '#include "data/corpus.h"' '#include "common/log.h"' \
  '#include "absl/strings/str_cat.h"' '#include "tandem/v1/job.pb.h"' '#include "utf8.h"'
put "$good" model/seq2seq.cc '#include "data/batching.h"' '#include <torch/torch.h>'
put "$good" training/trainer.cc '#include "collective/communicator.h"' '#include "inference/x.h"'
put "$good" coordinator/coordinator.cc '#include "training/trainer.h"' '#include "data/preparer.h"'
put "$good" client/commands.cc '#  include "model/bleu.h"'
put "$good" bench/r1.cc '#include "worker/replica.h"' '#include "coordinator/coordinator.h"'
put "$good" tests/unit/x_test.cc '#include "client/commands.h"' '#include "worker/worker.h"'
if ! out=$(bash "$script" "$good" 2>&1); then
  fail "allowed includes were refused: $out"
fi

# One forbidden include: exit 1, naming the file, its line and the include.
bad=$tmp/bad
cp -r "$good" "$bad"
put "$bad" data/preparer.cc '#include "common/files.h"' '#include "coordinator/job_store.h"'
if out=$(bash "$script" "$bad" 2>&1); then
  fail "data/ including coordinator/ passed: $out"
elif [[ $out != *'data/preparer.cc:2: includes "coordinator/job_store.h"'* ]]; then
  fail "the violation does not name file, line and include: $out"
fi

# Several violations: all of them listed, sorted by file and line; angle brackets count too.
many=$tmp/many
cp -r "$bad" "$many"
put "$many" common/files.cc '#include <data/corpus.h>'
put "$many" client/main.cc '#include "coordinator/coordinator.h"' '#include "worker/worker.h"'
put "$many" coordinator/model_server.cc '#include "inference/translator.h"' '#include "worker/worker.h"'
put "$many" coordinator/grpc.cc '#include "worker/translation.h"'
put "$many" collective/ring.cc '#include "model/seq2seq.h"'
out=$(bash "$script" "$many" 2>&1) && fail "several violations passed: $out"
for expected in 'common/files.cc:1: includes "data/corpus.h"' \
    'data/preparer.cc:2: includes "coordinator/job_store.h"' \
    'client/main.cc:1: includes "coordinator/coordinator.h"' \
    'client/main.cc:2: includes "worker/worker.h"' \
    'coordinator/model_server.cc:2: includes "worker/worker.h"' \
    'coordinator/grpc.cc:1: includes "worker/translation.h"' \
    'collective/ring.cc:1: includes "model/seq2seq.h"' \
    '7 forbidden include(s)'; do
  [[ $out == *"$expected"* ]] || fail "missing '$expected' in: $out"
done

if ((failures > 0)); then
  exit 1
fi
echo "check_deps_test: ok"
