#!/usr/bin/env bash
# Makes this machine able to build and run Tandem's containers with podman, with nothing done
# by hand (deploy/README.md). Idempotent: each step is skipped when its result is present.
#   1. installs podman, runc, debootstrap, podman-compose, plus what --no-install-recommends
#      would leave out and the deployment needs: catatonit (the init process behind `podman
#      run --init`, compose's `init: true` and kube play's pause image), and netavark with
#      aardvark-dns (container names resolve on a user network; apt otherwise satisfies
#      podman's network stack with the CNI plugins, which have no DNS at all), and iptables,
#      which netavark runs to set up a bridge's NAT (a machine without it fails every RUN
#      step that uses the network with "netavark: No such file or directory");
#   2. writes /etc/containers/containers.conf when it is missing or is one this script wrote:
#      runc (crun fails on hybrid cgroups), cgroupfs, the netavark network backend, and
#      ulimits this VM's bounding set allows (podman's default nofile=1048576 is refused
#      without CAP_SYS_RESOURCE); a containers.conf written by someone else is left alone;
#   3. makes the base image localhost/debian:bookworm with debootstrap from the mirror in this
#      machine's apt sources (no image registry is reachable here), trimmed like the official
#      image: no apt caches, no recommends.
# Needs root (or sudo).
set -euo pipefail

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
BASE_IMAGE=localhost/debian:bookworm

need=()
for p in podman runc debootstrap podman-compose uidmap catatonit netavark aardvark-dns iptables; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  echo "containers-setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

conf=/etc/containers/containers.conf
header="# Written by Tandem's scripts/containers-setup.sh."
wanted="$header
[containers]
default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=32768:32768\"]
[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\"
[network]
network_backend = \"netavark\""
if [[ ! -f $conf ]] || { head -1 "$conf" | grep -qxF "$header" && [[ $(cat "$conf") != "$wanted" ]]; }; then
  echo "containers-setup: writing $conf"
  $SUDO install -d /etc/containers
  printf '%s\n' "$wanted" | $SUDO tee "$conf" >/dev/null
elif ! grep -q 'network_backend *= *"netavark"' "$conf"; then
  echo "containers-setup: warning: $conf is not ours and does not choose the netavark" \
    "network backend; container names may not resolve" >&2
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
echo "containers-setup: podman $(podman version --format '{{.Client.Version}}')," \
  "network backend $(podman info --format '{{.Host.NetworkBackend}}'), base image $BASE_IMAGE ready"
