#!/usr/bin/env bash
# Usage: bench/master.sh [--dir DIR] [--reps N] [--steady-pods N] [--max-pods N] [--rate-window S] [--idle S] [--no-build]
#
# Master-mode benchmark of clc-node (issue 3) against a baseline measured in the same run. The
# agent joins a master double (Tests/Doubles/MasterDouble, the v1 API over real HTTP on 127.0.0.1,
# inside the benchmark process) and runs pods on a PRIVATE dockerd on its own bridge:
#
#   1. watch-to-running latency of one pod: pod created in the double -> the double's copy shows
#      status.phase Running with the container running (store polled every 5 ms). Baseline: the
#      same infra (clc-node/pause:3.0) + app (clc-test/busybox:latest) containers created and
#      started straight through the Docker API. --reps rounds (default 7, 5 with BENCH_QUICK=1),
#      interleaved, pods deleted in the double between rounds; medians and the added latency
#      (target < 100 ms).
#   2. requests to the master per minute at steady state with --steady-pods pods Running
#      (default 30), over --rate-window seconds (60; 20 with BENCH_QUICK=1, scaled to a minute),
#      broken down by verb and resource (target: watch streams + node status/lease only).
#   3. agent RSS (VmRSS, RssAnon, RssFile) with --max-pods pods Running (110; 50 with
#      BENCH_QUICK=1; target < 40 MB) and its CPU over --idle seconds (30; 15 quick).
# Then prints the table (figure | baseline | agent | target ok/MISS) and the request breakdown.
#
# Steps: scripts/install-deps.sh; scripts/build-agent.sh (the agent that ships) and swift build -c release of clc-bench-master
# (bench/MasterBench); scripts/dockerd.sh start DIR/docker on bridge CLC_DOCKER_BRIDGE (default
# clcbenchm0, 172.29.0.1/16 -- never clcbr0, nor pod-start.sh's clcbench0);
# scripts/build-images.sh clc-test/busybox; .build/release/clc-bench-master. The agent log stays
# in DIR/work/agent.log, the table in DIR/work/results.txt. Everything (agent, containers,
# dockerd, bridge) is cleaned up on exit, also on failure or Ctrl-C.
#
#   --dir DIR      scratch + dockerd directory (default $BENCH_DIR or /tmp/clc-bench-master)
#   --no-build     skip install-deps / swift build / build-images (they are quick when done)
#   --agent BIN    the clc-node binary to measure (default: scripts/build-agent.sh's)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'master-bench: %s\n' "$*" >&2; }

DIR=${BENCH_DIR:-/tmp/clc-bench-master}
QUICK=${BENCH_QUICK:-0}
REPS=7 STEADY=30 MAX=110 WINDOW=60 IDLE=30
[[ $QUICK == 1 ]] && { REPS=5; MAX=50; WINDOW=20; IDLE=15; }
BUILD=1
AGENT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --steady-pods) STEADY=$2; shift 2 ;;
    --max-pods) MAX=$2; shift 2 ;;
    --rate-window) WINDOW=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --agent) AGENT=$(realpath -- "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { log "must run as root (dockerd)"; exit 1; }
DIR=$(realpath -m -- "$DIR")
export CLC_DOCKER_BRIDGE=${CLC_DOCKER_BRIDGE:-clcbenchm0}
export CLC_DOCKER_BRIDGE_CIDR=${CLC_DOCKER_BRIDGE_CIDR:-172.29.0.1/16}
[[ $CLC_DOCKER_BRIDGE != clcbr0 ]] || { log "refusing to use the clcbr0 bridge other runs use"; exit 1; }
DOCKER_DIR=$DIR/docker
WORK=$DIR/work
BENCH=$ROOT/.build/release/clc-bench-master
mkdir -p "$DIR" "$WORK"

# pid in $1 if it is alive and its command line contains $2
alive_with() {
  [[ $1 =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n ${BENCH_PID:-} ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true  # it stops its agent
    for _ in $(seq 100); do kill -0 "$BENCH_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$BENCH_PID" 2>/dev/null || true
  fi
  # the agent, if the benchmark did not get to stop it (pidfile written by clc-bench-master)
  if [[ -s $WORK/agent.pid ]]; then
    local pid
    pid=$(<"$WORK/agent.pid")
    if alive_with "$pid" "--state-dir $WORK/state"; then
      log "stopping agent pid $pid"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$WORK/agent.pid"
  fi
  # removes every container of the private engine, stops it, deletes its bridge
  "$ROOT/scripts/dockerd.sh" stop "$DOCKER_DIR" >&2 || log "warning: dockerd.sh stop failed"
  rm -rf "$WORK/state"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$ROOT"
if [[ $BUILD == 1 ]]; then
  "$ROOT/scripts/install-deps.sh" >&2
  if [[ -z $AGENT ]]; then log "scripts/build-agent.sh"; AGENT=$("$ROOT/scripts/build-agent.sh" | tail -n 1); fi
  log "swift build -c release --product clc-bench-master"
  swift build -c release --product clc-bench-master >&2
fi
AGENT=${AGENT:-$ROOT/.build-ordered/release/clc-node}
for bin in "$AGENT" "$BENCH"; do
  [[ -x $bin ]] || { log "$bin missing (run without --no-build)"; exit 1; }
done

SOCK=$("$ROOT/scripts/dockerd.sh" start "$DOCKER_DIR")
log "private dockerd at $SOCK (bridge $CLC_DOCKER_BRIDGE $CLC_DOCKER_BRIDGE_CIDR)"
if [[ $BUILD == 1 ]] || ! /usr/bin/docker -H "unix://$SOCK" image inspect clc-test/busybox:latest >/dev/null 2>&1; then
  "$ROOT/scripts/build-images.sh" --docker-host "unix://$SOCK" clc-test/busybox >&2
fi

args=(--docker-socket "$SOCK" --agent "$AGENT" --work "$WORK" --reps "$REPS" --steady-pods "$STEADY"
      --max-pods "$MAX" --rate-window "$WINDOW" --idle "$IDLE")
[[ $QUICK == 1 ]] && args+=(--quick)
log "measuring: $REPS single-pod rounds, $STEADY pods for ${WINDOW} s, $MAX pods, idle ${IDLE} s"
"$BENCH" "${args[@]}" &
BENCH_PID=$!
wait "$BENCH_PID"
BENCH_PID=
