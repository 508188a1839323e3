#!/usr/bin/env bash
# Side-by-side rounds of docs/CONV.md: `spike bench conv-step` and ../shared/bench/peers/conv_train_step.py
# in turn, ROUNDS times, with each process's peak resident memory (GNU time's %M, KiB).
#   swift build -c release --product spike
#   PY=/path/to/python Benchmarks/conv_side_by_side.sh [ROUNDS] [--no-dvs]
# PY: a Python with torch, spikingjelly and snntorch (../shared/bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}; dvs=${2:-}
PY=${PY:-python3}
SK=.build/release/spike
# The peer scripts: $PEERS, else Benchmarks/peers, else the workspace's ../shared/bench/peers (Benchmarks/README.md).
if [ -z "${PEERS:-}" ]; then
  if [ -d Benchmarks/peers ]; then PEERS=Benchmarks/peers; else PEERS=../shared/bench/peers; fi
fi
[ -f "$PEERS/conv_train_step.py" ] || { echo "conv_side_by_side: the peer scripts are not in $PEERS: set PEERS to the folder holding conv_train_step.py (Benchmarks/README.md)" >&2; exit 1; }
"$PY" -c "import torch" 2>/dev/null || { echo "conv_side_by_side: $PY cannot import torch: set PY to a Python with torch, spikingjelly and snntorch (Benchmarks/README.md)" >&2; exit 1; }
if [ ! -x "$SK" ]; then
  echo "conv_side_by_side: building the release binary first (swift build -c release --product spike)" >&2
  swift build -c release --product spike >&2
fi
mem() { /usr/bin/time -f "  peak %M KiB" "$@" 2>&1 | grep -v Warning | tail -2; }
for round in $(seq 1 "$rounds"); do
  echo "=== round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?)"
  mem "$SK" bench conv-step --net nmnist
  for lib in spikingjelly snntorch; do mem "$PY" "$PEERS/conv_train_step.py" --lib "$lib" --net nmnist; done
  if [ "$dvs" != "--no-dvs" ]; then
    mem "$SK" bench conv-step --net dvsgesture --repeats 2
    mem "$PY" "$PEERS/conv_train_step.py" --lib spikingjelly --net dvsgesture --T 16 --B 8 --reps 2
  fi
done
