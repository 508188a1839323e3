#!/usr/bin/env bash
# Builds the libFuzzer targets of this folder (release, fuzzer + address sanitizers, scratch path .build-fuzz at
# the repository root) and runs each for SECONDS (default 60), one after the other on one core.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]        all targets (SpikeKitFuzz/Sources/Fuzz*) when none is named
#
# Each target first replays its committed reproducers (Regressions/TARGET/*, inputs that once crashed), then
# fuzzes from its seeds (Corpus/TARGET, committed) and the inputs earlier runs found (.build-fuzz/corpus/TARGET,
# not committed) with -timeout=5 -rss_limit_mb=2048 and a per-target -max_len. Exits non-zero when any target
# crashes, leaks, times out or runs out of memory; what failed is saved as .build-fuzz/artifacts/TARGET-*
# (reproduce: .build-fuzz/release/TARGET that-file). Extra libFuzzer flags: FUZZ_ARGS="-runs=1000000" etc.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$fuzz_dir/.." && pwd)"
scratch="$root/.build-fuzz"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for d in "$fuzz_dir"/SpikeKitFuzz/Sources/Fuzz*/; do
        name="$(basename "$d")"
        [ "$name" = FuzzCommon ] || targets+=("$name")
    done
fi

# Longest input per target: enough for the seeds' structure, small enough to keep executions fast.
max_len() {
    case "$1" in
        FuzzPythonLiteral) echo 1024 ;;
        FuzzPlasticity) echo 2048 ;;
        FuzzNetworkFile) echo 8192 ;;
        FuzzDVSGestureLabels) echo 1024 ;;
        # HDF5 files have a superblock, object headers, B-trees and heaps before any data: the seeds
        # (Corpus/FuzzHDF5, Corpus/FuzzSHD) are 6.5 to 18 KB and must fit whole.
        FuzzHDF5) echo 20480 ;;
        FuzzSHD) echo 12288 ;;
        # NIR files as h5py writes them (Corpus/FuzzNIR: 25 to 42 KB, rewritten with libver="latest").
        FuzzNIR) echo 45056 ;;
        *) echo 4096 ;;
    esac
}

build_start=$(date +%s)
mkdir -p "$scratch"
# One `swift build` per product (they share the dependency modules, built once).
for t in "${targets[@]}"; do
    [ -d "$fuzz_dir/SpikeKitFuzz/Sources/$t" ] || { echo "run.sh: no fuzz target $t (Fuzz/SpikeKitFuzz/Sources/$t)" >&2; exit 2; }
    if ! swift build -c release --package-path "$fuzz_dir/SpikeKitFuzz" --scratch-path "$scratch" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -g --product "$t" > "$scratch/build-$t.log" 2>&1; then
        grep -E "error|warning: unre" "$scratch/build-$t.log" | head -30 || tail -30 "$scratch/build-$t.log"
        echo "run.sh: build of $t failed (log: $scratch/build-$t.log)" >&2
        exit 1
    fi
done
echo "fuzz build: $(( $(date +%s) - build_start )) s"

mkdir -p "$scratch/artifacts"
status=0
summary=()
for t in "${targets[@]}"; do
    bin="$scratch/release/$t"
    corpus="$scratch/corpus/$t"
    mkdir -p "$corpus" "$fuzz_dir/Corpus/$t"
    log="$scratch/artifacts/$t.log"
    if compgen -G "$fuzz_dir/Regressions/$t/*" > /dev/null; then
        echo "== $t: replaying Regressions/$t"
        if ! "$bin" -timeout=5 -rss_limit_mb=2048 "$fuzz_dir/Regressions/$t"/* > "$log.regressions" 2>&1; then
            tail -40 "$log.regressions"
            summary+=("$t: a committed reproducer fails again (log: $log.regressions)")
            status=1
            continue
        fi
    fi
    echo "== $t: fuzzing for $seconds s (max_len $(max_len "$t"))"
    start=$(date +%s)
    # shellcheck disable=SC2086
    if "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
        -print_final_stats=1 -artifact_prefix="$scratch/artifacts/$t-" ${FUZZ_ARGS:-} \
        "$corpus" "$fuzz_dir/Corpus/$t" > "$log" 2>&1; then
        result="clean"
    else
        result="FAILED (exit $?)"
        status=1
        grep -E "ERROR|SUMMARY|==[0-9]+==|Fatal error|fuzz property|Test unit written" "$log" | head -20 || true
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    summary+=("$t: $result, ${runs:-?} executions in $(( $(date +%s) - start )) s, corpus $(ls "$corpus" | wc -l) (log: $log)")
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $status
