#!/usr/bin/env python3
"""Peer of `spike bench data`: Tonic 1.7 reading N-MNIST-format .bin files and framing them.

For every .bin file under --data (sorted, recursively): tonic.io.read_mnist_file (what tonic.datasets.NMNIST
calls per sample), then tonic.transforms.ToFrame(sensor_size=(34, 34, 2), n_time_bins=N). One warm-up pass,
then the median of --repeats passes; prints one JSON line with events per second.

    spike bench data --data /tmp/nmnist-bench --generate 100      # writes 1000 synthetic recordings once
    python3 Benchmarks/tonic_nmnist.py --data /tmp/nmnist-bench
"""
import argparse, json, os, statistics, time

import numpy as np
import tonic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(a.data) for f in fs if f.endswith(".bin"))
    if not files:
        raise SystemExit(f"tonic_nmnist: {a.data}: no .bin files")
    dtype = np.dtype([("x", int), ("y", int), ("t", int), ("p", int)])   # tonic.datasets.NMNIST.dtype
    to_frame = tonic.transforms.ToFrame(sensor_size=(34, 34, 2), n_time_bins=a.frames)

    def one_pass():
        n, s = 0, 0.0
        for f in files:
            ev = tonic.io.read_mnist_file(f, dtype=dtype)
            fr = to_frame(ev)
            n += len(ev)
            s += float(fr.reshape(-1)[fr.size // 2])
        return n, s

    one_pass()
    times, events, checksum = [], 0, 0.0
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        events, checksum = one_pass()
        times.append(time.perf_counter() - t0)
    t = statistics.median(times)
    print(json.dumps({"peer": f"tonic {tonic.__version__}", "files": len(files), "events": events, "frames": a.frames,
                      "seconds": t, "minSeconds": min(times), "eventsPerSecond": events / t, "checksum": checksum}))


if __name__ == "__main__":
    main()
