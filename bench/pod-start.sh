#!/usr/bin/env bash
# Usage: bench/pod-start.sh [--dir DIR] [--idle SECONDS] [--pods N] [--bursts N] [--reps N] [--no-build]
#
# Pod-start benchmark of clc-node against a baseline measured in the same run: the same pods
# (infra container clc-node/pause:3.0 + app container clc-test/busybox:latest joining its
# network and IPC namespaces) created straight through the Docker API, all pods concurrently.
#
#   1. scripts/build-agent.sh (the agent that ships); scripts/install-deps.sh; a PRIVATE dockerd
#      (scripts/dockerd.sh start DIR/docker) on its own bridge; scripts/build-images.sh.
#   2. baseline: N pods (default 30) at once, time to the last app container's start event
#      (and, for information, the same with at most 16 requests in flight, as the agent's pool).
#   3. agent: N manifests renamed into its manifest directory at once, same end point; also
#      from the agent's first "manifest read" log line (it scans the directory every 500 ms).
#      Steps 2-3 are repeated --bursts times (default 3), interleaved; medians are reported.
#   4. agent idle with the N pods running: VmRSS, CPU (utime+stime) over --idle seconds.
#   5. single pod, --reps times (default 5): baseline 1 pod vs agent 1 pod, median added ms.
# Then prints the table (figure | baseline | agent | ratio/target). Measuring is done by
# bench/podstart.py; its results stay in DIR/work/results.json, the agent log in
# DIR/work/agent.log (`bench/podstart.py --table-only DIR/work/results.json ...` reprints).
#
#   --dir DIR      scratch + dockerd directory (default $BENCH_DIR or /tmp/clc-bench)
#   --idle S       idle window in seconds (default 60; 15 with BENCH_QUICK=1)
#   --pods N       pods in the burst (default 30)
#   --bursts N     rounds of the N-pod comparison (default 3, 1 with BENCH_QUICK=1)
#   --reps N       single-pod repetitions (default 5)
#   --no-build     skip the agent's build / install-deps / build-images (they are quick when done)
#   --agent BIN    the clc-node binary to measure (default: scripts/build-agent.sh's)
# Bridge: CLC_DOCKER_BRIDGE (default clcbench0) / CLC_DOCKER_BRIDGE_CIDR (default
# 172.31.0.1/16), so the bench never touches the clcbr0 bridge other runs may be using.
# Everything (agent, containers, dockerd, bridge) is cleaned up on exit, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'pod-start: %s\n' "$*" >&2; }

DIR=${BENCH_DIR:-/tmp/clc-bench}
IDLE=60
BURSTS=3
[[ ${BENCH_QUICK:-0} == 1 ]] && { IDLE=15; BURSTS=1; }
PODS=30
REPS=5
BUILD=1
AGENT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --pods) PODS=$2; shift 2 ;;
    --bursts) BURSTS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --agent) AGENT=$(realpath -- "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { log "must run as root (dockerd)"; exit 1; }
DIR=$(realpath -m -- "$DIR")
export CLC_DOCKER_BRIDGE=${CLC_DOCKER_BRIDGE:-clcbench0}
export CLC_DOCKER_BRIDGE_CIDR=${CLC_DOCKER_BRIDGE_CIDR:-172.31.0.1/16}
DOCKER_DIR=$DIR/docker
WORK=$DIR/work
mkdir -p "$DIR" "$WORK"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # the agent, if the python driver did not get to stop it (pidfile written by podstart.py)
  if [[ -s $WORK/agent.pid ]]; then
    local pid
    pid=$(<"$WORK/agent.pid")
    if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--state-dir $WORK/state"; then
      log "stopping agent pid $pid"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$WORK/agent.pid"
  fi
  if [[ -n ${PY_PID:-} ]]; then kill -TERM "$PY_PID" 2>/dev/null || true; fi
  # removes every container of the private engine, stops it, deletes its bridge
  "$ROOT/scripts/dockerd.sh" stop "$DOCKER_DIR" >&2 || log "warning: dockerd.sh stop failed"
  rm -rf "$WORK/manifests" "$WORK/manifests.stage" "$WORK/state"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$ROOT"
if [[ $BUILD == 1 ]]; then
  "$ROOT/scripts/install-deps.sh" >&2
  if [[ -z $AGENT ]]; then log "scripts/build-agent.sh"; AGENT=$("$ROOT/scripts/build-agent.sh" | tail -n 1); fi
fi
AGENT=${AGENT:-$ROOT/.build-ordered/release/clc-node}
[[ -x $AGENT ]] || { log "$AGENT missing (run without --no-build)"; exit 1; }

SOCK=$("$ROOT/scripts/dockerd.sh" start "$DOCKER_DIR")
log "private dockerd at $SOCK (bridge $CLC_DOCKER_BRIDGE $CLC_DOCKER_BRIDGE_CIDR)"
if [[ $BUILD == 1 ]] || ! /usr/bin/docker -H "unix://$SOCK" image inspect clc-test/busybox:latest >/dev/null 2>&1; then
  "$ROOT/scripts/build-images.sh" --docker-host "unix://$SOCK" clc-test/busybox >&2
fi

log "measuring: $PODS pods x $BURSTS rounds, $REPS single-pod reps, idle window $IDLE s"
python3 "$ROOT/bench/podstart.py" --sock "$SOCK" --agent "$AGENT" --work "$WORK" \
  --dockerd-pidfile "$DOCKER_DIR/docker.pid" --pods "$PODS" --bursts "$BURSTS" --reps "$REPS" --idle "$IDLE" &
PY_PID=$!
wait "$PY_PID"
PY_PID=
