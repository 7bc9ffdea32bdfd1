#!/usr/bin/env bash
# Usage: bench/lease.sh [--runs N] [--port PORT] [--no-build]
#
# Lease acquisition with 250 leases present, under etcd's v2 and v3 APIs (target < 100 ms).
# Starts a private etcd 3.4 (scripts/etcd.sh, 127.0.0.1:PORT, default 24790, state under
# /tmp/clc-bench-lease-etcd, removed on exit), then:
#   1. clc-bench-lease (release build): writes 250 leases under a fresh prefix per API, then
#      acquires a lease for a new node --runs times (50) through LeaseAcquirer — list the
#      subnets, plan, create atomically (v2 PUT prevExist=false&ttl=86400; v3 lease grant +
#      txn on version 0) — deleting it after each; min, p50, p90, max.
#   2. the baseline, in the same run: curl doing the same HTTP requests against the same 250
#      leases (v2: GET ...?recursive=true, PUT prevExist=false; v3: POST /v3/kv/range,
#      /v3/lease/grant, /v3/kv/txn), one curl process per request as a shell script would;
#      p50 wall time per acquisition (process starts included) and p50 of curl's own
#      time_total summed over the requests (the server's and the network's share).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=50 port=24790 build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
  esac
done
dir=/tmp/clc-bench-lease-etcd
trap 'bash scripts/etcd.sh stop "$dir" >/dev/null 2>&1 || true' EXIT
endpoint=$(bash scripts/etcd.sh start "$dir" "$port" | tail -n 1)
if [[ $build == 1 ]]; then swift build -c release --product clc-bench-lease >&2; fi
bin=$(swift build -c release --show-bin-path)/clc-bench-lease

out=$("$bin" "$endpoint" "$runs")
grep -v '^PREFIX' <<<"$out"

now_ms() { local t; t=$(date +%s%N); echo $((t / 1000)); }  # microseconds
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b64() { printf '%s' "$1" | base64 -w0; }

for api in v2 v3; do
  prefix=$(awk -v api="$api" '$1=="PREFIX" && $2==api {print $3}' <<<"$out")
  walls=() servers=()
  for i in $(seq 1 "$runs"); do
    key="$prefix/subnets/10.1.$((250 + (i % 5))).0-24"
    value="{\"PublicIP\":\"10.99.0.$i\",\"BackendType\":\"host-gw\"}"
    start=$(now_ms)
    if [[ $api == v2 ]]; then
      t1=$(curl -s -o /dev/null -w '%{time_total}' "$endpoint/v2/keys$prefix/subnets?recursive=true")
      t2=$(curl -s -o /dev/null -w '%{time_total}' -X PUT "$endpoint/v2/keys$key" \
        --data-urlencode "value=$value" -d ttl=86400 -d prevExist=false)
      t3=0
    else
      s=$(b64 "$prefix/subnets/") e=$(b64 "$prefix/subnets0")
      t1=$(curl -s -o /dev/null -w '%{time_total}' -X POST "$endpoint/v3/kv/range" -d "{\"key\":\"$s\",\"range_end\":\"$e\"}")
      lease=$(curl -s -X POST "$endpoint/v3/lease/grant" -d '{"TTL":"86400"}' -w ' %{time_total}')
      t2=${lease##* }
      id=$(sed -n 's/.*"ID":"\([0-9]*\)".*/\1/p' <<<"$lease")
      k=$(b64 "$key") v=$(b64 "$value")
      t3=$(curl -s -o /dev/null -w '%{time_total}' -X POST "$endpoint/v3/kv/txn" -d "{\"compare\":[{\"key\":\"$k\",\"target\":\"VERSION\",\"result\":\"EQUAL\",\"version\":\"0\"}],\"success\":[{\"request_put\":{\"key\":\"$k\",\"value\":\"$v\",\"lease\":\"$id\"}}]}")
    fi
    end=$(now_ms)
    walls+=($(( end - start )))
    servers+=("$(awk -v a="$t1" -v b="$t2" -v c="$t3" 'BEGIN {printf "%d", (a + b + c) * 1e6}')")
    # Not timed: remove the lease again.
    if [[ $api == v2 ]]; then curl -s -o /dev/null -X DELETE "$endpoint/v2/keys$key"
    else curl -s -o /dev/null -X POST "$endpoint/v3/kv/deleterange" -d "{\"key\":\"$k\"}"; fi
  done
  wall=$(printf '%s\n' "${walls[@]}" | median)
  server=$(printf '%s\n' "${servers[@]}" | median)
  awk -v api="$api" -v w="$wall" -v s="$server" -v n="$runs" \
    'BEGIN {printf "curl baseline     %s  250 leases present  runs %d  p50 wall %.2f ms  p50 curl time_total %.2f ms\n", api, n, w / 1000, s / 1000}'
done
