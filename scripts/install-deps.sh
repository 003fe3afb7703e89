#!/usr/bin/env bash
# Installs every Debian bookworm package Tandem needs to build, test and run.
# Idempotent: packages already present are skipped; apt runs only when something is missing.
# Used by the README, .ci/run and deploy/Dockerfile: this file is the one package list.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git
  libtorch-dev python3-torch
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libgtest-dev libgmock-dev
  libsentencepiece-dev sentencepiece
  libsqlite3-dev sqlite3
  libyaml-cpp-dev
  libopenblas0-openmp
  libgloo-dev
  gettext
  iperf3
  openssl
  libboost1.74-dev
)
# Only for the tests (scripts/test.sh passes --test): a real browser for the dashboard's test
# (tests/cluster/dashboard_browser_test.cc), and the firewall and link tools the partition test
# uses inside a network namespace of its own (tests/cluster/partition_test.cc). Not in the
# container image.
if [[ ${1:-} == --test ]]; then
  PACKAGES+=(chromium python3 iptables iproute2)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
