#!/usr/bin/env bash
# Usage: scripts/isolated-dockerd.sh start|stop NAME DIR
#
# A private Docker engine on a node cut off from every registry the slow way: its DNS server
# takes queries and never answers, so each registry lookup waits out the resolver's time-out
# (`docker pull redis` fails after about 20 s) instead of failing at once.
#
#   start  creates the network namespace NAME (loopback only, plus 10.53.53.53/32 on lo), a
#          UDP socket bound on 10.53.53.53:53 inside it that reads queries and drops them
#          (DIR/dns.pid), /etc/netns/NAME/resolv.conf naming it (`ip netns exec` bind-mounts it
#          over /etc/resolv.conf, which dockerd's Go resolver reads), then scripts/dockerd.sh
#          start DIR/docker under `ip netns exec NAME`; prints the socket path (last line).
#          An earlier NAME is stopped first. Nothing is sent outside the namespace: there is no
#          route out of it.
#   stop   scripts/dockerd.sh stop DIR/docker inside the namespace (containers, dockerd, its
#          containerd and shims, the bridge), the DNS black hole, the namespace and
#          /etc/netns/NAME. DIR/docker/root (images) is kept so the next start is quick.
#
# `ip netns exec` mounts a fresh /sys, which has no cgroup hierarchies under /sys/fs/cgroup;
# dockerd needs them, so they are mounted again (same types and options as the host's) before
# dockerd starts. Bridge inside the namespace: CLC_DOCKER_BRIDGE (default clcpull0),
# CLC_DOCKER_BRIDGE_CIDR (default 172.29.0.1/16); they cannot clash with the host's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'isolated-dockerd: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $# -eq 3 ]] || usage
cmd=$1
NAME=$2
DIR=$(realpath -m -- "$3")
case $cmd in start|stop) ;; *) usage ;; esac
[[ $NAME =~ ^[a-zA-Z0-9_-]{1,32}$ ]] || die "namespace name must be 1-32 letters, digits, - or _"
[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, dockerd)"
command -v python3 >/dev/null || die "python3 not found (run scripts/install-deps.sh)"

# The daemons started here must not keep the caller's descriptors open: a caller that learns
# of this script's end from one of them (Foundation's Process does, through a socket every
# child inherits) would otherwise wait as long as dockerd runs.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  if [[ $fd -gt 2 && $fd -ne 255 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

DNS_ADDRESS=10.53.53.53
export CLC_DOCKER_BRIDGE=${CLC_DOCKER_BRIDGE:-clcpull0}
export CLC_DOCKER_BRIDGE_CIDR=${CLC_DOCKER_BRIDGE_CIDR:-172.29.0.1/16}

# pids of the DNS black holes of DIR (their command line carries that marker)
dns_pids() {
  local p
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "clc-dns-black-hole $DIR"; then echo "${p#/proc/}"; fi
  done
}

do_stop() {
  local pid
  if ip netns list | grep -qE "^$NAME( |\$)"; then
    ip netns exec "$NAME" bash "$ROOT/scripts/dockerd.sh" stop "$DIR/docker" || log "warning: dockerd.sh stop failed"
  fi
  # KILL: it keeps nothing, and a caller may have handed it a mask that blocks TERM.
  for pid in $(dns_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$DIR/dns.pid"
  if ip netns list | grep -qE "^$NAME( |\$)"; then ip netns delete "$NAME"; fi
  rm -rf "/etc/netns/$NAME"
}

do_start() {
  local i cgroups
  do_stop 2>/dev/null
  mkdir -p "$DIR" "/etc/netns/$NAME"
  ip netns add "$NAME"
  ip -n "$NAME" link set lo up
  ip -n "$NAME" addr add "$DNS_ADDRESS/32" dev lo
  echo "nameserver $DNS_ADDRESS" >"/etc/netns/$NAME/resolv.conf"

  # The black hole: a bound socket, so queries are neither answered nor refused (no ICMP). It
  # writes its pid once bound.
  rm -f "$DIR/dns.pid"
  ip netns exec "$NAME" setsid python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
with open(sys.argv[2] + ".tmp", "w") as f: f.write(str(os.getpid()))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
while True:
    s.recv(65535)
' "$DNS_ADDRESS" "$DIR/dns.pid" "clc-dns-black-hole $DIR" </dev/null >/dev/null 2>&1 &
  for ((i = 0; i < 50; i++)); do
    [[ -s $DIR/dns.pid ]] && break
    sleep 0.1
  done
  [[ -s $DIR/dns.pid ]] || die "the DNS black hole did not bind $DNS_ADDRESS:53"

  cgroups=$(awk '$3 == "cgroup" || $3 == "cgroup2" || ($2 == "/sys/fs/cgroup" && $3 == "tmpfs")' /proc/self/mounts)
  CGROUP_MOUNTS=$cgroups ip netns exec "$NAME" bash -c '
set -euo pipefail
while read -r source target type options _; do
  [[ -n $type ]] || continue
  options=$(tr , "\n" <<<"$options" | grep -vxE "rw|relatime|seclabel" | paste -sd, || true)
  mkdir -p "$target"
  mount -t "$type" ${options:+-o "$options"} "$source" "$target"
done <<<"$CGROUP_MOUNTS"
exec bash "$1" start "$2"
' _ "$ROOT/scripts/dockerd.sh" "$DIR/docker"
}

case $cmd in
  start) do_start ;;
  stop) do_stop ;;
esac
