#!/usr/bin/env bash
# Usage: scripts/journald-sandbox.sh DIR COMMAND [ARGS...]
#
# Runs COMMAND connected to a private systemd-journald, as systemd runs a service: stdout and
# stderr are a journal stream (systemd-cat) and $JOURNAL_STREAM names it, so the agent logs
# structured entries with sd_journal_sendv. Everything happens in a new mount namespace whose
# /run is a fresh tmpfs: journald's sockets (/run/systemd/journal) and its runtime journal
# (/run/log/journal, bind-mounted from DIR/journal) are the sandbox's own, and a journald the
# host may run is never touched. journald's configuration is DIR/journald.conf (volatile
# storage, no kernel messages, no forwarding). Read the entries from outside, also while
# COMMAND runs:  journalctl -D DIR/journal/<machine-id> POD_NAME=... -o json
# SIGTERM/SIGINT are passed on to COMMAND; journald is stopped when COMMAND ends.
set -euo pipefail

if [[ ${1:-} != --inside ]]; then
  [[ $# -ge 2 ]] || { echo "usage: $0 DIR COMMAND [ARGS...]" >&2; exit 2; }
  [[ $(id -u) -eq 0 ]] || { echo "journald-sandbox: must run as root (mount namespace)" >&2; exit 1; }
  journald=/lib/systemd/systemd-journald
  [[ -x $journald ]] || { echo "journald-sandbox: no $journald: install the systemd package (scripts/install-deps.sh)" >&2; exit 1; }
  command -v systemd-cat >/dev/null || { echo "journald-sandbox: no systemd-cat (package systemd)" >&2; exit 1; }
  command -v setpriv >/dev/null || { echo "journald-sandbox: no setpriv (package util-linux)" >&2; exit 1; }
  dir=$(cd "$1" && pwd)
  mkdir -p "$dir/journal"
  cat >"$dir/journald.conf" <<'CONF'
[Journal]
Storage=volatile
ReadKMsg=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
RateLimitBurst=0
CONF
  shift
  # unshare execs the script (no fork): the caller's process is the sandbox, and its SIGTERM
  # reaches the trap below. The signal mask is emptied first, as systemd does for a service: a
  # caller that blocks SIGTERM (the Swift test runner's threads do) would pass the block on
  # through exec, and the trap would never run.
  exec python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])' \
    unshare --mount -- "$0" --inside "$dir" "$@"
fi

dir=$2
shift 2
mount --make-rprivate /
mount -t tmpfs -o mode=0755 clc-journald-run /run
mkdir -p /run/systemd/journal /run/log/journal
mount --bind "$dir/journal" /run/log/journal
# journald reads /etc/systemd/journald.conf: the sandbox's, in this namespace only.
if [[ -e /etc/systemd/journald.conf ]]; then mount --bind "$dir/journald.conf" /etc/systemd/journald.conf; fi

# Both children die with the sandbox, even when it is killed with SIGKILL (parent-death signal).
setpriv --pdeathsig KILL /lib/systemd/systemd-journald >"$dir/journald.log" 2>&1 &
journald=$!
for _ in $(seq 100); do
  [[ -S /run/systemd/journal/socket && -S /run/systemd/journal/stdout ]] && break
  sleep 0.05
done
if [[ ! -S /run/systemd/journal/stdout ]]; then
  echo "journald-sandbox: systemd-journald did not open its sockets; its log:" >&2
  cat "$dir/journald.log" >&2
  kill "$journald" 2>/dev/null || true
  exit 1
fi

# systemd-cat connects stdout and stderr to the journal's stream socket; the inner shell then
# names that stream in JOURNAL_STREAM (<st_dev>:<st_ino> of fd 2), as systemd does for a unit.
setpriv --pdeathsig TERM systemd-cat --identifier="$(basename "$1")" -- /bin/sh -c \
  'JOURNAL_STREAM=$(stat -L -c "%d:%i" /proc/self/fd/2); export JOURNAL_STREAM; exec "$@"' sh "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
status=0
wait "$child" || status=$?
# a trapped signal interrupts wait: wait again for the command's own end
while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
kill -TERM "$journald" 2>/dev/null || true
wait "$journald" 2>/dev/null || true
exit "$status"
