#!/usr/bin/env bash
# Usage: scripts/etcd.sh start|stop|halt|status|free-port DIR [CLIENT-PORT]
#
# Runs a private single-member etcd (Debian's etcd-server 3.4, /usr/bin/etcd) for tests and
# benchmarks, all of its state under DIR, listening on one address only (127.0.0.1 unless
# CLC_ETCD_HOST says otherwise):
#   data dir DIR/data    pidfile DIR/etcd.pid    log DIR/etcd.log
#   client   http://HOST:CLIENT-PORT (default 23790)   peer HOST:CLIENT-PORT+1
# The v2 keys API is on (--enable-v2=true) besides v3, as flannel's two generations need.
#   CLC_ETCD          etcd binary (default /usr/bin/etcd)
#   CLC_ETCD_ARGS     extra etcd arguments (word-split), e.g. --auth-token-ttl=1
#   CLC_ETCD_HOST     the IPv4 address to listen on (default 127.0.0.1), e.g. the root-namespace
#                     address of scripts/netns-nodes.sh that every simulated node reaches
#   CLC_ETCD_TLS_DIR  serve https with client certificates required: the directory holds
#                     ca.pem, server.pem, server-key.pem (SAN IP:127.0.0.1; extended key usage
#                     serverAuth and clientAuth, since etcd's /v3 JSON gateway presents it to
#                     etcd's own gRPC server), and client.pem,
#                     client-key.pem, which this script uses for its health check
#
#   start   start etcd (or reuse the one from an earlier run whose pidfile is alive), wait up
#           to 30 s for /health to answer true, print the client endpoint URL.
#   stop    SIGTERM it (SIGKILL after 10 s) and remove DIR.
#   halt    SIGTERM it (SIGKILL after 10 s) and keep DIR: a later `start` (same HOST and
#           port) resumes with the same keys, as an etcd that was down for a while.
#   status  print the endpoint and exit 0 when it runs, else exit 3.
#   free-port  print CLIENT-PORT, or when it or its peer port is taken on HOST the first free
#           pair above it (of the next 20, said on stderr), for a caller whose etcd is not up.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || usage
cmd=$1
DIR=$(realpath -m -- "$2")
PORT=${3:-23790}
case $cmd in start|stop|halt|status|free-port) ;; *) usage ;; esac
[[ $PORT =~ ^[0-9]+$ ]] || usage
HOST=${CLC_ETCD_HOST:-127.0.0.1}
[[ $HOST =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "etcd.sh: CLC_ETCD_HOST=$HOST is not an IPv4 address" >&2; exit 2; }

ETCD=${CLC_ETCD:-/usr/bin/etcd}
PIDFILE=$DIR/etcd.pid
LOG=$DIR/etcd.log
TLS_DIR=${CLC_ETCD_TLS_DIR:-}
if [[ -n $TLS_DIR ]]; then
  ENDPOINT=https://$HOST:$PORT
  TLS_ARGS=(--cert-file "$TLS_DIR/server.pem" --key-file "$TLS_DIR/server-key.pem"
    --trusted-ca-file "$TLS_DIR/ca.pem" --client-cert-auth)
  CURL_TLS=(--cacert "$TLS_DIR/ca.pem" --cert "$TLS_DIR/client.pem" --key "$TLS_DIR/client-key.pem")
else
  ENDPOINT=http://$HOST:$PORT
  TLS_ARGS=()
  CURL_TLS=()
fi

log() { printf 'etcd.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pid of our etcd if the pidfile names a live etcd with our data dir, else empty
daemon_pid() {
  local pid
  [[ -s $PIDFILE ]] || return 0
  pid=$(<"$PIDFILE")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 0
  if tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "--data-dir $DIR/data"; then echo "$pid"; fi
}

healthy() { [[ $(curl -s --max-time 2 "${CURL_TLS[@]}" "$ENDPOINT/health" 2>/dev/null) == *'"health":"true"'* ]]; }

# true when something listens on TCP port $1 of HOST (or of every address)
port_taken() { ss -Hltn "( sport = :$1 )" 2>/dev/null | awk -v h="$HOST:$1" '$4 == h || $4 ~ /^(0\.0\.0\.0|\*|\[::\]):/ {found=1} END {exit !found}'; }

# why etcd did not come up: its log (prefixed, so it survives a reader that keeps only this
# script's lines), and the two causes seen on shared machines, a port taken and a full disk
explain_failure() {
  if [[ -s $LOG ]]; then
    # etcd says what is wrong first (a flag) or last (a fatal error)
    { if [[ $(wc -l <"$LOG") -gt 20 ]]; then head -n 5 "$LOG"; echo '...'; fi; tail -n 15 "$LOG"; } | sed 's/^/etcd.sh: log: /' >&2
  elif [[ -e $LOG ]]; then
    log "its log $LOG is empty"
  fi
  local p
  for p in "$PORT" "$((PORT + 1))"; do
    if port_taken "$p"; then log "port $p is taken: $(ss -Hltnp "( sport = :$p )" 2>/dev/null | head -n 2 | tr -s ' ' | tr '\n' ' ')"; fi
  done
  log "free space under $DIR: $(df -h --output=avail "$DIR" 2>/dev/null | tail -n 1 | tr -d ' ')"
}

case $cmd in
start)
  [[ -x $ETCD ]] || die "$ETCD not found: install etcd-server (scripts/install-deps.sh)"
  mkdir -p "$DIR"
  if [[ -n $(daemon_pid) ]] && healthy; then
    echo "$ENDPOINT"
    exit 0
  fi
  rm -f "$PIDFILE" "$LOG"
  for p in "$PORT" "$((PORT + 1))"; do
    port_taken "$p" && { explain_failure; die "cannot start etcd: port $p of $HOST is taken by another process"; }
  done
  peer=http://$HOST:$((PORT + 1))
  # etcd reads ETCD_<FLAG> variables too and refuses to start when one names a flag given here
  while read -r var; do unset "$var"; done < <(compgen -e | grep '^ETCD_' || true)
  # An etcd that ends before it wrote a line is started once more: CI twice saw one end at
  # once with an empty log (stop 18, and a fresh clone here), which no local run reproduced.
  for attempt in 1 2; do
    # setsid: the daemon outlives this script and its caller's process group. The shell in
    # between writes its own pid, then becomes etcd: the pidfile names etcd whether or not
    # setsid had to fork (it does when started as a process group leader).
    setsid bash -c 'echo $$ >"$1" && shift && exec "$@"' etcd-start "$PIDFILE" \
      "$ETCD" --name clc-test --data-dir "$DIR/data" \
      --listen-client-urls "$ENDPOINT" --advertise-client-urls "$ENDPOINT" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "clc-test=$peer" --initial-cluster-state new \
      --enable-v2=true "${TLS_ARGS[@]}" ${CLC_ETCD_ARGS:-} --log-outputs stderr >"$LOG" 2>&1 </dev/null &
    starter=$!
    for i in $(seq 1 300); do
      if healthy; then echo "$ENDPOINT"; exit 0; fi
      # the pidfile appears when the shell above runs; give it 2 s before calling etcd gone
      if [[ -s $PIDFILE || $i -gt 20 ]] && [[ -z $(daemon_pid) ]]; then
        # etcd's exit status when setsid did not fork (else that of setsid's parent side, 0);
        # waited for only once the process has ended (gone or a zombie), so never blocks
        status=unknown
        if [[ ! -e /proc/$starter ]] || [[ $(awk '{print $3}' "/proc/$starter/stat" 2>/dev/null) == Z ]]; then
          status=0
          wait "$starter" || status=$?
        fi
        pidfile="pidfile $( [[ -s $PIDFILE ]] && echo "named $(<"$PIDFILE")" || echo "never written")"
        log "etcd ended after $((i / 10)).$((i % 10)) s: exit status $status$( [[ $status =~ ^[0-9]+$ ]] && ((status > 128)) && echo " (signal $((status - 128)))"), $pidfile"
        explain_failure
        if [[ $attempt == 1 && ! -s $LOG ]]; then
          log "starting etcd once more"
          rm -rf -- "$DIR/data" "$PIDFILE" "$LOG"
          continue 2
        fi
        die "etcd exited (log: $LOG)"
      fi
      sleep 0.1
    done
    break
  done
  explain_failure
  die "etcd did not become healthy within 30 s on $ENDPOINT"
  ;;
stop|halt)
  pid=$(daemon_pid)
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    if [[ -d /proc/$pid ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  if [[ $cmd == stop ]]; then rm -rf -- "$DIR"; fi
  ;;
free-port)
  for _ in $(seq 1 20); do
    if ! port_taken "$PORT" && ! port_taken "$((PORT + 1))"; then
      echo "$PORT"
      exit 0
    fi
    log "port $PORT or $((PORT + 1)) of $HOST is taken; trying $((PORT + 2))"
    PORT=$((PORT + 2))
  done
  die "no free pair of ports among the 20 above"
  ;;
status)
  if [[ -n $(daemon_pid) ]] && healthy; then echo "$ENDPOINT"; exit 0; fi
  exit 3
  ;;
esac
