#!/usr/bin/env bash
# Usage: scripts/test.sh [swift test arguments...]
#
# Runs every test of clc-node on a fresh Debian 12 machine with the Swift toolchain:
#   1. installs what the build and the tests need (scripts/install-deps.sh),
#   2. starts a private dockerd on its own socket, data root and bridge (scripts/dockerd.sh),
#   3. builds the local test images from Debian packages (scripts/build-images.sh),
#   4. builds the package and runs `swift test` against that dockerd,
#   5. stops the dockerd and removes what it ran, whatever the outcome.
# CLC_TEST_DIR chooses where the private dockerd keeps its state (default /tmp/clc-test-docker).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${CLC_TEST_DIR:-/tmp/clc-test-docker}

bash scripts/install-deps.sh
# simulated nodes (scripts/netns-nodes.sh) left by a test run that crashed: before and after
bash scripts/netns-nodes.sh prune
cleanup() {
  bash scripts/netns-nodes.sh prune >/dev/null 2>&1 || true
  bash scripts/dockerd.sh stop "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
socket=$(bash scripts/dockerd.sh start "$dir" | tail -n 1)
bash scripts/build-images.sh --docker-host "unix://$socket"

swift build --build-tests
CLC_TEST_DOCKER_SOCKET="$socket" CLC_TEST_AGENT_BINARY="$root/.build/debug/clc-node" \
    swift test --skip-build "$@"
