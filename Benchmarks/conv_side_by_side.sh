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
PEERS=${PEERS:-../shared/bench/peers}
[ -x "$SK" ] || { echo "conv_side_by_side: build first: swift build -c release --product spike" >&2; exit 1; }
[ -f "$PEERS/conv_train_step.py" ] || { echo "conv_side_by_side: peer scripts not found in $PEERS (set PEERS)" >&2; exit 1; }
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
