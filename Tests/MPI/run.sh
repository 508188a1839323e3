#!/usr/bin/env bash
# MPI tests through the real binary (docs/DISTRIBUTED.md), run by .ci/run after it installs Open MPI:
#  - spike train under mpirun -np 2 and -np 3 (exact reduction): trained weights byte-identical, and the summary
#    (accuracies, final loss) identical, to the single process with the same --chunk, and to the build without MPI;
#  - a checkpoint written at -np 2 resumed at -np 3 gives the uninterrupted single process's weights and summary;
#  - misuse: a build without MPI under mpirun, ranks started with different options, a command that does not run
#    divided, a rank killed mid-run: each ends the job with a non-zero status, one line, nothing written, no hang.
# Usage: Tests/MPI/run.sh [path of a spike built without MPI; default .build/debug/spike, built if missing]
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
swift build -c release --traits MPI --scratch-path .build-mpi --product spike
SPIKE="$PWD/.build-mpi/release/spike"
PLAIN="${1:-$PWD/.build/debug/spike}"
[ -x "$PLAIN" ] || swift build --product spike
MPIRUN=(timeout 300 mpirun --mca btl tcp,self)
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# The summary without its timings.
strip() { sed -E 's/"(samplesPerSecond|seconds)":[^,}]*,?//g' "$1"; }

ARGS=(train --classes 3 --units 20 --steps 15 --manifold-dim 1 --samples-per-class 30 --hidden 16 --epochs 2 --batch-size 16 --json)
for chunk in 4 5; do
    "$SPIKE" "${ARGS[@]}" --chunk $chunk --save "$T/one-$chunk.safetensors" > "$T/one-$chunk.json" 2> /dev/null
    "$PLAIN" "${ARGS[@]}" --chunk $chunk --save "$T/plain-$chunk.safetensors" > "$T/plain-$chunk.json" 2> /dev/null
    if cmp -s "$T/one-$chunk.safetensors" "$T/plain-$chunk.safetensors" && [ "$(strip "$T/one-$chunk.json")" = "$(strip "$T/plain-$chunk.json")" ]; then
        pass "chunk $chunk: the MPI build in one process gives the bits of the build without MPI"
    else fail "chunk $chunk: the MPI build differs from the build without MPI"; fi
    for np in 2 3; do
        "${MPIRUN[@]}" -np $np "$SPIKE" "${ARGS[@]}" --chunk $chunk --save "$T/np$np-$chunk.safetensors" > "$T/np$np-$chunk.json" 2> /dev/null
        if cmp -s "$T/one-$chunk.safetensors" "$T/np$np-$chunk.safetensors"; then pass "chunk $chunk, -np $np: weights byte-identical"
        else fail "chunk $chunk, -np $np: weights differ from the single process"; fi
        if [ "$(strip "$T/one-$chunk.json")" = "$(strip "$T/np$np-$chunk.json")" ] && [ "$(wc -l < "$T/np$np-$chunk.json")" = 1 ]; then
            pass "chunk $chunk, -np $np: one summary line, accuracies and loss identical"
        else fail "chunk $chunk, -np $np: summary $(cat "$T/np$np-$chunk.json") vs $(cat "$T/one-$chunk.json")"; fi
    done
done

# Resume on another rank count: the first epoch at -np 2, the other two at -np 3 (with a schedule, no-decay
# groups and per-epoch evaluation), against one uninterrupted process: the same weights (the tensor bytes of the
# checkpoint; its header holds the epoch timings) and the same summary.
tensors() { local n; n=$(od -An -t u8 -N8 "$1" | tr -d ' '); tail -c +$((9 + n)) "$1"; }
# (A step schedule: one-cycle and cosine depend on --epochs, which the first part changes.)
RES=(--classes 3 --units 20 --steps 15 --manifold-dim 1 --samples-per-class 30 --hidden 16 --batch-size 16 --chunk 5
     --schedule step --step-size 2 --gamma 0.5 --weight-decay 0.01 --no-decay bias --test-each-epoch --json)
"$PLAIN" train "${RES[@]}" --epochs 3 --save "$T/whole.safetensors" > "$T/whole.json" 2> /dev/null
"${MPIRUN[@]}" -np 2 "$SPIKE" train "${RES[@]}" --epochs 1 --save "$T/part.safetensors" > /dev/null 2>&1
"${MPIRUN[@]}" -np 3 "$SPIKE" train --resume "$T/part.safetensors" --epochs 3 --chunk 5 --json > "$T/resumed.json" 2> "$T/resumed.err"
if [ -s "$T/whole.safetensors" ] && cmp -s <(tensors "$T/whole.safetensors") <(tensors "$T/part.safetensors") \
   && [ "$(strip "$T/whole.json")" = "$(strip "$T/resumed.json")" ]; then
    pass "1 epoch at -np 2 resumed at -np 3: weights and summary of the uninterrupted single process"
else fail "resume at another rank count: $(strip "$T/resumed.json") vs $(strip "$T/whole.json"); $(head -c 400 "$T/resumed.err")"; fi

# A sweep: the points divided among ranks give the files of the single-process sweep.
# The metrics logs hold each epoch's timings: compared without them.
same_metrics() {
    local f
    for f in "$1"/*/model.metrics.jsonl; do [ -s "$f" ] && [ "$(strip "$f")" = "$(strip "$2/${f#"$1"/}")" ] || return 1; done
}
SWEEP=("${ARGS[@]}" --sweep lr=0.005,0.01 --sweep hidden=16,8x8 --sweep seed=0,1)
"$PLAIN" "${SWEEP[@]}" --sweep-output "$T/sweep-one" > /dev/null 2>&1
for np in 2 3; do
    "${MPIRUN[@]}" -np $np "$SPIKE" "${SWEEP[@]}" --sweep-output "$T/sweep-np$np" > /dev/null 2>&1
    if [ "$(ls "$T/sweep-one" | wc -l)" = 9 ] && diff -r -x '*.metrics.*' "$T/sweep-one" "$T/sweep-np$np" > /dev/null \
       && same_metrics "$T/sweep-one" "$T/sweep-np$np"; then pass "sweep of 8 points, -np $np: the files of the single-process sweep"
    else fail "sweep -np $np differs: $(diff -r "$T/sweep-one" "$T/sweep-np$np" 2>&1 | head -5)"; fi
done

# spike simulate --sweep: the recordings of every point and sweep.csv are those of the single-process sweep
# (summary.json differs only in its wall time).
SIM=(simulate --example cuba --set neurons=200 --set duration=100 --sweep seed=1,2,3 --sweep p=0.02,0.05)
"$PLAIN" "${SIM[@]}" --output "$T/sim-one" > /dev/null 2>&1
for np in 2 3; do
    "${MPIRUN[@]}" -np $np "$SPIKE" "${SIM[@]}" --output "$T/sim-np$np" > /dev/null 2>&1
    if [ "$(ls "$T/sim-one" | wc -l)" = 7 ] && [ -s "$T/sim-one/sweep.csv" ] && diff -r -x summary.json "$T/sim-one" "$T/sim-np$np" > /dev/null; then
        pass "simulate sweep of 6 points, -np $np: recordings and sweep.csv of the single-process sweep"
    else fail "simulate sweep -np $np differs: $(diff -r -x summary.json "$T/sim-one" "$T/sim-np$np" 2>&1 | head -5)"; fi
done

# expect_refusal NAME PATTERN FILE -- command...: non-zero status, exactly one "Error:" line containing PATTERN, FILE absent.
expect_refusal() {
    local name="$1" pattern="$2" file="$3"; shift 4
    local status=0
    "$@" > "$T/out" 2> "$T/err" || status=$?
    local lines; lines=$(grep -c '^Error:' "$T/err" || true)
    if [ $status -ne 0 ] && [ "$lines" = 1 ] && grep -q -- "$pattern" "$T/err" && [ ! -e "$file" ] && [ ! -s "$T/out" ]; then
        pass "$name: $(grep '^Error:' "$T/err")"
    else fail "$name: status $status, $lines error lines, stderr: $(head -c 600 "$T/err")"; fi
}
expect_refusal "build without MPI under mpirun" "--traits MPI" "$T/m1.safetensors" -- \
    "${MPIRUN[@]}" -np 2 "$PLAIN" "${ARGS[@]}" --save "$T/m1.safetensors"
expect_refusal "ranks with different options" "rank 1 was started with different command-line options" "$T/m2.safetensors" -- \
    "${MPIRUN[@]}" -np 1 "$SPIKE" "${ARGS[@]}" --seed 1 --save "$T/m2.safetensors" : -np 1 "$SPIKE" "${ARGS[@]}" --seed 2 --save "$T/m2.safetensors"
# The same options naming different data on each rank (relative paths in different working directories).
. "$(dirname "$0")/npy.sh"
mkdir -p "$T/da" "$T/db"; data "$T/da" 40; data "$T/db" 50
expect_refusal "ranks with the same options but different data" "rank 1 was started with different options, files or data" "$T/m5.safetensors" -- \
    "${MPIRUN[@]}" -np 1 --wdir "$T/da" "$SPIKE" train --dataset npy --data x.npy --labels y.npy --hidden 8 --epochs 1 --save "$T/m5.safetensors" \
    : -np 1 --wdir "$T/db" "$SPIKE" train --dataset npy --data x.npy --labels y.npy --hidden 8 --epochs 1 --save "$T/m5.safetensors"
expect_refusal "a command that does not run divided" "does not run divided among processes" "$T/m3" -- \
    "${MPIRUN[@]}" -np 2 "$SPIKE" neuron lif --output "$T/m3"
expect_refusal "bad option on every rank" "chunk size" "$T/m4.safetensors" -- \
    "${MPIRUN[@]}" -np 2 "$SPIKE" "${ARGS[@]}" --chunk 0 --save "$T/m4.safetensors"

# A rank killed mid-run: mpirun ends the job (non-zero, naming the rank), nothing is written, no hang.
"${MPIRUN[@]}" -np 2 "$SPIKE" train --hidden 512 --epochs 50 --save "$T/k.safetensors" > "$T/kout" 2> "$T/kerr" &
job=$!
victim=""
for _ in $(seq 1 600); do
    for p in $(pgrep -f "$SPIKE train --hidden 512" || true); do
        if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=$p; fi
    done
    if [ -n "$victim" ] && grep -q "epoch" "$T/kerr" 2>/dev/null; then break; fi
    sleep 0.2
done
status=0
if [ -n "$victim" ]; then kill -9 "$victim"; wait $job || status=$?; else kill $job; wait $job || true; fi
if [ -n "$victim" ] && [ $status -ne 0 ] && [ $status -ne 124 ] && [ ! -e "$T/k.safetensors" ] && grep -qi "rank 1" "$T/kerr" \
   && [ -z "$(ls -A "$T" | grep '^\.spike-staging' || true)" ]; then
    pass "a rank killed mid-run: status $status, $(grep -i -m1 'rank 1' "$T/kerr" | tr -s ' ')"
else fail "a rank killed mid-run: victim '$victim', status $status, stderr: $(head -c 800 "$T/kerr")"; fi

if [ $failures -ne 0 ]; then echo "MPI tests: $failures failed"; exit 1; fi
echo "MPI tests: all passed"
