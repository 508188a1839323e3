#!/usr/bin/env bash
# Zoo models on the lif-layer work, SpikeKit then the model's reference framework, ROUNDS times (docs/PERFORMANCE.md,
# "Every zoo model"):
#   swift build -c release --product spike
#   PY=/path/to/venv/bin/python Benchmarks/neuron_side_by_side.sh [ROUNDS] [ID ...]
# PY: a Python with torch, spikingjelly, snntorch and norse (../shared/bench/README.md says how to set it up).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; shift || true
ids=${*:-"leaky synaptic alpha cuba_lif lif_box adex lsnn plif qif eif izhikevich"}
PY=${PY:-python3}
SK=.build/release/spike
[ -x "$SK" ] || { echo "neuron_side_by_side: build first: swift build -c release --product spike" >&2; exit 1; }
for round in $(seq 1 "$rounds"); do
  echo "=== round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?)"
  for id in $ids; do
    # shellcheck disable=SC2046
    "$SK" bench lif-layer --repeats 5 $("$PY" Benchmarks/neuron_layer.py --neuron "$id" --spikekit-args)
    "$PY" Benchmarks/neuron_layer.py --neuron "$id" 2>&1 | tail -1
  done
done
