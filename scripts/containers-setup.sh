#!/usr/bin/env bash
# Makes this machine able to build and run Tandem's containers with podman, with nothing done
# by hand (deploy/README.md). Idempotent: each step is skipped when its result is present.
#   1. installs podman, runc, debootstrap and podman-compose;
#   2. writes /etc/containers/containers.conf when it is missing: runc (crun fails on hybrid
#      cgroups), cgroupfs, and ulimits this VM's bounding set allows (podman's default
#      nofile=1048576 is refused without CAP_SYS_RESOURCE);
#   3. makes the base image localhost/debian:bookworm with debootstrap from the mirror in this
#      machine's apt sources (no image registry is reachable here), trimmed like the official
#      image: no apt caches, no recommends.
# Needs root (or sudo).
set -euo pipefail

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
BASE_IMAGE=localhost/debian:bookworm

need=()
for p in podman runc debootstrap podman-compose uidmap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  echo "containers-setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

conf=/etc/containers/containers.conf
if [[ ! -f $conf ]]; then
  echo "containers-setup: writing $conf"
  $SUDO install -d /etc/containers
  $SUDO tee "$conf" >/dev/null <<EOF
# Written by Tandem's scripts/containers-setup.sh.
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
fi

if ! podman image exists "$BASE_IMAGE"; then
  sources=/etc/apt/sources.list.d/debian.sources
  mirror=$(awk '/^URIs:/{print $2; exit}' "$sources" 2>/dev/null || true)
  if [[ -z $mirror ]]; then
    mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  if [[ -z $mirror ]]; then
    echo "containers-setup: no Debian mirror in $sources or /etc/apt/sources.list" >&2
    exit 1
  fi
  root=$(mktemp -d /var/tmp/tandem-rootfs.XXXXXX)
  trap '$SUDO rm -rf "$root"' EXIT
  echo "containers-setup: making $BASE_IMAGE with debootstrap (about 30 s)"
  $SUDO debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  $SUDO rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/lib/apt/lists/*
  : | $SUDO tee "$root/etc/resolv.conf" >/dev/null
  printf 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' |
    $SUDO tee "$root/etc/apt/apt.conf.d/docker-clean" >/dev/null
  printf 'Acquire::Languages "none";\n' |
    $SUDO tee "$root/etc/apt/apt.conf.d/docker-no-languages" >/dev/null
  printf 'APT::Install-Recommends "false";\n' |
    $SUDO tee "$root/etc/apt/apt.conf.d/no-recommends" >/dev/null
  if [[ -f $sources ]]; then
    $SUDO rm -f "$root/etc/apt/sources.list"
    $SUDO cp "$sources" "$root/etc/apt/sources.list.d/"
  fi
  $SUDO tar -C "$root" -c . | $SUDO podman import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" \
    >/dev/null
fi
echo "containers-setup: podman $(podman version --format '{{.Client.Version}}'), base image" \
  "$BASE_IMAGE ready"
