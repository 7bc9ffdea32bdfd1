#!/usr/bin/env bash
# Usage: scripts/link-order.sh [--agent BINARY] [--out FILE] [--keep]
#
# Writes the agent's link order (default Sources/clc-node/link-order.txt): the symbols of every
# function of the clc-node binary that ran in two scenarios, hottest first. The release link
# (scripts/build-agent.sh) hands it to lld as --symbol-ordering-file, so the code a running node
# executes sits together at the front of .text instead of spread over its 30 MB: the kernel maps
# a binary's code 64 KB around each fault, and scattered hot functions made 19 MB of it
# resident (README, "Footprint"). A function missing from the file only costs a fault in the
# cold part, so the file may lag behind the code; regenerate it after large changes.
#
# Both scenarios run the agent under valgrind's callgrind (which lists every function executed,
# not a sample) on a simulated node (scripts/netns-nodes.sh: its own network namespace and
# dockerd; nothing touches the host's network):
#   1. manifest mode, as README's main job: the guestbook's controllers and services (service
#      proxy on nftables, NodePort 30001), a pod with HTTP and exec probes and a postStart hook,
#      flannel (vxlan) leasing from a private etcd, the node API asked over TLS, until the pods
#      run, then 20 s of steady state;
#   2. master mode: clc-bench-master's master double (watch, status, events, node lease) with
#      a few pods.
# Prints the executed code per scenario and in all. Needs root, valgrind, the test images
# (built into the node's dockerd). --agent: a release binary (default: scripts/build-agent.sh --no-order's,
# .build-ordered/release/clc-node); --keep: keep the callgrind files in /tmp/clc-link-order.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { printf 'link-order: %s\n' "$*" >&2; }
AGENT=
OUT=$ROOT/Sources/clc-node/link-order.txt
KEEP=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --agent) AGENT=$(realpath "$2"); shift 2 ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { log "valgrind is needed (apt-get install valgrind)"; exit 1; }
if [[ -z $AGENT ]]; then
  AGENT=$(bash scripts/build-agent.sh --no-order | tail -n 1)
fi
swift build -c release --product clc-bench-master >&2
BENCH_MASTER=$(swift build -c release --show-bin-path)/clc-bench-master

WORK=/tmp/clc-link-order
RUN=lorder
rm -rf "$WORK" && mkdir -p "$WORK"
cleanup() {
  [[ -n ${AGENT_PID:-} ]] && kill -TERM "$AGENT_PID" 2>/dev/null
  bash scripts/netns-nodes.sh down "$RUN" >/dev/null 2>&1 || true
  bash scripts/etcd.sh stop "$WORK/etcd" >/dev/null 2>&1 || true
  [[ $KEEP == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# valgrind cannot read the DWARF 5 of a clang 21 build: a copy with the symbol table only
cp "$AGENT" "$WORK/clc-node" && strip --strip-debug "$WORK/clc-node"
cat >"$WORK/agent-under-callgrind" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$WORK/callgrind.\$CLC_SCENARIO.%p --dump-instr=no \\
  --compress-strings=no --compress-pos=no --demangle=no $WORK/clc-node "\$@"
EOF
chmod +x "$WORK/agent-under-callgrind"

eval "$(bash scripts/netns-nodes.sh up "$RUN" n1)"
NETNS=$NODE_n1_NETNS SOCK=$NODE_n1_DOCKER_SOCKET
in_node() { ip netns exec "$NETNS" "$@"; }

# --- 1. manifest mode -------------------------------------------------------------------
etcd=$(CLC_ETCD_HOST=$ROOT_ADDRESS bash scripts/etcd.sh start "$WORK/etcd" 23850 | tail -n 1)
curl -fsS -X PUT "$etcd/v2/keys/coreos.com/network/config" \
  --data-urlencode 'value={"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}' >/dev/null
mkdir -p "$WORK/manifests"
for file in redis-master-controller.json redis-master-service.json redis-slave-controller.json \
            redis-slave-service.json frontend-controller.json frontend-service.json; do
  cp "$ROOT/../shared/guestbook/$file" "$WORK/manifests/"
done
cat >"$WORK/manifests/probed.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: probed, namespace: default, labels: {app: probed}}
spec:
  containers:
  - name: web
    image: clc-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'mkdir -p /www && echo ok >/www/index.html && exec httpd -f -p 8080 -h /www']
    resources: {limits: {memory: 32Mi, cpu: 100m}}
    lifecycle:
      postStart: {exec: {command: [sh, -c, 'echo started >/tmp/started']}}
      preStop: {exec: {command: [sh, -c, 'sleep 1']}}
    livenessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 2, timeoutSeconds: 5}
    readinessProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 2, timeoutSeconds: 5}
EOF
log "scenario 1: manifest mode on $NETNS (guestbook, proxy, flannel, node API) under callgrind"
# not through in_node: $! must be the agent's pid (ip netns exec, env and sh all exec)
ip netns exec "$NETNS" env CLC_SCENARIO=manifests "$WORK/agent-under-callgrind" run \
  --manifest-dir "$WORK/manifests" --docker-socket "$SOCK" --node-name n1 --state-dir "$WORK/state" \
  --etcd-endpoints "$etcd" --subnet-file "$WORK/subnet.env" --docker-options-file "$WORK/docker-options" \
  >"$WORK/agent-manifests.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 240); do
  running=$(docker -H "unix://$SOCK" ps -q --filter label=io.clc-node.node=n1 | wc -l)
  [[ $running -ge 14 ]] && break  # 7 pods, each with its infra container
  sleep 2
done
log "scenario 1: $running containers running; the node API and NodePort 30001 asked"
for _ in 1 2 3; do
  in_node curl -sk --max-time 20 -o /dev/null "https://127.0.0.1:10250/pods" || true
  in_node curl -s --max-time 20 -o /dev/null "http://127.0.0.1:10248/healthz" || true
  in_node curl -s --max-time 20 -o /dev/null "http://127.0.0.1:10249/metrics" || true
  in_node curl -s --max-time 20 -o /dev/null "http://$NODE_n1_ADDRESS:30001/guestbook.php?cmd=get&key=messages" || true
done
sleep 20
rm -f "$WORK/manifests/probed.yaml"
sleep 15
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || true; AGENT_PID=

# --- 2. master mode ---------------------------------------------------------------------
log "scenario 2: master mode (clc-bench-master's master double) under callgrind"
docker -H "unix://$SOCK" rm -f $(docker -H "unix://$SOCK" ps -aq --filter label=io.clc-node.node=n1) >/dev/null 2>&1 || true
in_node env CLC_SCENARIO=master "$BENCH_MASTER" --docker-socket "$SOCK" --agent "$WORK/agent-under-callgrind" \
  --work "$WORK/master" --reps 1 --steady-pods 3 --max-pods 5 --rate-window 10 --idle 5 --start-timeout 600 \
  >"$WORK/bench-master.log" 2>&1 || log "clc-bench-master failed (its log: $WORK/bench-master.log); its profile still counts"

python3 - "$WORK" "$WORK/clc-node" "$OUT" <<'EOF'
import glob, re, subprocess, sys
from collections import defaultdict
work, binary, out = sys.argv[1:4]
sizes = {}
for line in subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 4 and parts[2] in "tTwW":
        sizes[parts[3]] = int(parts[1], 16)
cost = defaultdict(int)
for path in sorted(glob.glob(work + "/callgrind.*")):
    scenario = path.split(".")[-2]
    ob = fn = None
    seen = set()
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            ob = line[3:].strip()
        elif line.startswith("fn="):
            fn = re.sub(r"'\d+$", "", line[3:].strip()) if ob and ob.endswith("/clc-node") else None
            if fn in sizes:
                seen.add(fn)
                cost[fn] += 0
        elif fn in sizes and line[:1].isdigit():
            cost[fn] += int(line.split()[-1])
    print(f"link-order: {scenario} ({path.split('.')[-1]}): {len(seen)} functions, "
          f"{sum(sizes[f] for f in seen) / 1e6:.2f} MB of code", file=sys.stderr)
hot = sorted(cost, key=lambda f: (-cost[f], f))
if len(hot) < 1000:
    sys.exit(f"link-order: only {len(hot)} functions seen; did the agent run? (logs in {work})")
with open(out, "w") as f:
    f.write("\n".join(hot) + "\n")
print(f"link-order: {len(hot)} functions, {sum(sizes[f] for f in hot) / 1e6:.2f} MB of the "
      f"{sum(sizes.values()) / 1e6:.1f} MB of functions, written to {out}", file=sys.stderr)
EOF
