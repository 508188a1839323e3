"""Writes the tiny format fixtures of SpikeDataTests and what the reference readers give for them.

Run from this folder: `python3 make_fixtures.py` (needs numpy and Tonic 1.7; h5py only for SHD).
Each file is built byte by byte from the format's published layout; the expected values (`*.json`)
come from Tonic 1.7's readers where Tonic has a working one for the format, else from the reference
reader named beside each section. The Swift tests read the same files and compare exactly.
"""
import gzip
import json
import os
import struct

import numpy as np
import tonic
import tonic.io

assert tonic.__version__.startswith("1.7"), tonic.__version__
HERE = os.path.dirname(os.path.abspath(__file__))
os.chdir(HERE)


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, sort_keys=True)
        f.write("\n")


def events_json(ev):
    """x, y, t, p of a structured event array as lists of ints (missing fields as 0)."""
    names = ev.dtype.names
    return {k: [int(v) for v in ev[k]] if k in names else [0] * len(ev) for k in "xytp"}


# ---------------------------------------------------------------- IDX (MNIST's format)
# Reference: LeCun's IDX description, read with numpy (big-endian dtypes) and gzip.
def idx_bytes(code, dims, payload):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


rng = np.random.default_rng(12)
train_images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
train_labels = np.array([5, 0, 9], dtype=np.uint8)
test_images = rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
test_labels = np.array([7, 2], dtype=np.uint8)
write("idx/train-images-idx3-ubyte.gz", gzip.compress(idx_bytes(0x08, [3, 28, 28], train_images.tobytes()), mtime=0))
write("idx/train-labels-idx1-ubyte", idx_bytes(0x08, [3], train_labels.tobytes()))
write("idx/t10k-images-idx3-ubyte", idx_bytes(0x08, [2, 28, 28], test_images.tobytes()))
write("idx/t10k-labels-idx1-ubyte.gz", gzip.compress(idx_bytes(0x08, [2], test_labels.tobytes()), mtime=0))
i16 = np.array([[-300, 7, 32767], [-32768, 0, 1]], dtype=">i2")
f64 = np.array([0.1, -2.5, 1e30, 3.0], dtype=">f8")
write("idx/int16.idx", idx_bytes(0x0B, [2, 3], i16.tobytes()))
write("idx/float64.idx", idx_bytes(0x0E, [4], f64.tobytes()))


def read_idx(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    code, rank = raw[2], raw[3]
    dims = list(struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank]))
    dt = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}[code]
    return dims, np.frombuffer(raw[4 + 4 * rank:], dtype=dt).reshape(dims)


expected = {}
for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte.gz", "int16.idx", "float64.idx"]:
    dims, a = read_idx("idx/" + name)
    expected[name] = {"dims": dims, "values": [float(np.float32(v)) for v in a.reshape(-1)]}
# torchvision's ToTensor: uint8 / 255 in float32, the first pixels of train image 1.
expected["train_sample1_first8"] = [float(v) for v in (train_images[1].reshape(-1)[:8].astype(np.float32) / np.float32(255))]
dump("idx/expected.json", expected)


# ---------------------------------------------------------------- ATIS binary (N-MNIST, N-Caltech101)
# Reference: tonic.io.read_mnist_file (Tonic 1.7), which NMNIST and NCALTECH101 call.
def atis_event(x, y, p, ts):
    assert 0 <= ts < 2**23
    return bytes([x, y, (p << 7) | (ts >> 16), (ts >> 8) & 0xFF, ts & 0xFF])


def overflow():
    return atis_event(0, 240, 0, 0)


atis_files = {
    "nmnist/Train/0/00002.bin": [(3, 4, 1, 10), (33, 0, 0, 8191), (0, 33, 1, 2**23 - 1)],
    "nmnist/Train/0/00001.bin": [(5, 5, 0, 100), "overflow", (6, 7, 1, 50), "overflow", "overflow", (1, 2, 0, 0)],
    "nmnist/Train/3/10000.bin": [(12, 30, 1, 77)],
    "nmnist/Test/7/00005.bin": [(20, 21, 0, 5), (21, 20, 1, 6)],
    "ncaltech/Caltech101/accordion/image_0001.bin": [(120, 90, 1, 3), (200, 170, 0, 4), "overflow", (101, 75, 1, 9)],
    "ncaltech/Caltech101/BACKGROUND_Google/image_0002.bin": [(10, 20, 0, 1), (12, 25, 1, 2)],
    "atis/outside.bin": [(34, 3, 1, 1)],
}
expected = {}
for path, events in atis_files.items():
    data = b"".join(overflow() if e == "overflow" else atis_event(*e) for e in events)
    write(path, data)
    ev = tonic.io.read_mnist_file(path, dtype=tonic.datasets.NMNIST.dtype)
    out = events_json(ev)
    if path.startswith("ncaltech/"):  # NCALTECH101.__getitem__ shifts x and y to start at 0
        out["x"] = [v - min(out["x"]) for v in out["x"]]
        out["y"] = [v - min(out["y"]) for v in out["y"]]
    expected[path] = out
dump("atis_expected.json", expected)
print("fixtures written")
