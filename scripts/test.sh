#!/usr/bin/env bash
# Usage: scripts/test.sh [swift test arguments...]
#
# Runs every test of clc-node on a fresh Debian 12 machine with the Swift toolchain:
#   1. installs what the build and the tests need (scripts/install-deps.sh) and the real
#      Kubernetes clients the node server is tested with (scripts/install-clients.sh),
#   2. starts a private dockerd on its own socket, data root and bridge (scripts/dockerd.sh),
#      and a private etcd 3.4 on 127.0.0.1:23790 with the v2 API on (scripts/etcd.sh),
#   3. builds the local test images from Debian packages (scripts/build-images.sh),
#   4. builds the package and runs `swift test` against that dockerd and etcd,
#   5. runs every fuzz target for a few seconds (scripts/fuzz.sh; CLC_FUZZ_SMOKE_SECONDS, default 5),
#   6. stops both and removes what they ran, whatever the outcome.
# CLC_TEST_DIR chooses where the private dockerd keeps its state (default /tmp/clc-test-docker);
# CLC_TEST_ETCD_DIR and CLC_TEST_ETCD_PORT the etcd's (default /tmp/clc-test-etcd, and 23790 or,
# when another process holds it, the next free pair above).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${CLC_TEST_DIR:-/tmp/clc-test-docker}
etcd_dir=${CLC_TEST_ETCD_DIR:-/tmp/clc-test-etcd}
etcd_port=${CLC_TEST_ETCD_PORT:-23790}

bash scripts/install-deps.sh
bash scripts/install-clients.sh
# simulated nodes (scripts/netns-nodes.sh) left by a test run that crashed: before and after
bash scripts/netns-nodes.sh prune
cleanup() {
  bash scripts/netns-nodes.sh prune >/dev/null 2>&1 || true
  bash scripts/dockerd.sh stop "$dir" >/dev/null 2>&1 || true
  bash scripts/etcd.sh stop "$etcd_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
socket=$(bash scripts/dockerd.sh start "$dir" | tail -n 1)
# an etcd left by a run that was killed, and its data, go first: each run starts empty
bash scripts/etcd.sh stop "$etcd_dir" >/dev/null 2>&1 || true
# the default pair taken by someone else's process: the next free pair, said aloud
[[ -n ${CLC_TEST_ETCD_PORT:-} ]] || etcd_port=$(bash scripts/etcd.sh free-port "$etcd_dir" "$etcd_port")
etcd_endpoint=$(bash scripts/etcd.sh start "$etcd_dir" "$etcd_port" | tail -n 1)
bash scripts/build-images.sh --docker-host "unix://$socket"

# The commit `clc-node version` names (scripts/git-commit.sh says why it is passed in).
commit=$(bash scripts/git-commit.sh)
[[ -n ${CLC_NODE_GIT_COMMIT:-} || -z $commit ]] || export CLC_NODE_GIT_COMMIT=$commit
swift build --build-tests
export CLC_TEST_DOCKER_SOCKET="$socket" CLC_TEST_ETCD_ENDPOINT="$etcd_endpoint" CLC_TEST_AGENT_BINARY="$root/.build/debug/clc-node"
# The real clients of the node server (scripts/install-clients.sh).
export CLC_TEST_KUBECTL=/var/cache/clc-node/clients/kubectl-1.20/usr/bin/kubectl
export CLC_TEST_PYTHON=/var/cache/clc-node/clients/python/bin/python
if [[ $# -gt 0 ]]; then
    swift test --skip-build "$@"
    exit
fi
# Three rounds: the unit and kernel tests, then the integration tests that run agents, engines
# and simulated nodes (each round's suites in parallel), then, one at a time, the suites whose
# assertions are timings (restart times, a registry time-out, connections refused or served
# within a second, probe and request time-outs; the node lifecycle controller's grace periods run
# on a manual clock and are no longer among them).
# On a 2-core machine the load of parallel suites starves timers (a 1 s bound took 5.6 s), and
# the timing suites must not measure their neighbours. So must the suites that count the test
# process's descriptors or threads before and after (the node server's bounds, the log follows):
# in a parallel round the other suites' sockets come and go in between. And so must the suites
# that expect a stopped server's port to refuse connections: a neighbour may be given the port.
timing='AgentMetricsTests\.MetricsServerTests|IntegrationTests\.(LivenessRestartTimingTests|IsolatedRegistryTests|ServiceProxyEndToEndTests)|ProbesTests\.NetworkHandlerRunnerTests|CurlHTTPTests|NodeServerTests\.BoundsTests|ContainerLogsTests\.DockerLogsTests|NodeStreamingTests\.WebSocketSessionTests|MasterClientTests\.ReflectorRecoveryTests|FlannelSubnetTests\.LeaseServiceTests'
# The kernel suites run their commands synchronously (ip, nft, nc in scratch namespaces): on a
# 2-core machine they hold both of Swift's cooperative threads for seconds at a time and starve
# the watches, reflectors and back-offs of the other suites of round 1. So round 1 runs them in
# a process of their own (the test binary itself, since SwiftPM holds .build's lock for one run),
# beside the rest, and prints their output after.
kernel='ServiceProxyTests\.(KernelTests|ConntrackKernelTests|TrafficTests)|RouteNetlinkTests\.KernelTests|FlannelBackendTests\.TwoNodeTrafficTests'
status=0
kernel_log=$(mktemp)
"$(swift build --show-bin-path)/clc-nodePackageTests.xctest" --testing-library swift-testing \
    --filter "$kernel" --skip "IntegrationTests|$timing" >"$kernel_log" 2>&1 &
kernel_pid=$!
swift test --skip-build --skip "IntegrationTests|$timing|$kernel" || status=$?
wait "$kernel_pid" || status=$?
cat "$kernel_log"
rm -f "$kernel_log"
swift test --skip-build --filter IntegrationTests --skip "$timing" || status=$?
swift test --skip-build --filter "$timing" --no-parallel || status=$?
# A smoke run of every fuzz target (libFuzzer and the address sanitizer, its own build under
# .build-fuzz): a few seconds each, from the seed corpora; longer runs: scripts/fuzz.sh --time N.
bash scripts/fuzz.sh --time "${CLC_FUZZ_SMOKE_SECONDS:-5}" || status=$?
exit $status
