#!/usr/bin/env bash
# Usage: scripts/test-images.sh [DIR]     (default DIR /tmp/clc-images-test; KEEP=1 keeps dockerd)
#
# End-to-end check of scripts/dockerd.sh and scripts/build-images.sh: starts a private dockerd
# in DIR, builds the images, runs redis (master), kubernetes/redis-slave (replica of the master's
# IP) and kubernetes/example-guestbook-php-redis (REDIS_{MASTER,SLAVE}_SERVICE_{HOST,PORT} set to
# those containers' IPs), then from the host: GET / -> 200, cmd=set -> {"message": "Updated"},
# cmd=get -> {"data": "hello world"} (after replication), a clc-test/busybox run, and
# `docker stop` of every container in under 2 s. Finally stops the dockerd (unless KEEP=1) and
# checks that nothing of it is left (processes, bridge). Exit 0 when everything passed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$(realpath -m -- "${1:-/tmp/clc-images-test}")
BRIDGE=${CLC_DOCKER_BRIDGE:-clcbr0}
SOCK=$DIR/docker.sock
D=(/usr/bin/docker -H "unix://$SOCK")
fails=0

pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ip_of() { "${D[@]}" inspect -f '{{.NetworkSettings.IPAddress}}' "$1"; }

finish() {
  local rc=$1
  (( rc == 0 )) || fail "aborted with status $rc"
  if [[ ${KEEP:-0} != 1 ]]; then
    "$HERE/dockerd.sh" stop "$DIR" || true
    local left
    left=$(for p in /proc/[0-9]*; do
      tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$DIR/" && echo "${p#/proc/}"
    done || true)
    [[ -z $left ]] && pass "no process of $DIR left" || fail "processes left: $left"
    ip link show "$BRIDGE" >/dev/null 2>&1 && fail "bridge $BRIDGE still exists" || pass "bridge $BRIDGE removed"
  fi
  if [[ $fails -eq 0 ]]; then echo "test-images: all passed"; exit 0; fi
  echo "test-images: $fails failure(s)"
  exit 1
}
trap 'finish $?' EXIT

t=$(date +%s%N)
"$HERE/dockerd.sh" start "$DIR" >/dev/null
pass "dockerd.sh start in $(ms_since "$t") ms"
"$HERE/build-images.sh" --docker-host "unix://$SOCK"

"${D[@]}" rm -f clc-t-master clc-t-slave clc-t-frontend clc-t-busybox >/dev/null 2>&1 || true
"${D[@]}" run -d --name clc-t-master redis >/dev/null
mip=$(ip_of clc-t-master)
"${D[@]}" run -d --name clc-t-slave -e REDIS_MASTER_SERVICE_HOST="$mip" kubernetes/redis-slave >/dev/null
sip=$(ip_of clc-t-slave)
"${D[@]}" run -d --name clc-t-frontend \
  -e REDIS_MASTER_SERVICE_HOST="$mip" -e REDIS_MASTER_SERVICE_PORT=6379 \
  -e REDIS_SLAVE_SERVICE_HOST="$sip" -e REDIS_SLAVE_SERVICE_PORT=6379 \
  kubernetes/example-guestbook-php-redis >/dev/null
fip=$(ip_of clc-t-frontend)
echo "master $mip, slave $sip, frontend $fip"

code=
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$fip/" || true)
  [[ $code == 200 ]] && break
  sleep 0.1
done
[[ $code == 200 ]] && pass "GET / -> 200" || fail "GET / -> $code"

body=$(curl -s --max-time 10 "http://$fip/guestbook.php?cmd=set&key=messages&value=hello%20world" || true)
[[ $body == '{"message": "Updated"}' ]] && pass "set -> $body" || fail "set -> $body"

t=$(date +%s%N)
for _ in $(seq 100); do
  body=$(curl -s --max-time 5 "http://$fip/guestbook.php?cmd=get&key=messages" || true)
  [[ $body == '{"data": "hello world"}' ]] && break
  sleep 0.1
done
[[ $body == '{"data": "hello world"}' ]] && pass "get -> $body (replicated within $(ms_since "$t") ms)" ||
  fail "get -> $body"

body=$(curl -s --max-time 5 "http://$fip/guestbook.php?cmd=get&key=no-such-key" || true)
[[ $body == '{"data": ""}' ]] && pass "get missing -> $body" || fail "get missing -> $body"

out=$("${D[@]}" exec clc-t-master sh -c 'touch /hello-world.txt && ls /hello-world.txt' 2>&1 || true)
[[ $out == /hello-world.txt ]] && pass "exec touch in redis" || fail "exec touch in redis: $out"

out=$("${D[@]}" run --rm --name clc-t-busybox clc-test/busybox sh -c 'echo hi; nc --help 2>&1 | head -1; id -un' 2>&1 || true)
[[ $out == hi*root ]] && pass "clc-test/busybox runs sh" || fail "clc-test/busybox: $out"

for c in clc-t-frontend clc-t-slave clc-t-master; do
  t=$(date +%s%N)
  "${D[@]}" stop "$c" >/dev/null
  ms=$(ms_since "$t")
  (( ms < 2000 )) && pass "docker stop $c in $ms ms" || fail "docker stop $c took $ms ms"
done
"${D[@]}" rm clc-t-frontend clc-t-slave clc-t-master >/dev/null
