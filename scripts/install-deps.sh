#!/usr/bin/env bash
# Usage: scripts/install-deps.sh
#
# Installs (as root, with apt-get, noninteractively) every Debian 12 package clc-node
# needs to build and test, on a machine that already has the Swift toolchain.
# Packages already installed are skipped (checked with dpkg-query); `apt-get update`
# runs only when something is missing, so a second run takes about a second.
# Services that packages would start (redis-server, etcd) are blocked during the
# install with a temporary /usr/sbin/policy-rc.d and stopped/disabled afterwards,
# so nothing is left running on the host.
set -euo pipefail

PACKAGES=(
  docker.io            # container engine (dockerd 20.10, API 1.41)
  libcurl4-openssl-dev # HTTP client library
  libnftnl-dev         # nftables netlink library (service proxy)
  libmnl-dev           # minimal netlink library
  libsystemd-dev       # journald / sd_notify
  zlib1g-dev           # zlib (SPDY header-block compression)
  pkg-config           # C library flags, and the versions `clc-node version` reports (Package.swift)
  nftables             # nft CLI
  iptables             # Docker's DOCKER-USER chain (service proxy's NodePort accept)
  python3              # tiny servers and clients in the proxy's and the flannel backends' traffic tests
  iproute2             # ip, bridge (scratch namespaces; listings the backend tests compare)
  busybox-static       # /bin/sh etc. for the test images
  redis-server         # redis binaries copied into the images
  redis-tools          # redis-cli for the guestbook frontend image
  procps               # ps, pgrep, sysctl
  util-linux           # nsenter, flock (simulated nodes: scripts/netns-nodes.sh)
  psmisc               # killall, fuser, pstree
  curl                 # HTTP checks, docker socket pings
  strace               # the kernel's time of one nft batch (bench/nft-layout.sh)
  etcd-server          # etcd 3.4 for the flannel lease tests (scripts/etcd.sh)
  openssl              # certificates for the etcd TLS test
  systemd              # journald binaries, systemd-analyze verify of the unit and drop-ins, journalctl
  cloud-init           # `cloud-init schema` of the Heat cloud-config (systemd/heat)
  python3-yaml         # systemd/heat template checks, the env file generator
)
# Services whose packages start a daemon on install; never leave them running.
SERVICES=(redis-server etcd)

log() { printf 'install-deps: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#PACKAGES[@]} packages already installed"
else
  log "missing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 NEEDRESTART_MODE=l
  # Forbid daemons from being started by maintainer scripts during the install.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  log "apt-get update"
  apt-get update -q
  log "apt-get install ${missing[*]}"
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  if [[ $own_policy == 1 ]]; then rm -f "$policy"; trap - EXIT; fi
  # Belt and braces: disable the services' init scripts so nothing starts them at boot.
  for s in "${SERVICES[@]}"; do
    if [[ -x /etc/init.d/$s ]] && command -v update-rc.d >/dev/null; then
      update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
      systemctl disable --now "$s" >/dev/null 2>&1 || true
    fi
  done
  log "installed ${#missing[@]} package(s)"
fi

# Make sure no host redis-server / etcd (started by a package) is running. Only
# processes running the packaged binaries as their daemons are stopped.
for s in "${SERVICES[@]}"; do
  if [[ -x /etc/init.d/$s ]]; then
    if /etc/init.d/"$s" status >/dev/null 2>&1; then
      log "stopping host service $s"
      /etc/init.d/"$s" stop >/dev/null 2>&1 || true
    fi
  fi
done
for pidf in /run/redis/redis-server.pid /var/run/redis/redis-server.pid; do
  if [[ -s $pidf ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    log "stopping host redis-server (pid $(cat "$pidf"))"
    kill "$(cat "$pidf")" || true
  fi
done
log "done"
