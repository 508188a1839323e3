#!/usr/bin/env bash
# Side-by-side rounds of docs/PERFORMANCE.md: each work as SpikeKit, then each peer in turn, ROUNDS times.
#   swift build -c release --product spike
#   PY=/path/to/venv/bin/python Benchmarks/side_by_side.sh [ROUNDS] [--big]
# PY: a Python with torch, spikingjelly, snntorch and norse (../shared/bench/README.md says how to set it up).
# --big adds the T=500 1024 -> 1024 lif-layer (snnTorch and Norse take about 2 s per run there).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; big=${2:-}
PY=${PY:-python3}
SK=.build/release/spike
PEERS=${PEERS:-../shared/bench/peers}
FWD=Benchmarks/peer_lif_layer_forward.py
[ -x "$SK" ] || { echo "side_by_side: build first: swift build -c release --product spike" >&2; exit 1; }
[ -f "$PEERS/lif_layer.py" ] || { echo "side_by_side: peer scripts not found in $PEERS (set PEERS)" >&2; exit 1; }
for round in $(seq 1 "$rounds"); do
  echo "=== round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?)"
  for rate in 0.1 0.2; do
    "$SK" bench lif-layer --rate "$rate" --repeats 11
    for lib in spikingjelly snntorch norse; do
      "$PY" "$PEERS/lif_layer.py" --lib "$lib" --rate "$rate" 2>&1 | tail -1
      "$PY" "$FWD" --lib "$lib" --rate "$rate" 2>&1 | tail -1
    done
  done
  "$SK" bench train-step
  for lib in spikingjelly snntorch; do "$PY" "$PEERS/train_step.py" --lib "$lib" 2>&1 | tail -1; done
  "$SK" bench train-step --hidden 512 --rate 0.1
  for lib in spikingjelly snntorch; do "$PY" "$PEERS/train_step.py" --lib "$lib" --hidden 512 --rate 0.1 2>&1 | tail -1; done
  if [ "$big" = "--big" ]; then
    "$SK" bench lif-layer --steps 500 --inputs 1024 --outputs 1024 --repeats 5
    for lib in spikingjelly snntorch norse; do
      "$PY" "$PEERS/lif_layer.py" --lib "$lib" --T 500 --nin 1024 --nout 1024 --reps 3 2>&1 | tail -1
      "$PY" "$FWD" --lib "$lib" --T 500 --nin 1024 --nout 1024 --reps 3 2>&1 | tail -1
    done
  fi
done
