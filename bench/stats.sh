#!/usr/bin/env bash
# Usage: bench/stats.sh [--docker-socket SOCK] [--pods N] [--runs N] [--no-build]
#
# Container stats benchmark of clc-node (issue 11), each figure beside a baseline:
#   1. rendering /stats/summary, /metrics/cadvisor and /metrics/resource for 30 pods from a
#      snapshot in memory (what a request costs; the endpoint caches the rendering per pass).
#      Target: /stats/summary under 10 ms.
#   2. one sampling pass over the containers of N real pods (an infra container and an app
#      container each, started on the Docker engine at SOCK with labels of a node of their own,
#      removed on exit): the pass as the agent runs it, and the cgroup and procfs files it reads
#      alone, beside the same files read by one `cat` process and by one Python process.
# Needs root (cgroup and /proc/<pid> files of the containers) and a Docker engine; the test
# engine by default (/tmp/clc-dev-docker/docker.sock, or CLC_TEST_DOCKER_SOCKET).
set -euo pipefail
cd "$(dirname "$0")/.."

SOCK=${CLC_TEST_DOCKER_SOCKET:-/tmp/clc-dev-docker/docker.sock}
PODS=30
RUNS=20
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --docker-socket) SOCK=$2; shift 2 ;;
        --pods) PODS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -S "$SOCK" ] || { echo "no Docker engine socket at $SOCK (start one with scripts/dockerd.sh or pass --docker-socket)" >&2; exit 1; }

if [ "$BUILD" = 1 ]; then swift build -c release --product clc-bench-stats >/dev/null; fi
BIN=$(swift build -c release --show-bin-path)/clc-bench-stats

NODE=statsbench-$$
WORK=$(mktemp -d)
export DOCKER_HOST=unix://$SOCK
cleanup() {
    # One container at a time, app containers first (they share their infra container's network
    # namespace): a single `docker rm -f` of all 60 removes them concurrently, and dockerd 20.10
    # then lost track of some infra containers (their tasks gone, `docker inspect` hanging).
    for type in container podsandbox; do
        docker ps -aq --filter "label=io.clc-node.node=$NODE" --filter "label=io.kubernetes.docker.type=$type" \
            | xargs -r -n1 docker rm -f >/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== 1. rendering (clc-bench-stats render 30)"
"$BIN" render 30 200

echo
echo "== 2. sampling: starting $PODS pods (infra + app) on $SOCK"
for i in $(seq 1 "$PODS"); do
    uid=$(cat /proc/sys/kernel/random/uuid)
    common=(--label "io.clc-node.node=$NODE" --label "io.kubernetes.pod.uid=$uid" --label "io.kubernetes.pod.name=pod-$i"
        --label "io.kubernetes.pod.namespace=default")
    infra=$(docker run -d "${common[@]}" --label io.kubernetes.container.name=POD --label io.kubernetes.docker.type=podsandbox \
        --name "k8s_POD_pod-${i}_$NODE" clc-test/busybox sleep 3600)
    docker run -d "${common[@]}" --label io.kubernetes.container.name=app --label io.kubernetes.docker.type=container \
        --network "container:$infra" -m 64m --name "k8s_app_pod-${i}_$NODE" clc-test/busybox sleep 3600 >/dev/null
done

"$BIN" sample "$SOCK" "$NODE" "$WORK/files" "$RUNS"

count=$(wc -l < "$WORK/files")
echo "  baselines, the same $((count + 1)) files, $RUNS runs each:"
python3 - "$WORK/files" "$RUNS" <<'PY'
import subprocess, sys, time
files = open(sys.argv[1]).read().split("\n")
runs = int(sys.argv[2])

def report(name, times):
    times.sort()
    print("  %-48s median %7.3f ms  p99 %7.3f ms" % (name, times[len(times) // 2] * 1000, times[min(len(times) - 1, int(len(times) * 0.99))] * 1000))

times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(["cat"] + files, stdout=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
report("one cat process reading them", times)

times = []
for _ in range(runs):
    start = time.perf_counter()
    total = 0
    for path in files:
        with open(path, "rb") as f:
            total += len(f.read())
    times.append(time.perf_counter() - start)
report("python3 open/read in a loop (in process)", times)
PY
