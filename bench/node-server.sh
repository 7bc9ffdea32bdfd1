#!/usr/bin/env bash
# Usage: bench/node-server.sh [--docker-socket SOCK] [--pods N] [--no-build] [--debug] [--agent BINARY]
#
# Node API benchmark of clc-node (issue 11): a release agent runs N pods (default 30, each a
# busybox printing a line a second) on the Docker engine at SOCK and serves its node API on
# 127.0.0.1:10650; then, each figure beside a baseline from the same run:
#   1. 100 concurrent keep-alive clients on /pods for 10 s (wrk --latency): p50/p99 beside the
#      same load on /healthz of the same TLS listener (the server's floor). Target: p99 < 20 ms.
#   2. /stats/summary, one client for 5 s: latency beside /healthz. Target: < 10 ms.
#   3. 50 follow streams of container logs (`/containerLogs/...?follow=true`, what kubectl logs -f
#      reaches through the master) for 20 s: the agent's CPU (utime+stime from /proc) beside the
#      same 20 s with no client. Target: < 5 % of a core.
#   4. the agent's RSS idle with N pods, and after the loads. Target: 30 MB at 30 pods.
# The load runs without client certificates (--anonymous-auth true, AlwaysAllow): wrk cannot
# present one; authentication of a keep-alive connection happens per request either way.
# Needs root, a Docker engine (the dev engine by default) and wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

SOCK=${CLC_TEST_DOCKER_SOCKET:-/tmp/clc-dev-docker/docker.sock}
PODS=30
BUILD=1
CONFIG=release
AGENT_GIVEN=
while [ $# -gt 0 ]; do
    case "$1" in
        --docker-socket) SOCK=$2; shift 2 ;;
        --pods) PODS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --debug) CONFIG=debug; shift ;;  # the debug build (slower; when a release build is not at hand)
        --agent) AGENT_GIVEN=$2; BUILD=0; shift 2 ;;  # a binary built elsewhere (e.g. another --scratch-path)
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -S "$SOCK" ] || { echo "no Docker engine socket at $SOCK (start one with scripts/dockerd.sh or pass --docker-socket)" >&2; exit 1; }
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null

# The release agent is the one that ships (scripts/build-agent.sh, as the README's main job).
if [ "$CONFIG" = release ]; then
    if [ "$BUILD" = 1 ]; then bash scripts/build-agent.sh >/dev/null; fi
    AGENT=${AGENT_GIVEN:-$PWD/.build-ordered/release/clc-node}
else
    if [ "$BUILD" = 1 ]; then swift build --product clc-node >/dev/null; fi
    AGENT=${AGENT_GIVEN:-$(swift build --show-bin-path)/clc-node}
fi
echo "agent: $AGENT ($CONFIG build)"

NODE=nodebench-$$
WORK=$(mktemp -d)
PORT=10650
BASE=https://127.0.0.1:$PORT
export DOCKER_HOST=unix://$SOCK
agent_pid=
cleanup() {
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
    for type in container podsandbox; do
        docker ps -aq --filter "label=io.clc-node.node=$NODE" --filter "label=io.kubernetes.docker.type=$type" \
            | xargs -r -n1 docker rm -f >/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/manifests"
for i in $(seq 1 "$PODS"); do
    cat >"$WORK/manifests/pod-$i.yaml" <<POD
apiVersion: v1
kind: Pod
metadata: {name: talker-$i}
spec:
  containers:
  - name: app
    image: clc-test/busybox:latest
    command: ["sh", "-c", "i=0; while true; do i=\$((i+1)); echo line \$i of pod $i; sleep 1; done"]
POD
done

"$AGENT" run --manifest-dir "$WORK/manifests" --docker-socket "$SOCK" --node-name "$NODE" --node-ip 127.0.0.1 \
    --address 127.0.0.1 --port $PORT --healthz-port 0 --anonymous-auth true --authorization-mode AlwaysAllow \
    --proxy-mode none --metrics-bind-address "" --state-dir "$WORK/state" >"$WORK/agent.log" 2>&1 &
agent_pid=$!

running() { curl -sk "$BASE/pods" | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["items"] if p.get("status",{}).get("phase")=="Running"))' 2>/dev/null || echo 0; }
for _ in $(seq 1 180); do [ "$(running)" -ge "$PODS" ] && break; sleep 1; done
echo "agent pid $agent_pid: $(running) of $PODS pods running"
sleep 12  # two stats samples, so that the summary has rates

rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$agent_pid/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$agent_pid/stat"; }
tick=$(getconf CLK_TCK)
echo "== 4a. RSS idle with $PODS pods: $(rss)"

latency() {  # wrk's p50 and p99 lines and requests/s
    wrk "$@" --latency | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {printf "p50 %s  p99 %s  %s req/s\n", p50, p99, rps}'
}
echo "== 1. 100 concurrent clients, 10 s (wrk -t2 -c100)"
printf '   /pods      '; latency -t2 -c100 -d10s "$BASE/pods"
printf '   /healthz   '; latency -t2 -c100 -d10s "$BASE/healthz"
echo "   (/pods body: $(curl -sk "$BASE/pods" | wc -c) bytes)"

echo "== 2. one client, 5 s (wrk -t1 -c1)"
printf '   /stats/summary  '; latency -t1 -c1 -d5s "$BASE/stats/summary"
printf '   /healthz        '; latency -t1 -c1 -d5s "$BASE/healthz"

echo "== 3. 50 log follows for 20 s"
before=$(cpu_ticks); sleep 20; after=$(cpu_ticks)
echo "   no client:    $(python3 -c "print(f'{($after-$before)/$tick/20*100:.2f} % of a core')")"
pids=()
for i in $(seq 1 50); do
    pod=$(( (i - 1) % PODS + 1 ))
    curl -sk -N "$BASE/containerLogs/default/talker-$pod-$NODE/app?follow=true" >"$WORK/follow-$i.out" &
    pids+=($!)
done
sleep 2
before=$(cpu_ticks); sleep 20; after=$(cpu_ticks)
echo "   50 follows:   $(python3 -c "print(f'{($after-$before)/$tick/20*100:.2f} % of a core')")  ($(cat "$WORK"/follow-*.out | wc -l) lines delivered)"
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
sleep 2
echo "== 4b. RSS after the loads: $(rss); open descriptors: $(ls /proc/$agent_pid/fd | wc -l)"
