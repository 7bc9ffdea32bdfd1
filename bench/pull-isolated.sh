#!/usr/bin/env bash
# Usage: bench/pull-isolated.sh [--dir DIR] [--rounds N] [--agent PATH] [--no-build]
#
# Pod start on a node cut off from its registry the slow way (its DNS server never answers),
# against a baseline measured in the same run:
#
#   1. scripts/build-agent.sh, the agent that ships (unless --no-build or --agent);
#      scripts/isolated-dockerd.sh start clc-pullbench DIR/engine (a network namespace whose
#      DNS drops queries, with its own dockerd); scripts/build-images.sh into it.
#   2. the registry time-out T: one `docker pull redis` there, timed until it fails.
#   3. each round (default 3), a fresh agent per measurement (nothing remembered between them):
#      baseline  the guestbook's six pods (redis-master, redis-slave x2, frontend x3, with
#                their services) with imagePullPolicy IfNotPresent on every container: time
#                from renaming the manifests into the agent's directory to the sixth app
#                container running, plus T (what a node that must ask the registry once needs);
#      agent     the same manifests as the seed has them (untagged images: pull policy Always).
#   Medians are printed side by side with the ratio agent/baseline; target <= 1.2.
#
#   --dir DIR      scratch and engine directory (default $BENCH_DIR or /tmp/clc-pullbench)
#   --rounds N     rounds (default 3, 1 with BENCH_QUICK=1)
#   --agent PATH   the clc-node binary to measure (default scripts/build-agent.sh's, built)
#   --no-build     use the existing release build
# Everything (agents, containers, dockerd, namespace) is cleaned up on exit, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'pull-isolated: %s\n' "$*" >&2; }

DIR=${BENCH_DIR:-/tmp/clc-pullbench}
ROUNDS=3
[[ ${BENCH_QUICK:-0} == 1 ]] && ROUNDS=1
AGENT=
BUILD=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --agent) AGENT=$(realpath -- "$2"); BUILD=0; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { log "must run as root (network namespace, dockerd)"; exit 1; }
DIR=$(realpath -m -- "$DIR")
NAMESPACE=clc-pullbench
ENGINE=$DIR/engine
WORK=$DIR/work
GUESTBOOK=${CLC_TEST_GUESTBOOK:-$ROOT/../shared/guestbook}
FILES=(redis-master-controller.json redis-master-service.json redis-slave-controller.json
  redis-slave-service.json frontend-controller.json frontend-service.json)
DOCKER=/usr/bin/docker
AGENT_PID=

stop_agent() {
  [[ -n $AGENT_PID ]] || return 0
  kill -TERM "$AGENT_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$AGENT_PID" 2>/dev/null || true
  wait "$AGENT_PID" 2>/dev/null || true
  AGENT_PID=
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_agent
  "$ROOT/scripts/isolated-dockerd.sh" stop "$NAMESPACE" "$ENGINE" >&2 || log "warning: isolated-dockerd.sh stop failed"
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$ROOT"
if [[ $BUILD == 1 ]]; then
  log "scripts/build-agent.sh"
  AGENT=$(bash "$ROOT/scripts/build-agent.sh" | tail -n 1)
  "$ROOT/scripts/install-deps.sh" >&2
fi
AGENT=${AGENT:-$ROOT/.build-ordered/release/clc-node}
[[ -x $AGENT ]] || { log "$AGENT missing (run without --no-build)"; exit 1; }
for file in "${FILES[@]}"; do [[ -s $GUESTBOOK/$file ]] || { log "$GUESTBOOK/$file missing"; exit 1; }; done

mkdir -p "$WORK"
SOCK=$("$ROOT/scripts/isolated-dockerd.sh" start "$NAMESPACE" "$ENGINE" | tail -n 1)
"$ROOT/scripts/build-images.sh" --docker-host "unix://$SOCK" redis kubernetes/redis-slave kubernetes/example-guestbook-php-redis >&2

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# the manifests: the seed's (Always) and one with imagePullPolicy IfNotPresent everywhere
mkdir -p "$WORK/always" "$WORK/ifnotpresent"
for file in "${FILES[@]}"; do
  cp "$GUESTBOOK/$file" "$WORK/always/$file"
  python3 - "$GUESTBOOK/$file" "$WORK/ifnotpresent/$file" <<'EOF'
import json, sys
manifest = json.load(open(sys.argv[1]))
def walk(value):
    if isinstance(value, dict):
        for container in value.get("containers", []) if isinstance(value.get("containers"), list) else []:
            container["imagePullPolicy"] = "IfNotPresent"
        for child in value.values(): walk(child)
    elif isinstance(value, list):
        for child in value: walk(child)
walk(manifest)
json.dump(manifest, open(sys.argv[2], "w"), indent=2)
EOF
done

log "registry time-out: docker pull redis in $NAMESPACE"
start=$(now_ms)
if "$DOCKER" -H "unix://$SOCK" pull redis >"$WORK/pull.txt" 2>&1; then log "the pull succeeded: the namespace is not cut off"; exit 1; fi
TIMEOUT_MS=$(( $(now_ms) - start ))
log "  failed after $TIMEOUT_MS ms: $(tail -n 1 "$WORK/pull.txt")"

# one measurement: a fresh agent, manifests of $1 renamed into its directory at once, time to
# six running app containers (ms) on stdout
measure() {
  local kind=$1 node manifests state begin count
  node=pullbench-$kind-$RANDOM
  manifests=$WORK/$node/manifests
  state=$WORK/$node/state
  mkdir -p "$manifests" "$state" "$WORK/$node/stage"
  cp "$WORK/$kind"/*.json "$WORK/$node/stage/"
  "$AGENT" run --manifest-dir "$manifests" --docker-socket "$SOCK" --node-name "$node" --state-dir "$state" \
    --proxy-mode none --metrics-bind-address "" >"$WORK/$node/agent.log" 2>&1 &
  AGENT_PID=$!
  for _ in $(seq 100); do grep -q "first pod sync started" "$WORK/$node/agent.log" && break; sleep 0.1; done
  begin=$(now_ms)
  mv "$WORK/$node/stage"/*.json "$manifests/"
  while :; do
    count=$("$DOCKER" -H "unix://$SOCK" ps -q --filter "label=io.clc-node.node=$node" \
      --filter label=io.kubernetes.docker.type=container --filter status=running | wc -l)
    (( count >= 6 )) && break
    if (( $(now_ms) - begin > 4 * TIMEOUT_MS + 60000 )); then log "$kind: only $count of 6 running"; exit 1; fi
    sleep 0.1
  done
  echo $(( $(now_ms) - begin ))
  stop_agent
  cp "$WORK/$node/agent.log" "$WORK/last-$kind.log"
  # shellcheck disable=SC2046
  "$DOCKER" -H "unix://$SOCK" rm -f $("$DOCKER" -H "unix://$SOCK" ps -aq --filter "label=io.clc-node.node=$node") >/dev/null
  rm -rf "${WORK:?}/$node"
}

baseline=()
agent=()
for ((round = 1; round <= ROUNDS; round++)); do
  b=$(measure ifnotpresent)
  a=$(measure always)
  log "round $round: IfNotPresent $b ms (+ time-out $TIMEOUT_MS ms), Always $a ms"
  baseline+=("$b")
  agent+=("$a")
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
B=$(median "${baseline[@]}")
A=$(median "${agent[@]}")
awk -v t="$TIMEOUT_MS" -v b="$B" -v a="$A" -v n="$ROUNDS" 'BEGIN {
  printf "%-58s %12s %12s %8s %8s\n", "figure (median of " n " rounds)", "baseline", "agent", "ratio", "target"
  printf "%-58s %10.2f s\n", "registry time-out (docker pull redis, DNS never answers)", t / 1000
  printf "%-58s %10.2f s\n", "6 guestbook pods running, IfNotPresent", b / 1000
  printf "%-58s %10.2f s %10.2f s %8.2f %8s\n", "6 guestbook pods running, untagged (Always)", (b + t) / 1000, a / 1000, a / (b + t), "<= 1.2"
}'
