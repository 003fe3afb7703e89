#!/usr/bin/env bash
# Large test: deploy/compose.yaml with podman-compose, as its header tells a user to run it: a
# coordinator and two workers come up, their compose health checks (`tandem health`) pass,
# a short job submitted from the host over mutual TLS succeeds, and `down` stops everything.
# Removes every container, volume, network and file it made, also when it fails.
#   tests/deploy/compose_test.sh SOURCE_DIR BIN_DIR   (the image: deploy/image_test.sh)
SRC=$1 BIN=$2
source "$SRC/tests/deploy/lib.sh"
PROJECT=$TAG
compose() {
  TANDEM_IMAGE=$IMAGE TANDEM_CERTS=$WORK/certs TANDEM_PORT=$COORD_PORT TANDEM_WORKERS=2 \
    podman-compose -f "$SRC/deploy/compose.yaml" -p "$PROJECT" "$@"
}
cleanup() {
  local rc=$?
  ((rc == 0)) || dump_logs
  compose down >/dev/null 2>&1 || true
  remove_tagged
  exit $rc
}
trap cleanup EXIT
command -v podman-compose >/dev/null || bash "$SRC/scripts/containers-setup.sh" >/dev/null

make_certs coordinator
COORD_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "podman-compose up: project $PROJECT, coordinator on 127.0.0.1:$COORD_PORT"
compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "podman-compose up failed"; }
wait_for 60 "the coordinator's health check from the host" cli health
workers_joined() { [[ $(cli workers --json | json 'len(d)') == 2 ]]; }
wait_for 60 "2 workers to join" workers_joined
for c in "${PROJECT}_coordinator_1" "${PROJECT}_worker_1" "${PROJECT}_worker_2"; do
  podman healthcheck run "$c" >/dev/null || fail "the compose health check of $c fails"
done

log "a short job on both workers"
job=$(cli submit "$SRC/examples/demo.yaml" --name compose-test \
  --set training.max_steps=60 --set training.validation_interval_steps=1000 \
  --set tokenizer.vocab_size=1000 --set model.embedding_dim=64 --set model.hidden_dim=64)
wait_succeeded "$job" 600
log "job ended: $(job_state "$job")"
compose down >/dev/null 2>&1
[[ -z $(podman ps -a --format '{{.Names}}' | grep "^$PROJECT" || true) ]] ||
  fail "containers left after podman-compose down"
log "PASS"
