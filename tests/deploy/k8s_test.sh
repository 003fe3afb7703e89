#!/usr/bin/env bash
# Large test: Tandem's Kubernetes manifests (deploy/k8s/). Offline, as far as this machine
# allows (no cluster here):
#   1. every manifest and the rendered kustomization pass kubernetes-models' schemas, use only
#      fields the API defines, and follow Tandem's rules (tests/deploy/k8s_manifests.mjs); a
#      manifest with a misspelt field is refused;
#   2. `kubectl kustomize` renders them with the worker count set in one place;
#   3. `podman kube play` runs the rendered coordinator and one worker (adapted where podman
#      4.3 differs from a cluster: see k8s_manifests.mjs), a short job is submitted from the
#      host over mutual TLS, the workers are scaled from 1 to 2 mid-job (another pod from the
#      same template, as a Deployment controller would start), the new worker joins the
#      running job at its next generation; then scaled back to 1 (the pod stopped: SIGTERM),
#      the worker leaves at a step boundary and the job goes on and succeeds.
# Removes every pod, volume, network and file it made, also when it fails.
#   tests/deploy/k8s_test.sh SOURCE_DIR BIN_DIR   (the image: deploy/image_test.sh)
SRC=$1 BIN=$2
source "$SRC/tests/deploy/lib.sh"
NET=$TAG-net
TOOLS=${TANDEM_K8S_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/k8s-tools}
cleanup() {
  local rc=$?
  ((rc == 0)) || dump_logs
  for f in "$WORK"/play/*.yaml; do
    [[ -f $f ]] && podman kube down "$f" >/dev/null 2>&1 || true
  done
  remove_tagged
  exit $rc
}
trap cleanup EXIT

log "tools: kubectl (kustomize) and the npm packages kubernetes-models, yaml in $TOOLS"
if ! command -v kubectl >/dev/null; then
  apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null ||
    fail "kubectl is needed to render the kustomization"
fi
if [[ ! -f $TOOLS/node_modules/kubernetes-models/package.json ]]; then
  command -v npm >/dev/null ||
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || fail "npm is needed"
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && npm install --no-audit --no-fund --silent kubernetes-models@5.1.0 yaml@2 \
    >/dev/null 2>&1) || fail "npm install kubernetes-models@5.1.0 yaml@2 failed"
fi
cp "$SRC/tests/deploy/k8s_manifests.mjs" "$TOOLS/"
manifests() { node "$TOOLS/k8s_manifests.mjs" "$@"; }

log "check the manifests and the rendered kustomization"
cp -r "$SRC/deploy/k8s" "$WORK/k8s"
rm -rf "$WORK/k8s/certs"
make_certs tandem-coordinator
cp -r "$WORK/certs" "$WORK/k8s/certs"
kubectl kustomize "$WORK/k8s" >"$WORK/rendered.yaml"
manifests check "$SRC"/deploy/k8s/*.yaml "$WORK/rendered.yaml"
replicas=$(manifests podman "$WORK/rendered.yaml" "$WORK" "$WORK/certs" 0 x- >/dev/null &&
  grep -A3 '^spec:' "$WORK/tandem-worker.yaml" | awk '/replicas:/{print $2}')
[[ $replicas == 2 ]] || fail "the kustomization's worker count (2) did not reach the Deployment: '$replicas'"
sed 's/readinessProbe:/readinesProbe:/' "$SRC/deploy/k8s/worker.yaml" >"$WORK/misspelt.yaml"
if out=$(manifests check "$WORK/misspelt.yaml" 2>&1); then fail "a misspelt field passed: $out"; fi
[[ $out == *"readinesProbe: unknown field"* ]] || fail "the misspelt field is not named: $out"

log "render for podman: one worker, image $IMAGE"
sed -i "s/count: 2/count: 1/; s|newName: localhost/tandem|newName: ${IMAGE%:*}|; s/newTag: dev/newTag: ${IMAGE##*:}/" \
  "$WORK/k8s/kustomization.yaml"
kubectl kustomize "$WORK/k8s" >"$WORK/rendered.yaml"
COORD_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/play"
manifests podman "$WORK/rendered.yaml" "$WORK/play" "$WORK/certs" "$COORD_PORT" "$TAG-" >/dev/null

log "play the coordinator (Service name as a network alias) and one worker"
podman network create "$NET" >/dev/null
podman kube play --network "$NET:alias=tandem-coordinator" "$WORK/play/tandem-coordinator.yaml" >/dev/null
wait_for 60 "the coordinator's health check from the host" cli health
podman kube play --network "$NET" "$WORK/play/tandem-worker.yaml" >/dev/null
workers_ready() { [[ $(cli workers --json | json 'sum(1 for w in d if w["state"] != "lost")') == "$1" ]]; }
wait_for 60 "the worker to join" workers_ready 1

log "submit a job for up to 2 workers; it starts on 1"
job=$(cli submit "$SRC/examples/demo.yaml" --name k8s-test --workers 1 --max_workers 2 \
  --set training.max_steps=150 --set training.checkpoint_interval_steps=50 \
  --set training.validation_interval_steps=1000 --set tokenizer.vocab_size=1000 \
  --set model.embedding_dim=64 --set model.hidden_dim=64)
ranks_past_step() {
  cli status "$job" --json | json \
    'len(d["assignments"]) == '"$1"' and d["progress"]["step"] >= '"$2" |
    grep -q True
}
wait_for 300 "the job to train on 1 worker" ranks_past_step 1 10
log "scale the workers to 2 at $(job_state "$job")"
sed "s/name: $TAG-tandem-worker\$/name: $TAG-tandem-worker-b/" "$WORK/play/tandem-worker.yaml" \
  >"$WORK/play/tandem-worker-b.yaml"
podman kube play --network "$NET" "$WORK/play/tandem-worker-b.yaml" >/dev/null
wait_for 120 "the new worker to join the running job" ranks_past_step 2 0
at=$(job_state "$job")
log "2 workers at $at"
wait_for 120 "10 steps on 2 workers" ranks_past_step 2 $((${at#* } + 10))
log "scale the workers back to 1 at $(job_state "$job"): SIGTERM to the second pod"
# As the kubelet does: the worker's container gets SIGTERM and is waited for while the pod's
# network is still up; the pod (its infra container, which holds the network) stops after.
# `podman pod stop` alone stops the infra container alongside, and a worker whose network
# went first could not tell the coordinator that it leaves.
podman stop -t 30 "$TAG-tandem-worker-b-pod-0-worker" >/dev/null
podman pod stop -t 30 "$TAG-tandem-worker-b-pod-0" >/dev/null
podman logs "$TAG-tandem-worker-b-pod-0-worker" 2>&1 | grep -q "left the coordinator; job $job goes on" ||
  fail "the scaled-down worker did not leave the job"
cli events "$job" | grep -q "left" || fail "the job's events do not say that the worker left"
wait_for 60 "the job to go on with 1 worker" ranks_past_step 1 0
wait_succeeded "$job" 600
log "job ended: $(job_state "$job")"
log "PASS"
