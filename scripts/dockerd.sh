#!/usr/bin/env bash
# Usage: scripts/dockerd.sh start|stop|status|env DIR
#
# Runs a private Docker engine (docker.io 20.10) whose state all lives under DIR:
#   socket   DIR/docker.sock        data root  DIR/root     exec root DIR/exec
#   pidfile  DIR/docker.pid         log        DIR/dockerd.log
#   bridge   DIR/bridge (the bridge and address this DIR's dockerd was started on)
#   config   DIR/daemon.json (empty; the host's /etc/docker/daemon.json is NOT read)
# Containers attach to its own Linux bridge, so it never fights a system dockerd over docker0:
#   CLC_DOCKER_BRIDGE       bridge name        (default clcbr0)
#   CLC_DOCKER_BRIDGE_CIDR  bridge address     (default 172.30.0.1/16)
#                           Read at start and recorded in DIR/bridge; stop, status and a start
#                           that reuses a running dockerd act on the recorded bridge whatever
#                           the variables say (stopping one engine must not delete the bridge
#                           of another that uses the default name).
#   CLC_DOCKERD             dockerd binary     (default /usr/sbin/dockerd)
#   CLC_DOCKER_IPTABLES     false (default): dockerd runs with --iptables=false and this script
#                           adds just what the bridge needs (FORWARD accept in/out of the bridge,
#                           MASQUERADE of its subnet), because a dockerd with --iptables=true
#                           flushes the DOCKER / DOCKER-ISOLATION-* chains it shares with any other
#                           dockerd on the host. true: let dockerd manage iptables itself.
#   CLC_DOCKERD_ARGS        extra dockerd arguments (word-split)
#
#   start   start dockerd (or reuse the one from an earlier run whose pidfile is alive), wait
#           up to 30 s for GET /_ping to answer OK, print the socket path.
#   stop    remove all its containers (docker rm -f), SIGTERM dockerd (SIGKILL after 20 s),
#           make sure its containerd and shims are gone, delete the bridge and the iptables
#           rules dockerd added for it (both kept while another live dockerd uses the bridge).
#   status  print whether it runs (exit 0) or not (exit 3).
#   env     print `export DOCKER_HOST=unix://DIR/docker.sock`.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
DIR=$2
case $cmd in start|stop|status|env) ;; *) usage ;; esac

DIR=$(realpath -m -- "$DIR")

BRIDGE=${CLC_DOCKER_BRIDGE:-clcbr0}
BRIDGE_CIDR=${CLC_DOCKER_BRIDGE_CIDR:-172.30.0.1/16}
DOCKERD=${CLC_DOCKERD:-/usr/sbin/dockerd}
DOCKER=/usr/bin/docker   # /usr/local/bin/docker on some machines is a different client
SOCK=$DIR/docker.sock
PIDFILE=$DIR/docker.pid
LOG=$DIR/dockerd.log
BRIDGE_FILE=$DIR/bridge
HOST=unix://$SOCK

log() { printf 'dockerd.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ $cmd == env ]]; then
  printf 'export DOCKER_HOST=%s\n' "$HOST"
  exit 0
fi

# the bridge recorded at start replaces the one the variables name (saying so when they differ)
use_recorded_bridge() {
  local name cidr
  [[ -s $BRIDGE_FILE ]] || return 0
  read -r name cidr <"$BRIDGE_FILE" || true
  [[ -n $name && -n $cidr ]] || return 0
  if [[ $name != "$BRIDGE" || $cidr != "$BRIDGE_CIDR" ]]; then
    log "using bridge $name ($cidr) recorded in $BRIDGE_FILE, not $BRIDGE ($BRIDGE_CIDR)"
  fi
  BRIDGE=$name
  BRIDGE_CIDR=$cidr
}

# pid of our dockerd if the pidfile names a live dockerd, else empty
daemon_pid() {
  local pid
  [[ -s $PIDFILE ]] || return 0
  pid=$(<"$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  [[ -r /proc/$pid/cmdline ]] || return 0
  if tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "--pidfile $PIDFILE"; then
    echo "$pid"
  fi
}

ping_ok() {
  [[ -S $SOCK ]] || return 1
  [[ $(curl -s --max-time 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null) == OK ]]
}

# pids of processes (containerd, shims) whose command line mentions our exec root
children_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ -r $p/cmdline ]] || continue
    if tr '\0' ' ' <"$p"/cmdline 2>/dev/null | grep -qF -- "$DIR/exec/"; then
      echo "${p#/proc/}"
    fi
  done
}

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "creating bridge $BRIDGE ($BRIDGE_CIDR)"
    ip link add name "$BRIDGE" type bridge
  fi
  if ! ip -o -4 addr show dev "$BRIDGE" | grep -qF " $BRIDGE_CIDR "; then
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# the minimal rules a bridge needs when dockerd does not manage iptables (idempotent)
iptables_setup() {
  local net
  net=$(ip_net "$BRIDGE_CIDR")
  command -v iptables >/dev/null || { log "warning: iptables not found, not adding rules"; return 0; }
  iptables -C FORWARD -i "$BRIDGE" -j ACCEPT 2>/dev/null || iptables -I FORWARD 1 -i "$BRIDGE" -j ACCEPT
  iptables -C FORWARD -o "$BRIDGE" -j ACCEPT 2>/dev/null || iptables -I FORWARD 1 -o "$BRIDGE" -j ACCEPT
  iptables -t nat -C POSTROUTING -s "$net" ! -o "$BRIDGE" -j MASQUERADE 2>/dev/null ||
    iptables -t nat -A POSTROUTING -s "$net" ! -o "$BRIDGE" -j MASQUERADE
}

# delete iptables rules (filter and nat) that mention our bridge or its subnet
iptables_cleanup() {
  command -v iptables-save >/dev/null || return 0
  local net table rule
  net=$(ip_net "$BRIDGE_CIDR")
  for table in filter nat; do
    iptables-save -t "$table" 2>/dev/null | grep -E '^-A ' |
      grep -E -- "(-[io] $BRIDGE( |\$)|$net)" | while read -r rule; do
        # shellcheck disable=SC2086
        eval "iptables -t $table ${rule/-A /-D }" 2>/dev/null || true
      done
  done
}

# 172.30.0.1/16 -> 172.30.0.0/16 (network address of the CIDR)
ip_net() {
  local ip=${1%/*} len=${1#*/} a b c d n mask
  IFS=. read -r a b c d <<<"$ip"
  n=$(( (a << 24) | (b << 16) | (c << 8) | d ))
  mask=$(( len == 0 ? 0 : (0xffffffff << (32 - len)) & 0xffffffff ))
  n=$(( n & mask ))
  printf '%d.%d.%d.%d/%d' $(( n >> 24 & 255 )) $(( n >> 16 & 255 )) $(( n >> 8 & 255 )) $(( n & 255 )) "$len"
}

do_start() {
  local pid start i
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  [[ -x $DOCKERD ]] || die "$DOCKERD not found (run scripts/install-deps.sh)"
  # unix sockets are limited to 107 bytes; containerd's lives deepest
  (( ${#DIR} + 40 <= 107 )) || die "DIR path too long for unix sockets: $DIR"
  pid=$(daemon_pid)
  if [[ -n $pid ]]; then
    use_recorded_bridge
    bridge_up
    [[ ${CLC_DOCKER_IPTABLES:-false} =~ ^(true|1|yes)$ ]] || iptables_setup
    for ((i = 0; i < 300; i++)); do
      if ping_ok; then log "reusing dockerd pid $pid"; echo "$SOCK"; return 0; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    [[ -z $(daemon_pid) ]] || die "dockerd pid $pid is alive but $SOCK does not answer /_ping (see $LOG)"
  fi
  mkdir -p "$DIR/root" "$DIR/exec"
  [[ -s $DIR/daemon.json ]] || echo '{}' >"$DIR/daemon.json"
  rm -f "$SOCK" "$PIDFILE"
  printf '%s %s\n' "$BRIDGE" "$BRIDGE_CIDR" >"$BRIDGE_FILE"
  bridge_up
  local -a extra=()
  case ${CLC_DOCKER_IPTABLES:-false} in
    true|1|yes) extra+=(--iptables=true) ;;
    false|0|no) extra+=(--iptables=false); iptables_setup ;;
    *) die "CLC_DOCKER_IPTABLES must be true or false" ;;
  esac
  start=$(date +%s%N)
  # shellcheck disable=SC2206
  [[ -n ${CLC_DOCKERD_ARGS:-} ]] && extra+=($CLC_DOCKERD_ARGS)
  log "starting $DOCKERD (log $LOG)"
  echo "=== $(date -Is) dockerd.sh start" >>"$LOG"
  setsid "$DOCKERD" \
    --host "$HOST" \
    --data-root "$DIR/root" \
    --exec-root "$DIR/exec" \
    --pidfile "$PIDFILE" \
    --config-file "$DIR/daemon.json" \
    --bridge "$BRIDGE" \
    "${extra[@]}" \
    </dev/null >>"$LOG" 2>&1 &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    if ping_ok; then
      log "dockerd pid $(<"$PIDFILE") ready in $(( ($(date +%s%N) - start) / 1000000 )) ms"
      echo "$SOCK"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG" >&2
      die "dockerd exited during start-up (see $LOG)"
    fi
    sleep 0.1
  done
  tail -n 20 "$LOG" >&2
  die "dockerd did not answer /_ping within 30 s (see $LOG)"
}

do_stop() {
  local pid ids i left
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  use_recorded_bridge
  pid=$(daemon_pid)
  if [[ -n $pid ]]; then
    if ping_ok; then
      ids=$("$DOCKER" -H "$HOST" ps -aq 2>/dev/null || true)
      if [[ -n $ids ]]; then
        log "removing $(wc -w <<<"$ids") container(s)"
        # Bounded: removing a hundred containers that share network namespaces at once can
        # hang dockerd 20.10 (bench/probes.sh's 200 did once, for good). Stopping dockerd below
        # ends them anyway.
        # shellcheck disable=SC2086
        timeout 60 "$DOCKER" -H "$HOST" rm -f $ids >/dev/null ||
          log "warning: docker rm -f failed or took over 60 s; stopping dockerd with them"
      fi
    fi
    log "stopping dockerd pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "dockerd pid $pid still alive after 20 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  else
    log "dockerd not running ($PIDFILE)"
  fi
  # its containerd normally exits with it; shims of containers outlive it. Kill what remains.
  for ((i = 0; i < 50; i++)); do
    left=$(children_pids)
    [[ -n $left ]] || break
    (( i == 0 )) && log "terminating leftover processes: $(tr "\n" " " <<<"$left")"
    # shellcheck disable=SC2086
    kill -TERM $left 2>/dev/null || true
    sleep 0.1
  done
  left=$(children_pids)
  if [[ -n $left ]]; then
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$SOCK"
  # unmount anything dockerd left mounted under DIR (netns files, overlay mounts)
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  # Another live dockerd on the same bridge (a second DIR without its own CLC_DOCKER_BRIDGE)
  # keeps the bridge and its rules: deleting them would break every container start there.
  local other p
  other=
  for p in $(pgrep -x dockerd 2>/dev/null || true); do
    if tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | grep -qE -- "--bridge $BRIDGE( |\$)"; then other=$p; fi
  done
  if [[ -n $other ]]; then
    log "bridge $BRIDGE kept: dockerd pid $other still uses it (give each DIR its own CLC_DOCKER_BRIDGE)"
  else
    if ip link show "$BRIDGE" >/dev/null 2>&1; then
      log "deleting bridge $BRIDGE"
      ip link del "$BRIDGE"
    fi
    iptables_cleanup
  fi
  rm -f "$BRIDGE_FILE"
  log "stopped"
}

do_status() {
  local pid
  use_recorded_bridge
  pid=$(daemon_pid)
  if [[ -n $pid ]] && ping_ok; then
    echo "running: pid $pid, socket $SOCK, bridge $BRIDGE, $("$DOCKER" -H "$HOST" info --format \
      'driver {{.Driver}}, {{.Containers}} containers ({{.ContainersRunning}} running), {{.Images}} images' 2>/dev/null)"
    return 0
  elif [[ -n $pid ]]; then
    echo "starting or unresponsive: pid $pid, socket $SOCK"
    return 1
  fi
  echo "not running ($DIR)"
  return 3
}

case $cmd in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
esac
