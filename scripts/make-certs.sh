#!/usr/bin/env bash
# Makes a development CA and what a Tandem deployment needs to run with TLS and tokens
# (DESIGN.md section 8), into OUT_DIR:
#   ca.pem, ca.key                   the CA (kept: running again adds hosts, same CA)
#   coordinator.pem, coordinator.key spiffe://tandem/coordinator; localhost, 127.0.0.1 and
#                                    every --coordinator-host
#   worker.pem, worker.key           spiffe://tandem/worker; tandem-worker (the name peers
#                                    verify), localhost, 127.0.0.1 and every --worker-host
#   client.pem, client.key           spiffe://tandem/client (optional for clients: they
#                                    authenticate with the client token)
#   client.token                     the bearer token of `tandem` (TANDEM_TOKEN or --token_file)
#   join.token                       the token workers present to join
#   read.token                       a token for client calls that only read (status,
#                                    events, downloads, translation, /metrics)
#   metrics.token                    a token that may read /metrics and nothing else
#                                    (Prometheus: authorization credentials_file)
# Keys and tokens are readable by the owner only. Production deployments use their own CA;
# the layout above is what the programs expect of it.
#
# Usage: scripts/make-certs.sh OUT_DIR [--coordinator-host NAME]... [--worker-host NAME]...
#                              [--days N]
set -euo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 && $1 != -* ]] || usage
out=$1; shift
coordinator_hosts=() worker_hosts=() days=825
while [[ $# -gt 0 ]]; do
  case $1 in
    --coordinator-host) coordinator_hosts+=("$2"); shift 2 ;;
    --worker-host) worker_hosts+=("$2"); shift 2 ;;
    --days) days=$2; shift 2 ;;
    *) echo "make-certs.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is required (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077

# subjectAltName entries for host names and IP addresses.
san_list() {
  local list=() h
  for h in "$@"; do
    if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then list+=("IP:$h"); else list+=("DNS:$h"); fi
  done
  local IFS=,
  echo "${list[*]}"
}

if [[ ! -f $out/ca.pem || ! -f $out/ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days" \
    -subj "/CN=Tandem development CA" -keyout "$out/ca.key" -out "$out/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
fi

# issue NAME ROLE EXTENDED_KEY_USAGE HOST...
issue() {
  local name=$1 role=$2 eku=$3; shift 3
  local ext="$out/.$name.ext" san="URI:spiffe://tandem/$role"
  [[ $# -gt 0 ]] && san="$san,$(san_list "$@")"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$eku" "$san" > "$ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=tandem-$role" -keyout "$out/$name.key" -out "$out/.$name.csr" 2>/dev/null
  openssl x509 -req -in "$out/.$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -CAcreateserial -days "$days" -extfile "$ext" -out "$out/$name.pem" 2>/dev/null
  rm -f "$out/.$name.csr" "$ext"
}

issue coordinator coordinator serverAuth localhost 127.0.0.1 ::1 "${coordinator_hosts[@]}"
issue worker worker serverAuth,clientAuth tandem-worker localhost 127.0.0.1 ::1 "${worker_hosts[@]}"
issue client client clientAuth
for token in client join read metrics; do
  [[ -f $out/$token.token ]] || openssl rand -hex 32 > "$out/$token.token"
done
chmod 644 "$out"/*.pem
echo "make-certs.sh: wrote $(cd "$out" && ls | tr '\n' ' ')to $out"
