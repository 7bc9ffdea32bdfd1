#!/usr/bin/env bash
# Usage: scripts/run-guestbook.sh [MANIFEST_DIR]
#
# The main job on a fresh Debian 12 machine with the Swift toolchain: installs what the agent
# needs (scripts/install-deps.sh), uses the Docker engine on /var/run/docker.sock if one answers
# there and otherwise starts a private one (scripts/dockerd.sh, state in /var/lib/clc-node-docker),
# builds the guestbook's images locally from Debian packages (no registry), builds clc-node, and
# runs it in the foreground on the guestbook manifests (default: ../shared/guestbook beside the
# repository; the controllers and services without the variants). Ctrl-C stops the agent; the
# pods keep running until `scripts/dockerd.sh stop /var/lib/clc-node-docker` (private engine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source_dir=${1:-$root/../shared/guestbook}
node=${CLC_NODE_NODE_NAME:-$(hostname | tr 'A-Z' 'a-z')}

bash scripts/install-deps.sh
if curl -fsS --max-time 2 --unix-socket /var/run/docker.sock http://docker/_ping >/dev/null 2>&1; then
    socket=/var/run/docker.sock
    echo "using the Docker engine at $socket"
else
    socket=$(bash scripts/dockerd.sh start /var/lib/clc-node-docker | tail -n 1)
    echo "started a private Docker engine at $socket"
fi
bash scripts/build-images.sh --docker-host "unix://$socket"
swift build -c release --static-swift-stdlib --product clc-node

manifests=/var/lib/clc-node/manifests
mkdir -p "$manifests"
for file in redis-master-controller.json redis-master-service.json redis-slave-controller.json \
            redis-slave-service.json frontend-controller.json frontend-service.json; do
    cp "$source_dir/$file" "$manifests/$file"
done

cat <<EOT

clc-node runs the guestbook from $manifests on node "$node".
  pods:      docker -H unix://$socket ps --filter label=io.clc-node.node=$node
  guestbook: curl 'http://<any address of this host>:30001/guestbook.php?cmd=set&key=messages&value=hello'
             curl 'http://<any address of this host>:30001/guestbook.php?cmd=get&key=messages'
             (NodePort 30001 of the frontend service; the frontends reach redis through the
             redis-master and redis-slave cluster IPs: see nft list table ip clc-proxy)
  a change:  edit or remove a file in $manifests; the agent follows within a second
EOT
exec "$root/.build/release/clc-node" run --manifest-dir "$manifests" --docker-socket "$socket" \
    --node-name "$node" --state-dir /var/lib/clc-node
