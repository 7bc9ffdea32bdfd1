#!/usr/bin/env bash
# Usage: bench/soak.sh [--cycles N] [--in-flight N] [--sample-every N] [--agent BINARY] [--driver BINARY] [--dir DIR]
#
# The soak of issue 13: does the agent leak across many pods' lives? N (default 1,000) pod
# create/delete cycles through the master double, --in-flight (default 10) at a time. Each
# cycle: a pod (busybox httpd, HTTP liveness + exec readiness probes every second, grace period
# 2 s) and a NodePort Service selecting it are created in the double; the cycle waits until the
# double shows the pod Running and Ready and the agent's nftables table `ip clc-proxy` has a
# slot for the service (an element keyed by its cluster IP); both are deleted; it waits until the double has forgotten the
# pod, the engine has no container of it and the table nothing of the service.
#
# Measures, printed as a table with PASS/FAIL:
#   - the agent's VmRSS, RssAnon, open file descriptors (/proc/PID/fd) and threads
#     (/proc/PID/status), read at rest (in-flight cycles finished, 12 s later: past the
#     worker pools' 5 s idle time) every
#     --sample-every cycles (default 100); cycle 1,000 / cycle 100 of each must be <= 1.10;
#   - at the end: containers with the agent's labels in the engine (must be 0) and entries of
#     the table beyond those before the first cycle (chains, sets, maps, elements, rules; must
#     be 0); failed cycles (must be 0); the median cycle time per 100 cycles, for a slow-down.
#
# Isolation: scripts/netns-nodes.sh builds a simulated node (its own network namespace with its
# own dockerd and bridge, reachable from the root namespace only through a veth); the agent runs
# there (nsenter --net), so its table, iptables rules and ports touch nothing of the host's or of
# other runs. The master double runs in the driver (bench/SoakBench, clc-bench-soak) on the
# veth's root-side address. Everything is removed on exit, also on failure or Ctrl-C.
#
#   --agent BINARY   the agent (default: scripts/build-agent.sh's, the
#                    README's main job); e.g. /work/main/.build-release/release/clc-node
#   --driver BINARY  clc-bench-soak (default: swift build --product clc-bench-soak, debug: only
#                    the double runs in it)
#   --dir DIR        scratch directory (default /tmp/clc-soak); the agent log stays in
#                    DIR/work/agent.log, the figures in DIR/work/results.txt
# Images come from the dev engine (CLC_TEST_DOCKER_SOCKET, default /tmp/clc-dev-docker/docker.sock)
# when it runs, else scripts/build-images.sh builds them in the node's engine. Needs root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'soak: %s\n' "$*" >&2; }

CYCLES=1000 IN_FLIGHT=10 SAMPLE_EVERY=100 AGENT= DRIVER= DIR=/tmp/clc-soak
while [[ $# -gt 0 ]]; do
  case $1 in
    --cycles) CYCLES=$2; shift 2 ;;
    --in-flight) IN_FLIGHT=$2; shift 2 ;;
    --sample-every) SAMPLE_EVERY=$2; shift 2 ;;
    --agent) AGENT=$2; shift 2 ;;
    --driver) DRIVER=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { log "must run as root (network namespaces, dockerd, nft)"; exit 1; }
DIR=$(realpath -m -- "$DIR")
WORK=$DIR/work
RUN=soak$(( $$ % 10000 ))
mkdir -p "$WORK"

cd "$ROOT"
if [[ -z $AGENT ]]; then
  log "scripts/build-agent.sh"
  AGENT=$(bash scripts/build-agent.sh | tail -n 1)
fi
if [[ -z $DRIVER ]]; then
  log "swift build --product clc-bench-soak"
  swift build --product clc-bench-soak >&2
  DRIVER=$(swift build --show-bin-path)/clc-bench-soak
fi
for bin in "$AGENT" "$DRIVER"; do [[ -x $bin ]] || { log "$bin is not an executable"; exit 1; }; done

DRIVER_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $DRIVER_PID ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DRIVER_PID" 2>/dev/null || true
  fi
  # the agent, if the driver did not get to stop it (its pid file, and its command line naming
  # this run's state directory)
  if [[ -s $WORK/agent.pid ]]; then
    local pid
    pid=$(<"$WORK/agent.pid")
    if [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--state-dir $WORK/state"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$WORK/agent.pid"
  fi
  # the namespace, its dockerd with every container, its bridge and veths
  "$ROOT/scripts/netns-nodes.sh" down "$RUN" >&2 || log "warning: netns-nodes.sh down $RUN failed"
  rm -rf "$WORK/state"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

IMAGES_FROM=${CLC_TEST_DOCKER_SOCKET:-/tmp/clc-dev-docker/docker.sock}
if [[ -S $IMAGES_FROM ]] && /usr/bin/docker -H "unix://$IMAGES_FROM" image inspect clc-test/busybox:latest >/dev/null 2>&1; then
  export CLC_NODES_IMAGES_FROM=unix://$IMAGES_FROM
fi
settings=$(CLC_NODES_OWNER=$$ CLC_NODES_IMAGES=clc-test/busybox "$ROOT/scripts/netns-nodes.sh" up "$RUN" n1)
eval "$settings"
log "node: namespace $NODE_n1_NETNS, address $NODE_n1_ADDRESS, engine $NODE_n1_DOCKER_SOCKET; master on $ROOT_ADDRESS"

log "$CYCLES cycles, $IN_FLIGHT in flight, agent $AGENT"
"$DRIVER" --docker-socket "$NODE_n1_DOCKER_SOCKET" --agent "$AGENT" --netns "$NODE_n1_NETNS" \
  --master-host "$ROOT_ADDRESS" --node-ip "$NODE_n1_ADDRESS" --work "$WORK" \
  --cycles "$CYCLES" --in-flight "$IN_FLIGHT" --sample-every "$SAMPLE_EVERY" &
DRIVER_PID=$!
wait "$DRIVER_PID"
