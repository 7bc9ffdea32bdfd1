#!/bin/bash
# How soon a lease added elsewhere is routed: the agent (flannel on, host-gw, etcd v2 API) on one
# simulated node (scripts/netns-nodes.sh, its own dockerd), a private etcd on the run's root
# address; LEASES leases of other nodes are written one at a time into etcd, and the time from
# each write to its route appearing in the node's kernel (`ip -ts monitor route` in the node's
# namespace) is measured. Baseline in the same run: the time from the same write to a plain etcd
# v2 watcher (a long poll with waitIndex, what any watching agent waits for at least).
# Target: under 1 s. Run as root from the repository:
#   bash bench/lease-routing.sh [LEASES] [AGENT]    (AGENT: default the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
LEASES=${1:-20}
AGENT=${2:-}
RUN=lr$(( $$ % 100000 ))
WORK=$(mktemp -d)
export CLC_NODES_OWNER=$$
if [[ -z $AGENT ]]; then
    AGENT=$(bash scripts/build-agent.sh 2>/dev/null | tail -n 1)
fi
agent_pid=
etcd_pid=
cleanup() {
    [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null || true
    [[ -n $etcd_pid ]] && kill "$etcd_pid" 2>/dev/null || true
    bash scripts/netns-nodes.sh down "$RUN" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

eval "$(bash scripts/netns-nodes.sh up "$RUN" a 2>/dev/null)"
ETCD=http://$ROOT_ADDRESS:24590
/usr/bin/etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "$ETCD" --advertise-client-urls "$ETCD" \
    --listen-peer-urls http://127.0.0.1:24591 --enable-v2=true >"$WORK/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 100); do curl -fsS "$ETCD/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS -X PUT "$ETCD/v2/keys/coreos.com/network/config" \
    --data-urlencode 'value={"Network":"10.60.0.0/16","Backend":{"Type":"host-gw"}}' >/dev/null

nsenter --net=/run/netns/"$NODE_a_NETNS" -- "$AGENT" run --docker-socket "$NODE_a_DOCKER_SOCKET" --node-name bench-a \
    --node-ip "$NODE_a_ADDRESS" --state-dir "$WORK/state" --proxy-mode none --metrics-bind-address "" \
    --etcd-endpoints "$ETCD" --etcd-api v2 --subnet-file "$WORK/subnet.env" --docker-options-file "" >"$WORK/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 200); do [[ -s $WORK/subnet.env ]] && break; sleep 0.1; done
[[ -s $WORK/subnet.env ]] || { echo "the agent leased no subnet:"; tail -20 "$WORK/agent.log"; exit 1; }
sleep 1

python3 - "$ETCD" "$NODE_a_NETNS" "$LEASES" <<'PY'
import json, subprocess, sys, threading, time, urllib.parse, urllib.request
etcd, netns, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
prefix = etcd + "/v2/keys/coreos.com/network/subnets"
routed, watched = {}, {}

def monitor():
    proc = subprocess.Popen(["ip", "-n", netns, "monitor", "route"], stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("10.60.") and not line.startswith("Deleted"):
            routed.setdefault(line.split()[0], time.monotonic())

def watcher():
    index = int(urllib.request.urlopen(prefix).headers["X-Etcd-Index"]) + 1
    while len(watched) < count:
        reply = urllib.request.urlopen(f"{prefix}?wait=true&recursive=true&waitIndex={index}")
        event = json.load(reply)
        watched.setdefault(event["node"]["key"].rsplit("/", 1)[1].replace("-", "/"), time.monotonic())
        index = event["node"]["modifiedIndex"] + 1

threading.Thread(target=monitor, daemon=True).start()
threading.Thread(target=watcher, daemon=True).start()
time.sleep(0.5)
written = {}
for i in range(count):
    subnet = f"10.60.{200 + i}.0/24"
    value = json.dumps({"PublicIP": f"192.168.77.{100 + i}", "BackendType": "host-gw"})
    data = urllib.parse.urlencode({"value": value, "ttl": "600"}).encode()
    request = urllib.request.Request(f"{prefix}/10.60.{200 + i}.0-24", data=data, method="PUT")
    written[subnet] = time.monotonic()
    urllib.request.urlopen(request).read()
    deadline = time.monotonic() + 5
    while subnet not in routed and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(0.05)

def figures(seen):
    values = sorted((seen[s] - written[s]) * 1000 for s in written if s in seen)
    if not values: return "none seen", 0
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"p50 {pick(0.5):7.1f} ms  p90 {pick(0.9):7.1f} ms  max {values[-1]:7.1f} ms", len(values)

base, nb = figures(watched)
agent, na = figures(routed)
print(f"lease written -> seen by a plain etcd v2 watcher (baseline): {base}  ({nb}/{count})")
print(f"lease written -> route in the node's kernel (clc-node):      {agent}  ({na}/{count})   target < 1000 ms")
PY
