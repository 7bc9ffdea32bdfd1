#!/bin/bash
# Programming the flannel backends for 250 remote leases from scratch: clc-node's executor
# (RouteNetlink, one reconcile: route lookups, listing, diff, one batch of changes) beside the
# same entries through `ip -batch` / `bridge -batch` in the same run. Everything happens in a
# scratch network namespace (underlay u0: a veth whose peer stays in the namespace), removed at
# the end. Run as root from the repository: bash bench/backend.sh [LEASES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
LEASES=${1:-250}
RUNS=${2:-20}
NS=clcbench-backend-$$
WORK=$(mktemp -d)

cleanup() { ip netns delete "$NS" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

swift build -c release --product clc-bench-backend >/dev/null
BIN=$(swift build -c release --show-bin-path)/clc-bench-backend

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add u0 type veth peer name u1
ip -n "$NS" addr add 192.168.60.254/24 dev u0
ip -n "$NS" link set u1 up
ip -n "$NS" link set u0 up

"$BIN" "/var/run/netns/$NS" "$LEASES" "$RUNS"

# The baseline: the same entries with iproute2's batch mode (one process, one request per line).
for i in $(seq 1 "$LEASES"); do
    echo "route replace 10.1.$i.0/24 via 192.168.60.$i dev u0 proto 151"
done > "$WORK/hostgw.batch"
ip -n "$NS" link del flannel.1 2>/dev/null || true  # the one clc-node made
ip -n "$NS" link add flannel.1 type vxlan id 1 local 192.168.60.254 dev u0 dstport 8472 nolearning
ip -n "$NS" addr add 10.1.0.0/32 dev flannel.1
ip -n "$NS" link set flannel.1 up
for i in $(seq 1 "$LEASES"); do
    mac=$(printf '0e:00:00:00:%02x:%02x' $((i >> 8)) $((i & 255)))
    echo "neigh replace 10.1.$i.0 lladdr $mac dev flannel.1 nud permanent" >> "$WORK/neigh.batch"
    echo "fdb replace $mac dev flannel.1 dst 192.168.60.$i self permanent" >> "$WORK/fdb.batch"
    echo "route replace 10.1.$i.0/24 via 10.1.$i.0 dev flannel.1 onlink proto 151" >> "$WORK/vxroute.batch"
done

now_ms() { date +%s%N; }
report() { # name, then the times in ns
    local name=$1; shift
    printf '%s\n' "$@" | sort -n | awk -v name="$name" -v leases="$LEASES" '
        { t[NR] = $1 / 1e6 } END { printf "ip -batch %s: %d leases from scratch: median %.2f ms, min %.2f ms, max %.2f ms (%d runs)\n", name, leases, t[int(NR / 2) + 1], t[1], t[NR], NR }'
}

hostgw=()
vxlan=()
for _ in $(seq 1 "$RUNS"); do
    ip -n "$NS" route flush proto 151
    start=$(now_ms); ip -n "$NS" -batch "$WORK/hostgw.batch"; hostgw+=($(( $(now_ms) - start )))
    ip -n "$NS" route flush proto 151
    ip -n "$NS" neigh flush dev flannel.1 nud permanent 2>/dev/null || true
    bridge -n "$NS" fdb flush dev flannel.1 self 2>/dev/null || ip netns exec "$NS" bash -c \
        "bridge fdb show dev flannel.1 | awk '{print \"fdb del \" \$1 \" dev flannel.1 self\"}' | bridge -batch - >/dev/null 2>&1 || true"
    start=$(now_ms)
    ip -n "$NS" -batch "$WORK/neigh.batch"
    bridge -n "$NS" -batch "$WORK/fdb.batch"
    ip -n "$NS" -batch "$WORK/vxroute.batch"
    vxlan+=($(( $(now_ms) - start )))
done
report "host-gw" "${hostgw[@]}"
report "vxlan (neigh + bridge fdb + route, 3 processes)" "${vxlan[@]}"
