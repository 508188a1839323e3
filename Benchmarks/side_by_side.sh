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
# The peer scripts: $PEERS, else Benchmarks/peers, else the workspace's ../shared/bench/peers (Benchmarks/README.md).
if [ -z "${PEERS:-}" ]; then
  if [ -d Benchmarks/peers ]; then PEERS=Benchmarks/peers; else PEERS=../shared/bench/peers; fi
fi
FWD=Benchmarks/peer_lif_layer_forward.py
[ -f "$PEERS/lif_layer.py" ] || { echo "side_by_side: the peer scripts are not in $PEERS: set PEERS to the folder holding lif_layer.py (Benchmarks/README.md)" >&2; exit 1; }
"$PY" -c "import torch" 2>/dev/null || { echo "side_by_side: $PY cannot import torch: set PY to a Python with torch, spikingjelly, snntorch and norse (Benchmarks/README.md)" >&2; exit 1; }
if [ ! -x "$SK" ]; then
  echo "side_by_side: building the release binary first (swift build -c release --product spike)" >&2
  swift build -c release --product spike >&2
fi
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
