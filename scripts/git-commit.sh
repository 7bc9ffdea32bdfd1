#!/usr/bin/env bash
# Usage: scripts/git-commit.sh
#
# Prints the commit that `clc-node version` reports for a build of this checkout: HEAD, with
# "-dirty" when tracked files differ from it; nothing outside a git checkout (Package.swift then
# says "unknown" unless CLC_NODE_GIT_COMMIT is set). The build scripts pass it to the build as
# CLC_NODE_GIT_COMMIT: SwiftPM keeps Package.swift's evaluation, and the git reading in it, until
# the manifest or the environment changes, so a build after a new commit named an earlier one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
commit=$(git rev-parse --verify -q HEAD 2>/dev/null) || exit 0
git diff --quiet HEAD -- 2>/dev/null || commit+=-dirty
echo "$commit"
