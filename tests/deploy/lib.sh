# Shared by the container tests (tests/deploy/*_test.sh): naming, bounded waits, cleanup and
# the host's `tandem` CLI talking to a containerised coordinator over mutual TLS.
# Everything a test makes is named after $TAG so that its trap removes exactly that.
set -euo pipefail

: "${SRC:?}" "${BIN:?}"
IMAGE=${TANDEM_TEST_IMAGE:-localhost/tandem:test}
TAG=tandem-t$$
WORK=$(mktemp -d /var/tmp/$TAG.XXXXXX)
PY=/usr/bin/python3

log() { echo "[$(date +%T)] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Bounded wait: wait_for SECONDS DESCRIPTION COMMAND...; the command is retried every second.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for $what"
    sleep 1
  done
}

# A field of a JSON document on stdin, by a Python expression over `d`.
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Certificates and tokens for a deployment whose coordinator is called $1; readable by the
# image's user (uid 10001), as a Secret mounted with fsGroup would be.
make_certs() {
  bash "$SRC/scripts/make-certs.sh" "$WORK/certs" --coordinator-host "$1" >/dev/null
  chown -R 10001:10001 "$WORK/certs"
}

# The host's CLI against the coordinator published on 127.0.0.1:$COORD_PORT.
cli() {
  local command=$1
  shift
  "$BIN/tandem" "$command" --coordinator "127.0.0.1:$COORD_PORT" --tls_ca "$WORK/certs/ca.pem" \
    --token_file "$WORK/certs/client.token" "$@"
}

# The job's state name and step ("running 42"), from its --json status (client/JSON.md).
job_state() { cli status "$1" --json | json 'd["state"] + " " + str(d["progress"]["step"])'; }

# The TLS flags a container passes, with its role's certificate.
tls_flags() {
  echo "--tls_ca /etc/tandem/ca.pem --tls_cert /etc/tandem/$1.pem --tls_key /etc/tandem/$1.key"
}

# Removes everything named after $TAG (containers, pods, volumes, networks) and $WORK: the
# end of every test's EXIT trap, after what the test undoes itself (kube down, compose down).
remove_tagged() {
  local names
  names=$(podman pod ps --format '{{.Name}}' | grep "^$TAG" || true)
  [[ -z $names ]] || podman pod rm -f $names >/dev/null 2>&1 || true
  names=$(podman ps -a --format '{{.Names}}' | grep "^$TAG" || true)
  [[ -z $names ]] || podman rm -f -v -t 0 $names >/dev/null 2>&1 || true
  names=$(podman volume ls --format '{{.Name}}' | grep "^$TAG" || true)
  [[ -z $names ]] || podman volume rm -f $names >/dev/null 2>&1 || true
  names=$(podman network ls --format '{{.Name}}' | grep "^$TAG" || true)
  [[ -z $names ]] || podman network rm -f $names >/dev/null 2>&1 || true
  rm -rf "$WORK"
}

# Dumps what a failed test needs to be understood: every container's last log lines.
dump_logs() {
  local c
  for c in $(podman ps -a --format '{{.Names}}' | grep "^$TAG" || true); do
    echo "--- logs of $c" >&2
    podman logs --tail 40 "$c" >&2 || true
  done
}

# Waits (bounded) for the job to end, polling its status (a transient error of one poll is
# retried); fails unless it succeeded.
wait_succeeded() {
  local job=$1 seconds=$2
  job_ended() { [[ $(job_state "$job") =~ ^(succeeded|failed|cancelled) ]]; }
  wait_for "$seconds" "job $job to end" job_ended
  local state
  state=$(job_state "$job")
  [[ $state == "succeeded "* ]] || {
    cli events "$job" >&2 || true
    fail "job $job ended as $state"
  }
}
