#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [--time SECONDS] [--runs N] [--build-only] [TARGET...]
#
# Fuzzes the parsers of what clc-node reads from outside (Tests/Fuzz/README.md) with libFuzzer
# and the address sanitizer:
#   manifest      manifest files (JSON/YAML; Pod, List, ReplicationController, Service)
#   quantity      resource quantities, cgroup limits, downward API values
#   watch-event   watch stream lines from the master
#   docker-event  Docker engine event lines
#   kubeconfig    kubeconfig files
#   conntrack     ctnetlink dump answers and nftables acknowledgements
#   rtnetlink     rtnetlink answers (links, addresses, routes, neighbours, FDB, errors)
#   probe-response  a pod's answer to an HTTP probe (whole and in pieces, which must agree)
# Every target by default, each for SECONDS (default 60), or until it has tried N inputs when
# --runs is given (SECONDS then only bounds it; default 7200 with --runs). The fuzz executable
# is built once (CLC_FUZZ=1 declares it in Package.swift) under its own scratch path, .build-fuzz, so the
# normal .build is neither locked nor invalidated. Each target starts from its seed corpus
# (Tests/Fuzz/Corpus/TARGET, never written to) plus what earlier runs found
# (.build-fuzz/corpus/TARGET). Prints, per target, the inputs tried (libFuzzer's
# stat::number_of_executed_units) and any crash with the input that caused it and the command
# that replays it; exits non-zero when a target crashed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=
runs=
build_only=false
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --time) seconds="$2"; shift 2 ;;
        --time=*) seconds="${1#--time=}"; shift ;;
        --runs) runs="$2"; shift 2 ;;
        --runs=*) runs="${1#--runs=}"; shift ;;
        --build-only) build_only=true; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ -n $seconds ]] || { [[ -n $runs ]] && seconds=7200 || seconds=60; }
all=(manifest quantity watch-event docker-event kubeconfig conntrack rtnetlink probe-response)
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
for target in "${targets[@]}"; do
    [[ -d Tests/Fuzz/Corpus/$target ]] || { echo "fuzz.sh: no target $target (targets: ${all[*]})" >&2; exit 2; }
done

scratch="$root/.build-fuzz"
# swiftc keeps only the last -sanitize= it is given, and SwiftPM passes one per --sanitize:
# with `-sanitize=fuzzer -sanitize=address` the Swift code got the address sanitizer but no
# coverage counters, and libFuzzer mutated blindly. The combined flag, given last, keeps both
# (the C targets and the link still take SwiftPM's two flags).
CLC_FUZZ=1 swift build --scratch-path "$scratch" --product clc-fuzz --sanitize fuzzer --sanitize address \
    -Xswiftc -sanitize=fuzzer,address
binary="$scratch/debug/clc-fuzz"
# Without coverage counters in the Swift code libFuzzer runs blind (the flag order above):
# refuse to fuzz rather than report inputs that explored nothing.
probe_object="$scratch/debug/KubeAPI.build/QuantityParser.swift.o"
sections=$(readelf -S -W "$probe_object")
if [[ $sections != *__sancov_cntrs* ]]; then
    echo "fuzz.sh: $probe_object has no coverage counters (__sancov_cntrs): the Swift code is not instrumented" >&2
    exit 1
fi
$build_only && exit 0

status=0
summary=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    echo "== fuzzing $target for ${seconds}s${runs:+ or $runs inputs}"
    # -timeout: an input that takes 10 s is a denial of service, reported like a crash.
    # -rss_limit_mb: an input that makes the agent grow past 2 GiB is one too.
    result=0
    # SWIFT_BACKTRACE: Swift's own crash handler would read memory through the sanitizer and
    # hang; libFuzzer's handler prints the stack with file and line. ASAN_OPTIONS: no leak
    # checks (Swift's runtime caches), and no allocation stacks or large quarantine, which took
    # a third of the time per input (replay a crash with ASAN_OPTIONS= for the full report).
    CLC_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no \
        ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0:quarantine_size_mb=16}" "$binary" \
        -max_total_time="$seconds" ${runs:+-runs="$runs"} -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" "$corpus" "Tests/Fuzz/Corpus/$target" >"$log" 2>&1 || result=$?
    inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if [[ $result -eq 0 ]]; then
        summary+=("$(printf '%-13s %12s inputs  %7s/s  no crash' "$target" "${inputs:-?}" "${rate:-?}")")
    else
        status=1
        unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        echo "!! $target crashed (exit $result); log $log"
        grep -m 12 -E 'Fatal error|Swift runtime failure|/Sources/|SUMMARY|ERROR: (AddressSanitizer|libFuzzer)|timeout|out-of-memory' "$log" || tail -n 30 "$log"
        [[ -n $unit ]] && echo "   input $unit; replay: CLC_FUZZ_TARGET=$target $binary $unit"
        summary+=("$(printf '%-13s %12s inputs  %7s/s  CRASH %s' "$target" "${inputs:-?}" "${rate:-?}" "${unit:-(see $log)}")")
    fi
done
echo "== fuzz summary (${seconds}s${runs:+ or $runs inputs} per target)"
printf '%s\n' "${summary[@]}"
exit $status
