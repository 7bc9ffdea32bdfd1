#!/usr/bin/env bash
# Usage: bench/nft-layout.sh [--sizes LIST] [--layouts LIST] [--reps N] [--dir DIR]
#
# What the kernel takes to commit one tiny nftables batch beside a table of N services, by the
# layout of that table: kube-proxy's nftables layout (per-service and per-endpoint chains behind
# goto verdict maps, as clc-node programs it today) against layouts with fewer chains. A batch
# that adds a goto/jump verdict makes the kernel validate the table's chain graph, so its cost
# may grow with the number of chains.
# Everything happens in a network namespace this script creates (clcnl<PID>) and deletes on
# exit; the host's tables are never touched and no packet is sent.
#
# Layouts (bench/nft-layout/gen.py and gen_slots.py tell the details; N services, 2 endpoints):
#   kube     per service a chain, per endpoint a chain, maps of `goto service-I` (3N+7 chains)
#   kube16   the kube layout split over 16 tables (one table holds ~N/16 services)
#   flat     per service one chain with `dnat to numgen random mod 2 map {...}` (N+7 chains)
#   slots    no per-service chains: a map (service . numgen slot) -> backend, 4 slots (7 chains)
#   chains   3N unreferenced chains, empty maps; mapgoto: N map elements `goto` 10 chains;
#   mapacc   N map elements `accept`, no chains: these three separate chain count from verdicts.
# For each N and layout: the ruleset is loaded by one `nft -f` into an emptied namespace (load,
# in ms, and the number of chains), then each batch below is run --reps times under
# `strace -T -e trace=sendmsg nft -f BATCH`; its figure is the median of the largest sendmsg's
# duration (the batch's own sendmsg, which returns once the kernel committed it; nft's cache
# queries are smaller), in us:
#   elem-goto     replace the element 10.96.0.5 . tcp . 80 : goto service-5 of service-ips
#   elem-accept   replace an element of verdict accept in a small map of the big table
#   tiny-counter  replace the one rule of a chain in a tiny separate table by a counter rule
#   tiny-jump     the same with `jump` to the tiny table's other chain
#   big-jump      replace reject-chain's rule in the big table by `jump mark-for-masquerade`
#   slot-update   (slots only) replace service 5's 4 slot elements: an endpoint change
# With kube16 the big table is kp5, the one holding service 5.
# Baseline: the tiny-table batches. Target: a layout whose element and rule batches stay near
# the tiny-table figures at every N. The table is printed at the end; raw lines and the table
# go to DIR/results.txt (overwritten), rulesets and batches stay in DIR.
#
#   --sizes LIST     numbers of services, e.g. 100,1000,10000 (default 100,1000: ~15 s;
#                    10000 is slow: the kube ruleset alone takes ~45-60 s to load)
#   --layouts LIST   default kube,flat,slots; also kube16,chains,mapgoto,mapacc
#   --reps N         runs of each batch (default 7)
#   --dir DIR        scratch directory (default $BENCH_DIR or /tmp/clc-bench-nft-layout)
# Needs ip, nft, strace, python3, root. The machine has 2 cores: run it when nothing else builds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
log() { printf 'nft-layout-bench: %s\n' "$*" >&2; }

SIZES=100,1000
LAYOUTS=kube,flat,slots
REPS=7
DIR=${BENCH_DIR:-/tmp/clc-bench-nft-layout}
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --layouts) LAYOUTS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    *) usage ;;
  esac
done
IFS=, read -ra SIZES <<<"$SIZES"
IFS=, read -ra LAYOUTS <<<"$LAYOUTS"
for n in "${SIZES[@]}"; do [[ $n =~ ^[0-9]+$ && $n -ge 16 ]] || { log "bad size $n (a number >= 16)"; exit 2; }; done
for lay in "${LAYOUTS[@]}"; do
  [[ $lay =~ ^(kube|kube16|flat|slots|chains|mapgoto|mapacc)$ ]] || { log "unknown layout $lay"; exit 2; }
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { log "bad --reps $REPS"; exit 2; }
[[ $(id -u) -eq 0 ]] || { log "must run as root (network namespace, nftables)"; exit 1; }
missing=()
for tool in ip nft strace python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "missing: ${missing[*]} (Debian packages: iproute2, nftables, strace, python3)"
  exit 1
fi

GEN=$ROOT/bench/nft-layout
DIR=$(realpath -m -- "$DIR")
RESULTS=$DIR/results.txt
TRACE=$DIR/strace.out
NS=clcnl$$
mkdir -p "$DIR/batches"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ip netns del "$NS" 2>/dev/null || true   # takes its tables with it
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns add "$NS"
nsnft() { ip netns exec "$NS" nft "$@"; }

# The batches, for big table $1 (kp, or kp5 with kube16). prep adds what they need.
write_batches() {
  local t=$1 b=$DIR/batches svc='10.96.0.5 . tcp . 80' acc='10.99.0.1 . tcp . 80' k slots=()
  cat >"$b/prep.nft" <<X
add map ip $t accmap { type ipv4_addr . inet_proto . inet_service : verdict; }
add element ip $t accmap { $acc : accept }
add table ip tiny
add chain ip tiny c
add chain ip tiny d
X
  printf 'delete element ip %s service-ips { %s }\nadd element ip %s service-ips { %s : goto service-5 }\n' \
    "$t" "$svc" "$t" "$svc" >"$b/elem-goto.nft"
  printf 'delete element ip %s accmap { %s }\nadd element ip %s accmap { %s : accept }\n' \
    "$t" "$acc" "$t" "$acc" >"$b/elem-accept.nft"
  printf 'flush chain ip tiny c\nadd rule ip tiny c counter\n' >"$b/tiny-counter.nft"
  printf 'flush chain ip tiny c\nadd rule ip tiny c jump d\n' >"$b/tiny-jump.nft"
  printf 'flush chain ip %s reject-chain\nadd rule ip %s reject-chain jump mark-for-masquerade\n' \
    "$t" "$t" >"$b/big-jump.nft"
  for k in 0 1 2 3; do slots+=("$svc . $k"); done
  local keys vals
  keys=$(IFS=,; echo "${slots[*]}")
  vals="${slots[0]} : 10.244.0.5 . 8080, ${slots[1]} : 10.245.0.5 . 8080, ${slots[2]} : 10.244.0.5 . 8080, ${slots[3]} : 10.245.0.5 . 8080"
  printf 'delete element ip kp svc-backends { %s }\nadd element ip kp svc-backends { %s }\n' \
    "$keys" "$vals" >"$b/slot-update.nft"
}

# kernel_us BATCH: median, min and max over REPS runs of the largest sendmsg's duration, in us
kernel_us() {
  local k
  for ((k = 0; k < REPS; k++)); do
    ip netns exec "$NS" strace -o "$TRACE" -T -e trace=sendmsg nft -f "$1" >/dev/null
    grep -o '<[0-9.]*>$' "$TRACE" | tr -d '<>' | sort -g | tail -1
  done | sort -g | awk '{ a[NR] = $1 * 1e6 } END { printf "%.0f %.0f %.0f\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}

ms() { echo $(( $(date +%s%N) / 1000000 )); }

COLS=(elem-goto elem-accept tiny-counter tiny-jump big-jump slot-update)
declare -A R
: >"$RESULTS"
START=$(date +%s)
{
  echo "# $(date -u +%FT%TZ) $(uname -r) $(nft --version) nproc=$(nproc) reps=$REPS"
  echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$RESULTS"
read -r load _ </proc/loadavg
if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
  log "warning: load average $load on $(nproc) cores: something else is running; figures will be noisy"
fi

for n in "${SIZES[@]}"; do
  for lay in "${LAYOUTS[@]}"; do
    rs=$DIR/rs-$lay-$n.nft
    if [[ $lay == slots ]]; then python3 "$GEN/gen_slots.py" "$n" >"$rs"; else python3 "$GEN/gen.py" "$lay" "$n" >"$rs"; fi
    table=kp; [[ $lay == kube16 ]] && table=kp5
    write_batches "$table"
    nsnft flush ruleset
    log "$lay N=$n: loading $(du -h "$rs" | cut -f1) of rules"
    t0=$(ms); nsnft -f "$rs"; t1=$(ms)
    chains=$(nsnft list chains | grep -c 'chain ')
    R[$lay $n load]=$((t1 - t0)) R[$lay $n chains]=$chains
    echo "layout=$lay n=$n load_ms=$((t1 - t0)) chains=$chains" >>"$RESULTS"
    nsnft -f "$DIR/batches/prep.nft"
    for col in "${COLS[@]}"; do
      [[ $col == elem-goto && $lay == slots ]] && continue
      [[ $col == slot-update && $lay != slots ]] && continue
      res=$(kernel_us "$DIR/batches/$col.nft")
      read -r med min max <<<"$res"
      R[$lay $n $col]=$med
      echo "layout=$lay n=$n batch=$col med_us=$med min_us=$min max_us=$max" >>"$RESULTS"
    done
  done
done
nsnft flush ruleset

{
  echo
  echo "# kernel time of one batch (largest sendmsg, median of $REPS, us); load of the ruleset (ms)"
  printf '%-8s %6s %7s %8s' layout N chains load-ms
  printf ' %12s' "${COLS[@]}"; echo
  for lay in "${LAYOUTS[@]}"; do
    for n in "${SIZES[@]}"; do
      printf '%-8s %6s %7s %8s' "$lay" "$n" "${R[$lay $n chains]}" "${R[$lay $n load]}"
      for col in "${COLS[@]}"; do printf ' %12s' "${R[$lay $n $col]:--}"; done
      echo
    done
  done
  echo "# took $(( $(date +%s) - START )) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$RESULTS"
