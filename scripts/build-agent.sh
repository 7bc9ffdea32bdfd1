#!/usr/bin/env bash
# Usage: scripts/build-agent.sh [--no-order]
#
# Builds the agent that ships (README's main job, the Heat template's binary, the benchmarks):
# release, the Swift runtime and Foundation linked in statically, every function in a section
# of its own (swiftc -function-sections, cc -ffunction-sections, the dependencies too) so that
# lld places the functions listed in Sources/clc-node/link-order.txt (scripts/link-order.sh)
# together at the front of .text. Prints the binary's path on its last line.
# The build has its own scratch path, .build-ordered, since its compiler flags differ from a
# plain `swift build -c release` (which would rebuild every module when the two alternate).
# --no-order: the same build linked without the order (to make the order or to compare).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ORDER=$ROOT/Sources/clc-node/link-order.txt
flags=(-c release --static-swift-stdlib --scratch-path "$ROOT/.build-ordered"
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections)
if [[ ${1:-} == --no-order ]]; then
  # an empty order file: the link command stays the same, so switching does not recompile
  ORDER=$ROOT/.build-ordered/no-link-order.txt
  mkdir -p "$ROOT/.build-ordered" && : >"$ORDER"
elif [[ $# -gt 0 ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2
fi
# the build does not know the order file is an input: a newer order relinks
binary=$ROOT/.build-ordered/release/clc-node
if [[ -e $binary && $ORDER -nt $binary ]]; then rm -f "$binary"; fi
link=(-Xlinker "--symbol-ordering-file=$ORDER" -Xlinker --no-warn-symbol-ordering)
commit=$(bash "$ROOT/scripts/git-commit.sh")
[[ -n ${CLC_NODE_GIT_COMMIT:-} || -z $commit ]] || export CLC_NODE_GIT_COMMIT=$commit
swift build "${flags[@]}" "${link[@]}" --product clc-node >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/clc-node"
