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
#
# The node joins a flannel network as a minion of the seed's cluster does: a local etcd
# (scripts/etcd.sh, 127.0.0.1:23800, state in /var/lib/clc-node-etcd) holds the network config
# (CLC_GUESTBOOK_FLANNEL_CONFIG, default 10.244.0.0/16 with the vxlan backend, written under the
# v2 and v3 APIs unless present); the agent leases its subnet there, writes
# /run/flannel/subnet.env and /run/flannel/docker, creates the pod network clc-pods from the
# lease and programs the vxlan device flannel.1. `scripts/etcd.sh stop /var/lib/clc-node-etcd`
# removes the etcd.
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

etcd=$(bash scripts/etcd.sh start /var/lib/clc-node-etcd 23800 | tail -n 1)
flannel_config=${CLC_GUESTBOOK_FLANNEL_CONFIG:-'{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}'}
key=/coreos.com/network/config
if ! curl -fsS "$etcd/v2/keys$key" >/dev/null 2>&1; then
    curl -fsS -X PUT "$etcd/v2/keys$key" --data-urlencode "value=$flannel_config" >/dev/null
fi
b64() { printf '%s' "$1" | base64 -w0; }
if ! curl -fsS -X POST "$etcd/v3/kv/range" -d "{\"key\":\"$(b64 $key)\"}" | grep -q '"kvs"'; then
    curl -fsS -X POST "$etcd/v3/kv/put" -d "{\"key\":\"$(b64 $key)\",\"value\":\"$(b64 "$flannel_config")\"}" >/dev/null
fi
echo "flannel network config in etcd at $etcd: $(curl -fsS "$etcd/v2/keys$key" | sed 's/.*"value":"\(.*\)","modifiedIndex.*/\1/')"
agent=$(bash scripts/build-agent.sh | tail -n 1)

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
  flannel:   cat /run/flannel/subnet.env; ip -d link show flannel.1; nft list table ip clc-flannel;
             curl -s $etcd/v2/keys/coreos.com/network/subnets (the lease)
EOT
exec "$agent" run --manifest-dir "$manifests" --docker-socket "$socket" \
    --node-name "$node" --state-dir /var/lib/clc-node --etcd-endpoints "$etcd"
