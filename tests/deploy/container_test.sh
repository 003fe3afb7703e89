#!/usr/bin/env bash
# Large test: Tandem's image (deploy/Dockerfile) run for real with podman. A coordinator and
# two workers in containers on a private network, mutual TLS and tokens from mounted files;
# the host submits a short job, one worker container is killed mid-run, and the job still
# ends with a model that translates. Also: the image runs as a non-root user and holds no
# compiler or -dev package; a worker that cannot reach its coordinator says so in its log and
# its health; a coordinator whose data volume is read-only refuses to start naming the path;
# a worker container with too little memory for a job's model is not given the job, and
# `tandem status` says why.
# Removes every container, network and file it made, also when it fails.
#   tests/deploy/container_test.sh SOURCE_DIR BIN_DIR   (the image: deploy/image_test.sh)
SRC=$1 BIN=$2
source "$SRC/tests/deploy/lib.sh"
NET=$TAG-net
cleanup() {
  local rc=$?
  ((rc == 0)) || dump_logs
  remove_tagged
  exit $rc
}
trap cleanup EXIT

podman image exists "$IMAGE" || fail "no image $IMAGE (tests/deploy/image_test.sh builds it)"

log "the image: non-root, no compiler, no -dev packages"
[[ $(podman run --rm "$IMAGE" id -u) == 10001 ]] || fail "the image does not run as uid 10001"
tools=$(podman run --rm "$IMAGE" sh -c 'for t in gcc g++ cc c++ cmake make ld; do command -v $t; done; dpkg-query -W -f="\${Package}\n" | grep -- "-dev$"' || true)
[[ -z $tools ]] || fail "the runtime image holds build tools: $tools"

log "a coordinator and two workers on network $NET"
podman network create "$NET" >/dev/null
make_certs "$TAG-coordinator"
install -d -o 10001 -g 10001 "$WORK/data"
podman run -d --init --name "$TAG-coordinator" --network "$NET" -p 127.0.0.1::7400 \
  -v "$WORK/certs:/etc/tandem:ro" -v "$WORK/data:/var/lib/tandem" "$IMAGE" \
  tandem-coordinator --listen 0.0.0.0:7400 --data_dir /var/lib/tandem $(tls_flags coordinator) \
  --client_token_file /etc/tandem/client.token --join_token_file /etc/tandem/join.token \
  --worker_timeout_ms 3000 >/dev/null
COORD_PORT=$(podman port "$TAG-coordinator" 7400/tcp | sed 's/.*://')
for w in 1 2; do
  podman run -d --init --name "$TAG-worker-$w" --network "$NET" \
    -v "$WORK/certs:/etc/tandem:ro" "$IMAGE" \
    tandem-worker --coordinator "$TAG-coordinator:7400" --listen 0.0.0.0:7500 \
    $(tls_flags worker) \
    --join_token_file /etc/tandem/join.token >/dev/null
done
wait_for 60 "the coordinator's health check from the host" cli health
worker_ready() {
  podman exec "$TAG-worker-$1" tandem health --coordinator 127.0.0.1:7500 $(tls_flags worker)
}
wait_for 60 "worker 1 to be ready" worker_ready 1
wait_for 60 "worker 2 to be ready" worker_ready 2
[[ $(cli workers --json | json 'len(d)') == 2 ]] || fail "the coordinator does not list 2 workers"

log "submit a short job from the host (corpus uploaded over TLS)"
job=$(cli submit "$SRC/examples/demo.yaml" --name container-test --workers 1 --max_workers 2 \
  --set training.max_steps=150 --set training.checkpoint_interval_steps=20 \
  --set training.validation_interval_steps=1000 --set tokenizer.vocab_size=1000 \
  --set model.embedding_dim=64 --set model.hidden_dim=64)
log "job $job"
two_workers_past_step() {
  cli status "$job" --json | json \
    'd["generation"] > 0 and len(d["assignments"]) == 2 and d["progress"]["step"] >= '"$1" |
    grep -q True
}
wait_for 300 "the job to train on 2 workers past step 20" two_workers_past_step 20
log "kill worker 2 mid-run: $(job_state "$job")"
podman kill "$TAG-worker-2" >/dev/null
wait_succeeded "$job" 600
log "job ended: $(job_state "$job")"
cli events "$job" >"$WORK/events.log"
grep -Eq "lost|left|failed" "$WORK/events.log" || { cat "$WORK/events.log"; fail "the job's events do not mention the killed worker"; }

log "download the model and translate with it on the host"
cli download "$job" "$WORK/model" >/dev/null
out=$("$BIN/tandem" translate --model "$WORK/model" "Save the document.")
[[ -n $out ]] || fail "the downloaded model translated to nothing"
log "translation: $out"

log "bad input: a worker container with 256 MiB for a model that needs more"
podman run -d --init --name "$TAG-small" --network "$NET" --memory 256m \
  -v "$WORK/certs:/etc/tandem:ro" "$IMAGE" \
  tandem-worker --coordinator "$TAG-coordinator:7400" --listen 0.0.0.0:7500 \
  $(tls_flags worker) --join_token_file /etc/tandem/join.token >/dev/null
small_joined() { cli workers | grep -q "256 MiB"; }
wait_for 60 "the 256 MiB worker to join (and show its memory)" small_joined
big=$(cli submit "$SRC/examples/demo.yaml" --name too-big --workers 2 --max_workers 2 \
  --set model.embedding_dim=512 --set model.hidden_dim=512 --set tokenizer.vocab_size=1000)
says_too_little() { cli status "$big" | grep -q "too little memory for this model"; }
wait_for 120 "the job's status to say a worker has too little memory" says_too_little
log "$(cli status "$big" | grep -o "waiting for workers.*")"
[[ $(job_state "$big") == "waiting_for_workers "* ]] || fail "the too-big job is not waiting"
cli cancel "$big" >/dev/null

log "bad input: a worker without a coordinator, a read-only data volume"
podman run -d --init --name "$TAG-orphan" --network "$NET" -v "$WORK/certs:/etc/tandem:ro" \
  "$IMAGE" tandem-worker --coordinator "$TAG-nobody:7400" --listen 0.0.0.0:7500 \
  $(tls_flags worker) --join_token_file /etc/tandem/join.token \
  >/dev/null
orphan_says_why() { podman logs "$TAG-orphan" 2>&1 | grep -q "the coordinator at $TAG-nobody:7400 failed"; }
wait_for 30 "the orphan worker to log why it cannot join" orphan_says_why
rc=0
podman exec "$TAG-orphan" tandem health --coordinator 127.0.0.1:7500 $(tls_flags worker) \
  >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "the orphan worker's health check gave exit $rc, not 1 (not serving)"
podman exec "$TAG-orphan" tandem health --live --coordinator 127.0.0.1:7500 $(tls_flags worker) \
  >/dev/null || fail "the orphan worker is not live"
install -d -o 10001 -g 10001 "$WORK/readonly"
rc=0
err=$(podman run --rm -v "$WORK/readonly:/var/lib/tandem:ro" "$IMAGE" tandem-coordinator \
  --data_dir /var/lib/tandem 2>&1) || rc=$?
[[ $rc != 0 && $err == *"/var/lib/tandem"* ]] ||
  fail "a read-only data volume gave exit $rc and: $err"
log "PASS"
