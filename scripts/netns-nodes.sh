#!/usr/bin/env bash
# Usage: scripts/netns-nodes.sh up RUN NODE...      build simulated nodes, print their settings
#        scripts/netns-nodes.sh down RUN            remove everything of RUN (also after a crash)
#        scripts/netns-nodes.sh exec RUN NODE CMD...  run CMD in NODE's network namespace
#        scripts/netns-nodes.sh list                runs with state left on this machine
#        scripts/netns-nodes.sh prune               `down` every run whose owner process is gone
#                                                   (a test run that crashed before its `down`)
#
# Simulated nodes for two-node tests, one network namespace each, as root:
#
#   namespace clc-RUN-NODE        lo up, ip_forward on (by dockerd), its own dockerd (scripts/dockerd.sh,
#                                 DIR /tmp/clc-nodes/RUN/NODE/docker, bridge clcbr0 on
#                                 172.31.I.1/24, dockerd managing the namespace's iptables)
#     eth0  192.168.77.(10+I)/24  the underlay: every node's eth0 hangs on bridge ul0 of the
#                                 namespace clc-RUN-ul (a switch, nothing else lives there)
#     eth1  ROOTNET.(10+I)/32     a veth to the root namespace, only route: ROOTNET.1 dev eth1
#   root namespace: ROOTNET.1/32 on every clrRUN-I (the other end of eth1) and one /32 route
#                   per node; nothing else. Anything bound to ROOTNET.1 in the root namespace
#                   (the master double, etcd) is reachable from every node, and from nowhere
#                   else; the nodes have no default route, so no traffic leaves the machine.
#
# ROOTNET is the first 192.168.N (N in 150..199) that no address or route of the root namespace
# mentions when `up` runs (under a lock, so parallel runs get distinct ones).
# I is the node's position on the `up` command line, from 1.
# RUN: 1-8 characters [a-z0-9]; NODE: 1-8 characters [a-z0-9].
#
# Environment for `up`:
#   CLC_NODES_IMAGES_FROM   a Docker host (unix:///path.sock) whose test images are copied
#                           into each node's dockerd with docker save | docker load; without it
#                           scripts/build-images.sh builds them (slower).
#   CLC_NODES_IMAGES        images to provide (default: the four test images).
#   CLC_NODES_IPTABLES      true (default): each dockerd manages its namespace's iptables as on
#                           a real node (FORWARD policy DROP!); false: dockerd.sh's minimal rules.
#
# `up` prints shell assignments, one per line, for the caller to read:
#   ROOT_ADDRESS=192.168.150.1
#   NODE_<NODE>_NETNS=clc-RUN-NODE  NODE_<NODE>_ADDRESS=192.168.77.11  NODE_<NODE>_ROOT_ADDRESS=...
#   NODE_<NODE>_DOCKER_SOCKET=/tmp/clc-nodes/RUN/NODE/docker/docker.sock
# The run's owner is the process that called `up` (CLC_NODES_OWNER overrides it): `prune`
# removes runs whose owner is no longer alive.
# A test may keep an etcd of the run in /tmp/clc-nodes/RUN/etcd (scripts/etcd.sh's DIR): `down`
# (and so `prune`) stops it too.
# and how long each step took on stderr. A failed `up` removes what it made.
#
# `exec` enters only the network namespace (nsenter --net): `ip netns exec` would also remount
# /sys, hiding the cgroup hierarchy that dockerd and runc need.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=/tmp/clc-nodes
DOCKER=/usr/bin/docker
UNDERLAY=192.168.77

log() { printf 'netns-nodes: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

[[ $# -ge 1 ]] || usage
cmd=$1
shift

check_name() { [[ $2 =~ ^[a-z0-9]{1,8}$ ]] || die "$1 \"$2\" must be 1-8 characters of [a-z0-9]"; }
need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, veths, dockerd)"; }

# The first 192.168.N, N in 150..199, that the root namespace does not mention.
free_root_net() {
  local used n
  # (the state files hold "192.168.N", without the final dot the search below looks for)
  used=$( { ip -4 -o addr show; ip -4 route show table all; sed 's/$/./' "$STATE"/*/rootnet 2>/dev/null || true; } )
  for n in $(seq 150 199); do
    grep -qF "192.168.$n." <<<"$used" || { echo "192.168.$n"; return 0; }
  done
  die "no free 192.168.150-199 subnet for the root links"
}

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }

do_up() {
  local run=$1; shift
  check_name RUN "$run"
  [[ $# -ge 1 ]] || die "up needs at least one NODE"
  local node
  for node in "$@"; do check_name NODE "$node"; done
  need_root
  for tool in ip nsenter iptables curl "$DOCKER"; do command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh)"; done
  [[ ! -e $STATE/$run ]] || die "run $run exists ($STATE/$run): scripts/netns-nodes.sh down $run first"
  mkdir -p "$STATE"
  local started rootnet
  started=$(date +%s%N)
  exec 9>"$STATE/.lock"
  flock 9
  rootnet=$(free_root_net)
  mkdir -p "$STATE/$run"
  echo "$rootnet" >"$STATE/$run/rootnet"
  printf '%s\n' "$@" >"$STATE/$run/nodes"
  echo "${CLC_NODES_OWNER:-$PPID} $(cut -d' ' -f22 "/proc/${CLC_NODES_OWNER:-$PPID}/stat")" >"$STATE/$run/owner"
  flock -u 9
  # whatever ends `up` early (a failed command, die) removes what it made
  up_run=$run
  trap 'if [[ ${up_done:-0} != 1 ]]; then log "up failed: removing run $up_run"; do_down "$up_run" || true; fi' EXIT

  local ul=clc-$run-ul
  ip netns add "$ul"
  ip -n "$ul" link set lo up
  ip -n "$ul" link add ul0 type bridge
  ip -n "$ul" link set ul0 up

  local i=0 ns host
  for node in "$@"; do
    i=$((i + 1))
    ns=clc-$run-$node
    host=clr$run-$i
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # dockerd turns forwarding on itself; when it manages iptables it then sets the FORWARD
    # policy to DROP, as on a real node, which pod traffic between nodes must get past.
    # (a new namespace may inherit forwarding on from the root namespace; off, dockerd turns it
    # on and sets the policy, as on a freshly booted node)
    if [[ ${CLC_NODES_IPTABLES:-true} == true ]]; then
      in_ns "$ns" sysctl -qw net.ipv4.ip_forward=0
    else
      in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
    fi
    # underlay
    ip link add "ulp$run$i" netns "$ul" type veth peer name eth0 netns "$ns"
    ip -n "$ul" link set "ulp$run$i" master ul0 up
    ip -n "$ns" addr add "$UNDERLAY.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    # root link: one /32 each way
    ip link add "$host" type veth peer name eth1 netns "$ns"
    ip addr add "$rootnet.1/32" dev "$host"
    ip link set "$host" up
    ip route add "$rootnet.$((10 + i))/32" dev "$host" src "$rootnet.1"
    ip -n "$ns" addr add "$rootnet.$((10 + i))/32" dev eth1
    ip -n "$ns" link set eth1 up
    ip -n "$ns" route add "$rootnet.1/32" dev eth1 src "$rootnet.$((10 + i))"
  done
  log "namespaces and links ready in $(ms "$started") ms"

  # dockerds, started in parallel
  local step pids=() dir
  step=$(date +%s%N)
  i=0
  for node in "$@"; do
    i=$((i + 1))
    dir=$STATE/$run/$node/docker
    mkdir -p "$dir"
    CLC_DOCKER_BRIDGE=clcbr0 CLC_DOCKER_BRIDGE_CIDR=172.31.$i.1/24 CLC_DOCKER_IPTABLES=${CLC_NODES_IPTABLES:-true} \
      in_ns "clc-$run-$node" bash "$ROOT/scripts/dockerd.sh" start "$dir" >"$STATE/$run/$node/start.log" 2>&1 &
    pids+=($!)
  done
  local failed=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  if (( failed )); then
    for node in "$@"; do cat "$STATE/$run/$node/start.log" >&2 || true; done
    die "a node's dockerd did not start"
  fi
  log "dockerds ready in $(ms "$step") ms"

  step=$(date +%s%N)
  local images=(${CLC_NODES_IMAGES:-redis kubernetes/redis-slave kubernetes/example-guestbook-php-redis clc-test/busybox})
  pids=()
  for node in "$@"; do
    dir=$STATE/$run/$node/docker
    if [[ -n ${CLC_NODES_IMAGES_FROM:-} ]]; then
      "$DOCKER" -H "$CLC_NODES_IMAGES_FROM" save "${images[@]/%/:latest}" | "$DOCKER" -H "unix://$dir/docker.sock" load -q \
        >"$STATE/$run/$node/images.log" 2>&1 &
    else
      bash "$ROOT/scripts/build-images.sh" --docker-host "unix://$dir/docker.sock" "${images[@]}" \
        >"$STATE/$run/$node/images.log" 2>&1 &
    fi
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  if (( failed )); then
    for node in "$@"; do cat "$STATE/$run/$node/images.log" >&2 || true; done
    die "loading the test images failed"
  fi
  log "images loaded in $(ms "$step") ms"
  up_done=1

  echo "ROOT_ADDRESS=$rootnet.1"
  i=0
  for node in "$@"; do
    i=$((i + 1))
    echo "NODE_${node}_NETNS=clc-$run-$node"
    echo "NODE_${node}_ADDRESS=$UNDERLAY.$((10 + i))"
    echo "NODE_${node}_ROOT_ADDRESS=$rootnet.$((10 + i))"
    echo "NODE_${node}_DOCKER_SOCKET=$STATE/$run/$node/docker/docker.sock"
  done
  log "run $run up in $(ms "$started") ms"
}

# Removes everything of RUN whatever state it is in: dockerds (with their containers, bridges and
# mounts), veths, namespaces, state.
do_down() {
  local run=$1
  check_name RUN "$run"
  need_root
  local dir node ns i
  # dockerds stop in parallel (each takes seconds to stop its containers)
  for dir in "$STATE/$run"/*/docker; do
    [[ -d $dir ]] || continue
    node=$(basename "$(dirname "$dir")")
    ns=clc-$run-$node
    if [[ -e /run/netns/$ns ]]; then
      in_ns "$ns" bash "$ROOT/scripts/dockerd.sh" stop "$dir" >/dev/null 2>&1 || log "warning: stopping dockerd of $node failed" &
    else
      bash "$ROOT/scripts/dockerd.sh" stop "$dir" >/dev/null 2>&1 &
    fi
  done
  wait
  # an etcd a test started for the run, bound to the root address that goes away below
  if [[ -d $STATE/$run/etcd ]]; then
    bash "$ROOT/scripts/etcd.sh" stop "$STATE/$run/etcd" >/dev/null 2>&1 || log "warning: stopping the run's etcd failed"
  fi
  # root ends of the links (deleting one end deletes the pair)
  for i in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^clr$run-[0-9]+\$" || true); do
    ip link del "$i" 2>/dev/null || true
  done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^clc-$run-" || true); do
    # processes left in the namespace (agents started with exec) go with it
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || log "warning: cannot delete namespace $ns"
  done
  if [[ -d $STATE/$run ]]; then
    awk -v d="$STATE/$run/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "${STATE:?}/$run"
  fi
  log "run $run down"
}

case $cmd in
  up) [[ $# -ge 2 ]] || usage; do_up "$@" ;;
  down) [[ $# -eq 1 ]] || usage; do_down "$1" ;;
  exec)
    [[ $# -ge 3 ]] || usage
    check_name RUN "$1"; check_name NODE "$2"
    ns=clc-$1-$2
    shift 2
    [[ -e /run/netns/$ns ]] || die "no namespace $ns"
    exec nsenter --net="/run/netns/$ns" -- "$@"
    ;;
  prune)
    need_root
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock 9   # not while an `up` is writing its state
    for d in "$STATE"/*/; do
      [[ -d $d ]] || continue
      run=$(basename "$d")
      read -r pid start <"$d/owner" 2>/dev/null || { pid=0; start=0; }
      # alive and the same process (its start time), not a recycled ID
      # (a zombie counts as gone)
      if [[ $pid != 0 && -r /proc/$pid/stat && $(cut -d' ' -f22 "/proc/$pid/stat") == "$start" &&
            $(cut -d' ' -f3 "/proc/$pid/stat") != Z ]]; then continue; fi
      log "run $run: owner $pid is gone, removing it"
      do_down "$run"
    done
    ;;
  list)
    for d in "$STATE"/*/; do [[ -d $d ]] && echo "$(basename "$d"): $(tr '\n' ' ' <"$d/nodes" 2>/dev/null)"; done
    true
    ;;
  *) usage ;;
esac
