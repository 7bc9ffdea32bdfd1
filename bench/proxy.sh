#!/usr/bin/env bash
# Usage: bench/proxy.sh [--dir DIR] [--docker-socket SOCK] [--runs N] [--rounds N] [--connects N] [--parts LIST] [--no-build]
#
# Service proxy benchmark of clc-node, each figure beside a baseline measured in the same run.
# Everything happens in network namespaces this script creates (clcpb<PID>-*) and deletes on
# exit; the host's tables and interfaces are never touched, no packet leaves those namespaces
# (only when no Docker engine answers does scripts/dockerd.sh start one, with its own bridge
# and rules, and remove them on exit).
#
#   1. first full sync of 1,000 and 10,000 services (2 endpoints each) into an empty table:
#      our netlink batches (clc-bench-proxy full) vs `nft -f -` of the same ruleset as text
#      (`nft list`'s layout) and of the same transaction as nft commands (knftables' form,
#      which kube-proxy's nftables mode hands to nft); --runs times each (3; 1 with
#      BENCH_QUICK=1), rotated, the table deleted before each; medians. At 1,000 the three
#      kernel listings are compared. Target: 10,000 in < 2 s and faster than nft -f.
#   2. one service's endpoint replaced among 100 and among 10,000, our sync handed that service
#      (as the agent's watch hands it over, RulesetSync.sync(changes:)): time of the sync until the
#      kernel acknowledged it, --rounds times (20; 10 quick) through netlink and as many times
#      through `nft -f -` of the same incremental transaction as commands (the changed slot
#      and set elements deleted and added, as kube-proxy hands its changes to nft), alternating;
#      medians and p90, split into our compute and the kernel's batch, plus what the kernel
#      takes to commit one rule alone at that size; then the kernel's elements of the changed
#      services are compared with the expected ones. Target: at 10,000 within 3x of at 100.
#      (kube-proxy's own layout, a chain per service and per endpoint, is measured beside ours
#      by bench/nft-layout.sh.)
#   3. first-packet latency: namespaces client (10.244.1.2) -> node (the table, ip_forward=1)
#      -> backend (10.244.2.2 and .3, a python listener that accepts and closes), veth pairs.
#      With 10 and then 10,000 services programmed (all with endpoints; service 5 has the
#      backend's two addresses), --connects sequential TCP connects (2,000; 500 quick) each to
#      service 5's cluster IP and, as the baseline, to the backend's own IP (no NAT), in
#      interleaved blocks, timed around connect() (bench/proxy.py); p50 and p99 in us.
#      Target: no measurable growth from 10 to 10,000.
#   4. agent memory: `clc-node run --proxy-mode nftables --log-level debug` inside a namespace
#      of its own, (a) with a manifest directory of 10,000 Service files whose selectors match
#      no pod (so the table holds 10,000 elements of the no-endpoint set),
#      (b) against a static master (bench/proxy.py master, in that namespace) serving 10,000
#      Services and Endpoints with 2 addresses each. VmRSS (and peak VmHWM) once the log says
#      "service proxy synced" with services=10000, and that sync's time. Target: < 60 MB.
#   5. 1,000 services created at once: the agent against a static master (bench/proxy.py
#      master --burst) that holds none, until its table is programmed (empty); 2 s later the
#      master takes 1,000 Services with their Endpoints and sends them as watch events; time
#      from then until the kernel's cluster-ips set holds all 1,000 (nft polled every 5 ms),
#      and how many syncs the agent made of them. Baseline: part 1's full sync of 1,000 into an
#      empty table (the kernel and our compute alone, no master). Target: < 500 ms.
# Then the table (figure | baseline | clc-node | target). Raw lines stay in DIR/results.txt,
# agent logs in DIR/agent-*.log.
#
#   --dir DIR            scratch directory (default $BENCH_DIR or /tmp/clc-bench-proxy)
#   --docker-socket S    a running Docker engine for the agent (it only lists containers:
#                        there are no pods). Default: /tmp/clc-test-docker/docker.sock when it
#                        answers, else a private one (scripts/dockerd.sh start DIR/docker,
#                        bridge clcbenchp0 172.28.0.1/16), stopped on exit.
#   --runs N / --rounds N / --connects N   repetitions of 1 / 2 / 3 (see above)
#   --parts LIST         which of the measurements to run, e.g. 12 or 4 (default 12345)
#   --no-build           skip swift build of clc-node and clc-bench-proxy
# The machine has 2 cores: the load average is printed first; run it when nothing else builds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'proxy-bench: %s\n' "$*" >&2; }

DIR=${BENCH_DIR:-/tmp/clc-bench-proxy}
QUICK=${BENCH_QUICK:-0}
RUNS=3 ROUNDS=20 CONNECTS=2000
[[ $QUICK == 1 ]] && { RUNS=1; ROUNDS=10; CONNECTS=500; }
SERVICES=10000
BURST=1000
BUILD=1
SOCK=
PARTS=12345
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --docker-socket) SOCK=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --connects) CONNECTS=$2; shift 2 ;;
    --parts) PARTS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { log "must run as root (network namespaces, nftables)"; exit 1; }
for tool in ip nft python3; do command -v "$tool" >/dev/null || { log "$tool not found"; exit 1; }; done
DIR=$(realpath -m -- "$DIR")
BENCH=$ROOT/.build/release/clc-bench-proxy
AGENT=$ROOT/.build-ordered/release/clc-node
PY=$ROOT/bench/proxy.py
RESULTS=$DIR/results.txt
mkdir -p "$DIR"

ID=$$
NS_SYNC=clcpb$ID-sync
NS_NODE=clcpb$ID-node
NS_CLIENT=clcpb$ID-client
NS_BACKEND=clcpb$ID-backend
NS_AGENT=clcpb$ID-agent
PIDS=()            # background processes we started (backend, master, agent)
OWN_DOCKERD=0

# pid in $1 if it is alive and its command line contains $2
alive_with() {
  [[ $1 =~ ^[0-9]+$ ]] && tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# SIGTERM, SIGKILL after $2 tenths of a second
stop_pid() {
  local pid=$1 grace=${2:-50}
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq "$grace"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    if alive_with "$pid" "$DIR" || alive_with "$pid" "$PY"; then stop_pid "$pid" 100; fi
  done
  # Deleting a namespace takes its veths and its nftables table with it.
  for ns in "$NS_SYNC" "$NS_NODE" "$NS_CLIENT" "$NS_BACKEND" "$NS_AGENT"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$DIR/manifests" "$DIR/manifests-empty" "$DIR"/state-*
  if [[ $OWN_DOCKERD == 1 ]]; then
    CLC_DOCKER_BRIDGE=clcbenchp0 "$ROOT/scripts/dockerd.sh" stop "$DIR/docker" >&2 || log "warning: dockerd.sh stop failed"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

new_ns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# waits up to $3 s for file $1 to contain $2
wait_for() {
  local file=$1 needle=$2 seconds=$3
  for _ in $(seq $((seconds * 10))); do
    grep -qF -- "$needle" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Runs the agent (mode name $1, expected service count $2, source arguments after them) in
# its namespace until it logs "service proxy synced" for that many services, reads its memory
# 2 s later, stops it and deletes the table it left.
measure_agent() {
  local mode=$1 expected=$2; shift 2
  local logfile=$DIR/agent-$mode.log state=$DIR/state-$mode
  rm -rf "$state"; mkdir -p "$state"
  ip netns exec "$NS_AGENT" "$AGENT" run "$@" --docker-socket "$SOCK" --node-name "clc-bench-proxy-$ID" \
    --node-ip 10.78.0.1 --state-dir "$state" --log-level debug --proxy-mode nftables --docker-user-accept false \
    --cluster-cidr 10.244.0.0/16 >"$logfile" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  local line=
  for _ in $(seq 1200); do
    line=$(grep -F "service proxy synced" "$logfile" | grep -F " services=$expected " | tail -1 || true)
    [[ -n $line ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $line ]]; then
    log "agent ($mode) did not sync $expected services within 120 s; last log lines:"
    tail -5 "$logfile" >&2
    stop_pid "$pid"
    return 1
  fi
  # Let the sync's transient garbage go before reading (the peak is VmHWM).
  sleep 2
  local status map elements seconds kind
  status=$(cat "/proc/$pid/status")
  [[ $mode == master ]] && map=cluster-ips || map=no-endpoint-services
  elements=$(ip netns exec "$NS_AGENT" nft list set ip clc-proxy "$map" | grep -oE '[0-9.]+ \. tcp \. [0-9]+' | wc -l || true)
  seconds=$(sed -n 's/.*sync\.duration="\{0,1\}\([0-9.e-]*\) seconds.*/\1/p' <<<"$line")
  kind=$(sed -n 's/.*sync\.kind=\([a-z]*\).*/\1/p' <<<"$line")
  echo "agent $mode services=$expected rss_kb=$(awk '/^VmRSS:/ { print $2 }' <<<"$status")" \
    "anon_kb=$(awk '/^RssAnon:/ { print $2 }' <<<"$status") hwm_kb=$(awk '/^VmHWM:/ { print $2 }' <<<"$status")" \
    "sync_kind=$kind sync_s=$(printf '%.3f' "${seconds:-0}") map=$map map_elements=$elements" \
    "syncs=$(grep -cF 'service proxy synced' "$logfile")" | tee -a "$RESULTS"
  stop_pid "$pid" 200
  ip netns exec "$NS_AGENT" nft delete table ip clc-proxy 2>/dev/null || true
}

# The agent's namespace: the node's address on a veth pair with both ends inside (some kernels
# have no dummy links). Made once, for parts 4 and 5.
agent_ns() {
  ip netns list | grep -qw "$NS_AGENT" && return
  new_ns "$NS_AGENT"
  ip -n "$NS_AGENT" link add node0 type veth peer name node1
  ip -n "$NS_AGENT" addr add 10.78.0.1/24 dev node0
  ip -n "$NS_AGENT" link set node0 up
  ip -n "$NS_AGENT" link set node1 up
}

cd "$ROOT"
if [[ $BUILD == 1 ]]; then
  log "swift build -c release --product clc-bench-proxy; scripts/build-agent.sh (the agent that ships)"
  swift build -c release --product clc-bench-proxy >&2
  bash scripts/build-agent.sh >/dev/null
fi
for bin in "$BENCH" "$AGENT"; do
  [[ -x $bin ]] || { log "$bin missing (run without --no-build)"; exit 1; }
done

: >"$RESULTS"
START=$(date +%s)
{
  echo "# $(date -u +%FT%TZ) $(uname -r) $(nft --version) nproc=$(nproc)"
  echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  # the binaries are built from the working tree, which may be ahead of HEAD
  dirty=$(git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo "+uncommitted Sources")
  echo "# runs=$RUNS rounds=$ROUNDS connects=$CONNECTS quick=$QUICK commit=$(git -C "$ROOT" rev-parse --short HEAD)$dirty"
} | tee -a "$RESULTS"
read -r load _ </proc/loadavg
if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
  log "warning: load average $load on $(nproc) cores: something else is running; figures will be noisy"
fi

# --- 1 and 2: full sync, one change ------------------------------------------------------------
if [[ $PARTS == *[12]* ]]; then
  new_ns "$NS_SYNC"
  if [[ $PARTS == *1* ]]; then
    log "1. full sync of 1,000 and 10,000 services, netlink vs nft -f ($RUNS runs)"
    ip netns exec "$NS_SYNC" "$BENCH" "/var/run/netns/$NS_SYNC" full --runs "$RUNS" 1000 "$SERVICES" | tee -a "$RESULTS"
  fi
  if [[ $PARTS == *2* ]]; then
    log "2. one change among 100 and 10,000 ($ROUNDS rounds per path)"
    ip netns exec "$NS_SYNC" "$BENCH" "/var/run/netns/$NS_SYNC" change --rounds "$ROUNDS" 100 "$SERVICES" | tee -a "$RESULTS"
  fi
  ip netns del "$NS_SYNC"
fi

# --- 3: first-packet latency -----------------------------------------------------------------
if [[ $PARTS == *3* ]]; then
  log "3. TCP connect latency through the node namespace, 10 and 10,000 services ($CONNECTS connects per target)"
  new_ns "$NS_NODE"; new_ns "$NS_CLIENT"; new_ns "$NS_BACKEND"
  ip -n "$NS_NODE" link add to-client type veth peer name eth0 netns "$NS_CLIENT"
  ip -n "$NS_NODE" link add to-backend type veth peer name eth0 netns "$NS_BACKEND"
  ip -n "$NS_NODE" addr add 10.244.1.1/24 dev to-client
  ip -n "$NS_NODE" addr add 10.244.2.1/24 dev to-backend
  ip -n "$NS_NODE" link set to-client up
  ip -n "$NS_NODE" link set to-backend up
  ip netns exec "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$NS_CLIENT" addr add 10.244.1.2/24 dev eth0
  ip -n "$NS_CLIENT" link set eth0 up
  ip -n "$NS_CLIENT" route add default via 10.244.1.1
  ip -n "$NS_BACKEND" addr add 10.244.2.2/24 dev eth0
  ip -n "$NS_BACKEND" addr add 10.244.2.3/24 dev eth0
  ip -n "$NS_BACKEND" link set eth0 up
  ip -n "$NS_BACKEND" route add default via 10.244.2.1
  ip netns exec "$NS_BACKEND" python3 "$PY" backend 8080 >"$DIR/backend.log" 2>&1 &
  PIDS+=($!)
  wait_for "$DIR/backend.log" "listening" 10 || { log "backend did not start: $(cat "$DIR/backend.log")"; exit 1; }
  for size in 10 "$SERVICES"; do
    line=$(ip netns exec "$NS_NODE" "$BENCH" "/var/run/netns/$NS_NODE" serve "$size" --target 5 \
      --endpoints 10.244.2.2:8080,10.244.2.3:8080)
    echo "$line" | tee -a "$RESULTS"
    cluster_ip=$(sed -n 's/.* cluster_ip=\([0-9.]*\).*/\1/p' <<<"$line")
    # one connect first: a broken setup fails here, not 2,000 times
    ip netns exec "$NS_CLIENT" python3 -c "import socket; socket.create_connection(('$cluster_ip', 80), 2).close()" ||
      { log "cannot connect to $cluster_ip:80 through the node namespace"; exit 1; }
    ip netns exec "$NS_CLIENT" python3 "$PY" connect --count "$CONNECTS" \
      --target "direct-$size=10.244.2.2:8080" --target "service-$size=$cluster_ip:80" | tee -a "$RESULTS"
  done
  for ns in "$NS_NODE" "$NS_CLIENT" "$NS_BACKEND"; do ip netns del "$ns"; done
fi

# The agent (parts 4 and 5) needs a Docker engine, though it runs no pods.
if [[ $PARTS == *[45]* && -z $SOCK ]]; then
  if [[ -S /tmp/clc-test-docker/docker.sock ]] &&
    /usr/bin/docker -H unix:///tmp/clc-test-docker/docker.sock version >/dev/null 2>&1; then
    SOCK=/tmp/clc-test-docker/docker.sock
  else
    log "starting a private dockerd in $DIR/docker"
    OWN_DOCKERD=1
    SOCK=$(CLC_DOCKER_BRIDGE=clcbenchp0 CLC_DOCKER_BRIDGE_CIDR=172.28.0.1/16 "$ROOT/scripts/dockerd.sh" start "$DIR/docker")
  fi
fi

# --- 4: agent memory -------------------------------------------------------------------------
if [[ $PARTS == *4* ]]; then
  log "4. agent memory with $SERVICES services (docker engine $SOCK)"
  agent_ns
  rm -rf "$DIR/manifests" "$DIR/manifests-empty"; mkdir -p "$DIR/manifests" "$DIR/manifests-empty"
  python3 "$PY" manifests "$DIR/manifests" "$SERVICES"

  # the baseline: the same agent without services
  measure_agent empty 0 --manifest-dir "$DIR/manifests-empty" || log "agent without services: no figure"
  measure_agent manifests "$SERVICES" --manifest-dir "$DIR/manifests" || log "agent with manifests: no figure"
  ip netns exec "$NS_AGENT" python3 "$PY" master 18080 "$SERVICES" >"$DIR/master.log" 2>&1 &
  PIDS+=($!)
  wait_for "$DIR/master.log" "listening" 30 || { log "static master did not start: $(cat "$DIR/master.log")"; exit 1; }
  measure_agent master "$SERVICES" --master http://127.0.0.1:18080 || log "agent with master: no figure"
fi

if [[ $PARTS == *5* ]]; then
  log "5. $BURST services created at once on a master that held none, until the kernel has them"
  agent_ns
  ip netns exec "$NS_AGENT" python3 "$PY" master 18081 0 --burst "$BURST" >"$DIR/master-burst.log" 2>&1 &
  master_pid=$!
  PIDS+=("$master_pid")
  wait_for "$DIR/master-burst.log" "listening" 30 || { log "static master did not start: $(cat "$DIR/master-burst.log")"; exit 1; }
  state=$DIR/state-burst
  rm -rf "$state"; mkdir -p "$state"
  ip netns exec "$NS_AGENT" "$AGENT" run --master http://127.0.0.1:18081 --docker-socket "$SOCK" \
    --node-name "clc-bench-proxy-$ID" --node-ip 10.78.0.1 --state-dir "$state" --log-level debug --proxy-mode nftables \
    --docker-user-accept false --cluster-cidr 10.244.0.0/16 >"$DIR/agent-burst.log" 2>&1 &
  agent_pid=$!
  PIDS+=("$agent_pid")
  if wait_for "$DIR/master-burst.log" "burst services=" 120; then
    # How many syncs the agent took for them: those after its first (the empty table).
    syncs=$(grep -cF 'service proxy synced' "$DIR/agent-burst.log" || true)
    echo "$(grep -F 'burst services=' "$DIR/master-burst.log" | tail -1) syncs=$((syncs - 1))" | tee -a "$RESULTS"
  else
    log "the kernel did not get the $BURST services within 120 s; last agent log lines:"
    tail -5 "$DIR/agent-burst.log" >&2
  fi
  stop_pid "$agent_pid" 200
  stop_pid "$master_pid"
  ip netns exec "$NS_AGENT" nft delete table ip clc-proxy 2>/dev/null || true
fi

echo "# took $(( $(date +%s) - START )) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
echo
python3 "$PY" table "$RESULTS" | tee "$DIR/table.txt"
