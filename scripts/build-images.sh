#!/usr/bin/env bash
# Usage: scripts/build-images.sh [--docker-host unix:///path/docker.sock] [--force] [IMAGE...]
#
# Builds the guestbook test images with NO registry and NO base image: each root filesystem
# is assembled from binaries of Debian packages installed on the host (busybox-static,
# redis-server, redis-tools; see scripts/install-deps.sh) plus the shared libraries `ldd`
# lists and the files under images/, then loaded with `docker import --change ...`.
#
#   redis                                   redis-server on 0.0.0.0:6379, no persistence
#   kubernetes/redis-slave                  redis replica of $REDIS_MASTER_SERVICE_HOST
#   kubernetes/example-guestbook-php-redis  busybox httpd on :80, /guestbook.php set/get
#   clc-test/busybox                        busybox applets (sh, sleep, nc, wget, httpd, ...)
# All are tagged :latest. IMAGE... limits the build to those names (default: all).
#
# Each image carries LABEL io.clc-node.image-hash=<sha256 of its inputs: this script, its
# files under images/, the host binaries and libraries copied in, its docker config>; an image
# whose existing label matches is left alone ("up to date") without assembling anything.
# --force rebuilds anyway. Docker endpoint: --docker-host, else $DOCKER_HOST, else
# unix:///var/run/docker.sock (start a private one with scripts/dockerd.sh start DIR).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/images
DOCKER=/usr/bin/docker   # /usr/local/bin/docker may be a different client
HASH_LABEL=io.clc-node.image-hash
ALL_IMAGES=(redis kubernetes/redis-slave kubernetes/example-guestbook-php-redis clc-test/busybox)

log() { printf 'build-images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }

host=${DOCKER_HOST:-unix:///var/run/docker.sock}
force=0
wanted=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --docker-host) [[ $# -ge 2 ]] || usage; host=$2; shift 2 ;;
    --docker-host=*) host=${1#*=}; shift ;;
    --force) force=1; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *) wanted+=("$1"); shift ;;
  esac
done
[[ ${#wanted[@]} -gt 0 ]] || wanted=("${ALL_IMAGES[@]}")
for w in "${wanted[@]}"; do
  w=${w%:latest}
  [[ " ${ALL_IMAGES[*]} " == *" $w "* ]] || die "unknown image $w (known: ${ALL_IMAGES[*]})"
done

[[ -x $DOCKER ]] || die "$DOCKER not found (run scripts/install-deps.sh)"
for bin in /usr/bin/busybox /usr/bin/redis-server /usr/bin/redis-cli; do
  [[ -x $bin ]] || die "$bin not found (run scripts/install-deps.sh)"
done
docker_() { "$DOCKER" -H "$host" "$@"; }
if [[ $host == unix://* ]]; then
  sock=${host#unix://}
  [[ -S $sock ]] || die "no docker socket at $sock (start one: scripts/dockerd.sh start DIR)"
  [[ $(curl -s --max-time 5 --unix-socket "$sock" http://localhost/_ping || true) == OK ]] ||
    die "docker at $host does not answer /_ping"
fi

t0=$(date +%s%N)
WORK=$(mktemp -d /tmp/clc-build-images.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------
# rootfs helpers. With MODE=plan they only record the host files they would copy in INPUTS
# (for the content hash); with MODE=build they assemble the rootfs.
MODE=plan
INPUTS=()

# usr-merged skeleton with /etc basics, /tmp (1777), /root
rootfs_base() {
  local r=$1
  [[ $MODE == build ]] || return 0
  mkdir -p "$r"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64,local/bin} "$r"/{etc,root,dev,proc,sys,run,var/tmp}
  ln -s usr/bin "$r/bin"
  ln -s usr/sbin "$r/sbin"
  ln -s usr/lib "$r/lib"
  ln -s usr/lib64 "$r/lib64"
  mkdir -m 1777 "$r/tmp"
  chmod 1777 "$r/var/tmp"
  chmod 700 "$r/root"
  cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$r/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nogroup:x:65534:
EOF
  cat >"$r/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
services: files
protocols: files
EOF
  # docker bind-mounts /etc/hosts, /etc/hostname and /etc/resolv.conf over these
  : >"$r/etc/hosts"
  : >"$r/etc/hostname"
  : >"$r/etc/resolv.conf"
}

# busybox (static) with a symlink /usr/bin/APPLET -> /usr/bin/busybox per applet
add_busybox() {
  local r=$1
  INPUTS+=(/usr/bin/busybox)
  [[ $MODE == build ]] || return 0
  cp /usr/bin/busybox "$r/usr/bin/busybox"
  /usr/bin/busybox --install -s "$r/usr/bin"
}

# copy a host file (dereferenced) to the usr-merged location of the same path in the rootfs
copy_usr() {
  local r=$1 path=$2 dest
  case $path in
    /usr/*) dest=$r$path ;;
    *) dest=$r/usr$path ;;
  esac
  INPUTS+=("$path")
  [[ $MODE == build ]] || return 0
  [[ -e $dest ]] && return 0
  mkdir -p "${dest%/*}"
  cp -L "$path" "$dest"
}

# copy a dynamically linked binary as DEST (path in the image) plus the libraries ldd lists
add_binary() {
  local r=$1 bin=$2 dest=$3 lib
  INPUTS+=("$bin" "=$dest")
  if [[ $MODE == build ]]; then
    mkdir -p "${r}${dest%/*}"
    cp -L "$bin" "$r$dest"
  fi
  while read -r lib; do
    copy_usr "$r" "$lib"
  done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
}

add_file() { # rootfs src dest mode
  INPUTS+=("$2" "=$3:$4")
  [[ $MODE == build ]] || return 0
  mkdir -p "$(dirname "$1$3")"
  install -m "$4" "$2" "$1$3"
}

# ---------------------------------------------------------------------------------------------
# image definitions: each fills rootfs $1 and sets CHANGES (docker import --change values)

PATH_ENV='ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin'

def_redis() {
  local r=$1
  rootfs_base "$r"; add_busybox "$r"
  add_binary "$r" /usr/bin/redis-server /usr/bin/redis-server
  add_binary "$r" /usr/bin/redis-cli /usr/bin/redis-cli
  if [[ $MODE == build ]]; then mkdir -p "$r/data"; fi
  CHANGES=(
    "$PATH_ENV"
    'WORKDIR /data'
    'EXPOSE 6379/tcp'
    'CMD ["redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"]'
  )
}

def_redis_slave() {
  local r=$1
  def_redis "$r"
  add_file "$r" "$SRC/redis-slave/run" /run.sh 755
  CHANGES=(
    "$PATH_ENV"
    'WORKDIR /data'
    'EXPOSE 6379/tcp'
    'CMD ["/run.sh"]'
  )
}

def_guestbook() {
  local r=$1
  rootfs_base "$r"; add_busybox "$r"
  add_binary "$r" /usr/bin/redis-cli /usr/bin/redis-cli
  add_file "$r" "$SRC/guestbook/guestbook-php" /usr/local/bin/guestbook-php 755
  add_file "$r" "$SRC/guestbook/httpd-run" /usr/local/bin/httpd-run 755
  add_file "$r" "$SRC/guestbook/httpd.conf" /etc/httpd.conf 644
  add_file "$r" "$SRC/guestbook/index.html" /var/www/index.html 644
  # httpd runs the *.php interpreter only for an existing file
  if [[ $MODE == build ]]; then
    printf '<?php /* served by /usr/local/bin/guestbook-php */ ?>\n' >"$r/var/www/guestbook.php"
  fi
  CHANGES=(
    "$PATH_ENV"
    'WORKDIR /var/www'
    'EXPOSE 80/tcp'
    'CMD ["/usr/local/bin/httpd-run"]'
  )
}

def_busybox() {
  local r=$1
  rootfs_base "$r"; add_busybox "$r"
  CHANGES=("$PATH_ENV" 'WORKDIR /' 'CMD ["sh"]')
}

defn_for() {
  case $1 in
    redis) echo def_redis ;;
    kubernetes/redis-slave) echo def_redis_slave ;;
    kubernetes/example-guestbook-php-redis) echo def_guestbook ;;
    clc-test/busybox) echo def_busybox ;;
  esac
}

# ---------------------------------------------------------------------------------------------

# hash of everything an image is made of; INPUTS entries are host files, or "=..." markers
inputs_hash() { # name
  local f
  {
    sha256sum <"${BASH_SOURCE[0]}"
    printf '%s\n' "$1" "${CHANGES[@]}"
    for f in "${INPUTS[@]}"; do
      if [[ $f == =* ]]; then printf '%s\n' "$f"; else printf '%s %s\n' "$f" "$(sha256sum <"$f")"; fi
    done
  } | sha256sum | cut -c1-64
}

built=0 current=0
for name in "${wanted[@]}"; do
  name=${name%:latest}
  ref=$name:latest
  ti=$(date +%s%N)
  dir=$WORK/${name//\//_}
  r=$dir/rootfs
  defn=$(defn_for "$name")
  MODE=plan INPUTS=() CHANGES=()
  "$defn" "$r"
  hash=$(inputs_hash "$ref")
  old_id='' size='' old_hash=''
  read -r old_id size old_hash < <(docker_ image inspect \
    -f "{{.Id}} {{.Size}} {{index .Config.Labels \"$HASH_LABEL\"}}" "$ref" 2>/dev/null || true) || true
  if [[ $force == 0 && -n $old_hash && $old_hash == "$hash" ]]; then
    printf '%-46s up to date (%d MB, hash %s)\n' "$ref" $(( (size + 524288) / 1048576 )) "${hash:0:12}"
    current=$((current + 1))
    continue
  fi
  MODE=build INPUTS=() CHANGES=()
  mkdir -p "$r"
  "$defn" "$r"
  tarball=$dir/rootfs.tar
  tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C "$r" -cf "$tarball" .
  args=()
  for c in "${CHANGES[@]}" "LABEL $HASH_LABEL=$hash"; do args+=(--change "$c"); done
  new_id=$(docker_ import "${args[@]}" --message "clc-node build-images.sh" "$tarball" "$ref")
  # drop the image this one replaces, unless a container still uses it
  if [[ -n $old_id && $old_id != "$new_id" ]]; then
    docker_ rmi "$old_id" >/dev/null 2>&1 || true
  fi
  size=$(stat -c %s "$tarball")
  printf '%-46s built (%d MB, hash %s) in %d ms\n' "$ref" $(( (size + 524288) / 1048576 )) "${hash:0:12}" \
    $(( ($(date +%s%N) - ti) / 1000000 ))
  built=$((built + 1))
done
printf 'build-images: %d built, %d up to date, total %d ms\n' "$built" "$current" $(( ($(date +%s%N) - t0) / 1000000 ))
