#!/usr/bin/env bash
# Usage: bench/probes.sh [--pods N] [--window SECONDS] [--no-build] [--agent BINARY]
#
# Probe benchmark of clc-node beside a baseline measured in the same run: N pods (default 100)
# each with an HTTP liveness probe every second (busybox httpd answering GET /).
#   baseline: a plain Python prober (one thread per pod, an HTTP GET to each pod IP every
#             second, 1 s timeout) over the same window: its CPU and its lateness against
#             schedule, i.e. what probing costs with nothing else around it.
#   floor:    bench/probe-floor.c, the same probing in one C epoll loop and nothing else (new
#             connection, Connection: close, body read, 1 s timeout), over the agent's window
#             (both meet the same machine; one window here can cost a third more than the next
#             for the same work): the least this work costs on this machine, user and kernel.
#   agent:    clc-node's CPU (utime+stime from /proc) over the window with the N pods probed,
#             and the probe lateness percentiles it logs each minute ("probe timing"); split
#             into the probe thread and the other threads, with its context switches a second.
#             Before that, the same pods without a probe for one window: what the agent costs to
#             keep them apart from probing them, and the difference, what probing alone costs.
# Both CPU figures are also given for the kernel alone (stime): connects and packets through
# the bridge, charged to whoever makes the connection. The agent's VmRSS and thread count at
# the end of its window close the table.
# Targets: agent CPU under 3% of one core; probe lateness p99 under 50 ms.
# A private dockerd (scripts/dockerd.sh) on its own bridge clcprobe0 (172.29.0.1/16) is
# started and everything is removed on exit. BENCH_QUICK=1: 30 pods, 30 s window.
# --agent: the agent to measure (default: scripts/build-agent.sh's, the agent that ships).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PODS=100
WINDOW=60
BUILD=1
AGENT=
[[ ${BENCH_QUICK:-0} == 1 ]] && { PODS=30; WINDOW=30; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --pods) PODS=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --agent) AGENT=$2; BUILD=0; shift 2 ;;
    *) sed -n '2,/^set -euo/{/^#/p}' "$0" >&2; exit 2 ;;
  esac
done
DIR=${BENCH_DIR:-/tmp/clc-bench-probes}
export CLC_DOCKER_BRIDGE=${CLC_DOCKER_BRIDGE:-clcprobe0}
export CLC_DOCKER_BRIDGE_CIDR=${CLC_DOCKER_BRIDGE_CIDR:-172.29.0.1/16}
cd "$ROOT"
if [[ $BUILD == 1 ]]; then
  bash scripts/install-deps.sh >&2
  AGENT=$(bash scripts/build-agent.sh | tail -n 1)
fi
AGENT_PID=
cleanup() {
  [[ -n $AGENT_PID ]] && kill -9 "$AGENT_PID" 2>/dev/null || true
  bash scripts/dockerd.sh stop "$DIR/docker" >/dev/null 2>&1 || true
  rm -rf "$DIR/work"
}
trap cleanup EXIT
mkdir -p "$DIR/work/manifests"
SOCK=$(bash scripts/dockerd.sh start "$DIR/docker" | tail -n 1)
bash scripts/build-images.sh --docker-host "unix://$SOCK" clc-test/busybox >&2
AGENT=${AGENT:-$ROOT/.build-ordered/release/clc-node}
CC=${CC:-$(command -v cc || command -v clang)}
"$CC" -O2 -o "$DIR/work/probe-floor" "$ROOT/bench/probe-floor.c"
"$AGENT" run --manifest-dir "$DIR/work/manifests" --docker-socket "$SOCK" \
  --node-name probebench --state-dir "$DIR/work/state" > "$DIR/work/agent.log" 2>&1 &
AGENT_PID=$!
python3 "$ROOT/bench/probes.py" --sock "$SOCK" --pods "$PODS" --window "$WINDOW" \
  --manifests "$DIR/work/manifests" --agent-pid "$AGENT_PID" --agent-log "$DIR/work/agent.log" \
  --floor "$DIR/work/probe-floor"
