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


# ---------------------------------------------------------------- SpikingJelly's readers, without torch
# SpikingJelly 2.0.0's AEDAT readers live in modules that import torch; their functions are taken from its
# source (`pip download --no-deps spikingjelly==2.0.0`, unzipped; path in SPIKINGJELLY_SRC, default
# /tmp/sj/spikingjelly) and run as they are, with numpy and struct. Nothing of it is stored here.
import ast
import types

SJ = os.environ.get("SPIKINGJELLY_SRC", "/tmp/sj/spikingjelly")


def sj_functions(relative, names):
    tree = ast.parse(open(os.path.join(SJ, relative)).read())
    keep = [n for n in tree.body if (isinstance(n, ast.FunctionDef) and n.name in names)
            or (isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant))]
    for node in keep:  # drop type annotations (typing names are not imported here)
        if isinstance(node, ast.FunctionDef):
            node.returns = None
            for arg in node.args.args + node.args.kwonlyargs:
                arg.annotation = None
    module = ast.Module(body=keep, type_ignores=[])
    ns = {"np": np, "struct": struct, "logger": types.SimpleNamespace(error=print, debug=print)}
    exec(compile(module, relative, "exec"), ns)
    return ns


sj_cifar = sj_functions("datasets/cifar10_dvs.py", {"_read_bits", "_skip_header", "_load_raw_events",
                                                   "_parse_raw_address", "_load_events", "_load_origin_data"})
sj_utils = sj_functions("datasets/utils.py", {"load_aedat_v3"})


# ---------------------------------------------------------------- AEDAT 2.0 (DVS128, CIFAR10-DVS)
# References: SpikingJelly's CIFAR10-DVS `_load_origin_data`; Tonic 1.7's `get_aer_events_from_file` for
# the raw (address, timestamp) pairs and its `read_dvs_128` bit formula (the function itself fails in Tonic
# 1.7: it unpacks two values from `read_aedat_header_from_file`, which returns three); jAER's
# `DVS128.Extractor` formula (x = 127 - bits 1-7, y = bits 8-14, ON when bit 0 is 0, addresses > 0x7FFF
# skipped).
def aedat2(events, header=b"#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# Data format is int32 address, int32 timestamp (8 bytes total)\r\n"):
    return header + b"".join(struct.pack(">II", a, t) for a, t in events)


def dvs128_address(x_bits, y_bits, bit0, special=0):
    return (special << 15) | (y_bits << 8) | (x_bits << 1) | bit0


aedat2_events = [(dvs128_address(0, 0, 0), 0), (dvs128_address(127, 5, 1), 17), (dvs128_address(3, 127, 0), 2**31 + 5),
                 (dvs128_address(64, 32, 1), 4294967295), (dvs128_address(10, 20, 1, special=1), 99)]
expected = {}
for cls, evs in [("airplane", aedat2_events[:3]), ("truck", aedat2_events[3:]), ("cat", aedat2_events)]:
    write(f"cifar10dvs/{cls}/cifar10_{cls}_0.aedat", aedat2(evs))
write("cifar10dvs/airplane/cifar10_airplane_1.aedat", aedat2([(dvs128_address(1, 2, 1), 7)]))
write("aedat/dvs128.aedat", aedat2(aedat2_events))
try:
    tonic.io.read_dvs_128("aedat/dvs128.aedat")
    raise SystemExit("tonic.io.read_dvs_128 works now: use it directly")
except ValueError:
    pass  # "too many values to unpack": the Tonic 1.7 bug described above
version, start, _ = tonic.io.read_aedat_header_from_file("aedat/dvs128.aedat")
raw = tonic.io.get_aer_events_from_file("aedat/dvs128.aedat", version, start)
a, ts = raw["address"].astype(np.int64), raw["timeStamp"].astype(np.int64)
expected["tonic"] = {"x": ((a >> 8) & 0x7F).tolist(), "y": ((a >> 1) & 0x7F).tolist(), "t": ts.tolist(), "p": (a & 1).tolist()}
keep = a <= 0x7FFF
expected["jAER"] = {"x": (127 - ((a & 0xFE) >> 1))[keep].tolist(), "y": ((a & 0x7F00) >> 8)[keep].tolist(),
                    "t": ts[keep].tolist(), "p": (1 - (a & 1))[keep].tolist()}
sj = sj_cifar["_load_origin_data"]("aedat/dvs128.aedat")
expected["spikingJellyCIFAR10DVS"] = {k: np.asarray(sj[k]).astype(np.int64).tolist() for k in "xytp"}
dump("aedat/dvs128_expected.json", expected)


# ---------------------------------------------------------------- AEDAT 3.1 (DVS128 Gesture)
# Reference: SpikingJelly's `load_aedat_v3` (keeps invalid events), and the label CSV cut as its
# `_split_aedat_files_to_np` does: label = class - 1, startTime_usec <= t < endTime_usec.
def aedat31_header():
    return (b"#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#Start-Time: 2017-01-01 00:00:00 (TZ+0000)\r\n"
            b"#!END-HEADER\r\n")


def packet(etype, events, size=8, overflow=0):
    body = b"".join(struct.pack("<II", d, t) + b"\0" * (size - 8) for d, t in events)
    return struct.pack("<HHIIIIII", etype, 1, size, 4, overflow, len(events), len(events), len(events)) + body


def polarity(x, y, p, valid=1):
    return (x << 17) | (y << 2) | (p << 1) | valid


recording = (aedat31_header()
             + packet(1, [(polarity(0, 0, 1), 10), (polarity(127, 64, 0), 20), (polarity(5, 6, 1, valid=0), 30),
                          (polarity(7, 8, 0), 45)])
             + packet(0, [(0x12345678, 50), (0x9, 51)])  # special events: skipped
             + packet(1, [(polarity(100, 3, 1), 60), (polarity(2, 127, 0), 70)], size=12)
             + packet(1, [(polarity(9, 9, 1), 5)], overflow=1))
write("dvsgesture/DvsGesture/user01_fluorescent.aedat", recording)
write("dvsgesture/DvsGesture/user01_fluorescent_labels.csv",
      b"class,startTime_usec,endTime_usec\r\n3,10,30\r\n11,30,71\r\n1,2147483648,2147483654\r\n")
write("dvsgesture/DvsGesture/user02_led.aedat", aedat31_header() + packet(1, [(polarity(1, 1, 1), 100), (polarity(2, 2, 0), 200)]))
write("dvsgesture/DvsGesture/user02_led_labels.csv", b"class,startTime_usec,endTime_usec\n2,0,1000\n")
write("dvsgesture/DvsGesture/trials_to_train.txt", b"user01_fluorescent.aedat\n")
write("dvsgesture/DvsGesture/trials_to_test.txt", b"user02_led.aedat\n\n")
expected = {"samples": []}
for split, fname in [("train", "user01_fluorescent"), ("test", "user02_led")]:
    ev = sj_utils["load_aedat_v3"](f"dvsgesture/DvsGesture/{fname}.aedat")
    expected[fname] = {k: np.asarray(ev[k]).astype(np.int64).tolist() for k in "xytp"}
    csv = np.loadtxt(f"dvsgesture/DvsGesture/{fname}_labels.csv", dtype=np.uint32, delimiter=",", skiprows=1).reshape(-1, 3)
    for label, t0, t1 in csv:
        mask = np.logical_and(ev["t"] >= t0, ev["t"] < t1)
        expected["samples"].append({"split": split, "label": int(label) - 1,
                                    "events": {k: np.asarray(ev[k])[mask].astype(np.int64).tolist() for k in "xytp"}})
dump("dvsgesture/expected.json", expected)

# Tonic's preprocessed layout: ibmGestureTrain/userXX_lighting/<label>.npy, [N, 4] of x, y, p, t (ms).
tonic_gesture = {"user03_natural/0.npy": np.array([[1, 2, 1, 0.5], [127, 0, 0, 2.25]], dtype=np.float64),
                 "user03_natural/10.npy": np.array([[4, 5, 0, 7]], dtype=np.int32)}
expected = {}
for rel, arr in tonic_gesture.items():
    path = "tonic_gesture/DVSGesture/ibmGestureTrain/" + rel
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, arr)
    # As DVSGesture.__getitem__: load, t *= 1000, unstructured_to_structured with Tonic's dtype.
    ev = np.load(path)
    ev[:, 3] *= 1000
    ev = np.lib.recfunctions.unstructured_to_structured(ev, tonic.datasets.DVSGesture.dtype)
    expected[rel] = events_json(ev)
dump("tonic_gesture/expected.json", expected)


# ---------------------------------------------------------------- event files (.npy, .npz, CSV)
# Reference: numpy's np.load / np.loadtxt on the same files.
os.makedirs("events", exist_ok=True)
tonic_events = tonic.io.make_structured_array([3, 0, 33], [1, 2, 0], [10, 20, 30], [True, False, True])
np.save("events/tonic.npy", tonic_events)  # x int16, y int16, t int64, p bool
mixed = np.zeros(3, dtype=[("t", "<f8"), ("p", "<u1"), ("junk", "<f4"), ("y", "<i4"), ("x", "<u2")])
mixed["t"], mixed["p"], mixed["y"], mixed["x"] = [5.0, 6.0, 1e12], [0, 1, 1], [7, 8, 9], [1, 2, 65535]
np.save("events/mixed.npy", mixed)
shd_like = np.zeros(2, dtype=tonic.datasets.hsd.HSD.dtype)  # t, x, p
shd_like["t"], shd_like["x"], shd_like["p"] = [1000, 2500], [699, 3], [1, 1]
np.save("events/shd_like.npy", shd_like)
np.save("events/plain.npy", np.array([[1, 2, 100, 0], [3, 4, 200, 1]], dtype=np.int64))
np.savez("events/stored.npz", events=tonic_events)
np.savez_compressed("events/sj.npz", t=np.array([5, 6], dtype=np.uint32), x=np.array([10, 11]),
                    y=np.array([1, 0], dtype=np.int16), p=np.array([1, 0], dtype=np.int64))
np.savez_compressed("events/single.npz", np.array([[7, 8, 9, 1]], dtype=np.int32))
with open("events/header.csv", "w") as f:
    f.write("t,x,y,p\n10,1,2,1\n\n20,3,4,0\r\n")
with open("events/plain.csv", "w") as f:
    f.write("1,2,3,1\n4,5,6,0\n")
expected = {}
for name in ["tonic.npy", "mixed.npy", "shd_like.npy", "stored.npz", "sj.npz"]:
    a = np.load("events/" + name)
    if name == "stored.npz":
        a = a["events"]
    elif name == "sj.npz":
        a = {k: a[k] for k in "xytp"}
    expected[name] = {k: [int(v) for v in a[k]] if (k in a.dtype.names if hasattr(a, "dtype") else True) else [0] * 3 for k in "xytp"}
expected["shd_like.npy"]["y"] = [0, 0]
single = np.load("events/single.npz")["arr_0"]
expected["single.npz"] = {k: [int(v) for v in single[:, i]] for i, k in enumerate("xytp")}
plain = np.load("events/plain.npy")
expected["plain.npy"] = {k: [int(v) for v in plain[:, i]] for i, k in enumerate("xytp")}
h = np.loadtxt("events/header.csv", delimiter=",", skiprows=1, dtype=np.int64)
expected["header.csv"] = {k: [int(v) for v in h[:, i]] for i, k in enumerate("txyp")}
c = np.loadtxt("events/plain.csv", delimiter=",", dtype=np.int64)
expected["plain.csv"] = {k: [int(v) for v in c[:, i]] for i, k in enumerate("xytp")}
dump("events/expected.json", expected)


# ---------------------------------------------------------------- SHD / SSC (HDF5)
# Reference: Tonic 1.7's SHD and SSC classes themselves, pointed at a temporary folder that holds the file
# and an empty stand-in for the zip they would download (their existence check looks only for the names).
import shutil
import tempfile

import h5py


def heidelberg(path, times, units, labels, keys, dtype, libver):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with h5py.File(path, "w", libver=libver) as f:
        t = f.create_dataset("spikes/times", (len(times),), dtype=h5py.vlen_dtype(np.dtype(dtype)))
        u = f.create_dataset("spikes/units", (len(units),), dtype=h5py.vlen_dtype(np.dtype("uint16")))
        for i, (a, b) in enumerate(zip(times, units)):
            t[i] = np.array(a, dtype=dtype)
            u[i] = np.array(b, dtype="uint16")
        f.create_dataset("labels", data=np.array(labels, dtype="uint16"))
        if keys is not None:
            f.create_dataset("extra/keys", data=[k.encode() for k in keys])
        f.create_dataset("extra/speaker", data=np.arange(len(labels), dtype="uint16"))


shd_times = [[0.0, 0.0012345, 0.5, 1.3999999], [], [0.000001, 0.25]]
shd_units = [[0, 699, 3, 350], [], [12, 12]]
heidelberg("shd/shd_train.h5", shd_times, shd_units, [19, 0, 7], [f"key{i}" for i in range(20)], "float32", "earliest")
heidelberg("shd/ssc_valid.h5", [[0.1, 0.2001]], [[5, 6]], [34], [f"word{i}" for i in range(35)], "float16", "latest")
heidelberg("shd/bad_unit.h5", [[0.1]], [[700]], [1], None, "float32", "earliest")
heidelberg("shd/bad_label.h5", [[0.1]], [[7]], [20], None, "float32", "earliest")
expected = {}
with tempfile.TemporaryDirectory() as tmp:
    for cls, name, kwargs in [(tonic.datasets.SHD, "shd_train.h5", {"train": True}),
                              (tonic.datasets.SSC, "ssc_valid.h5", {"split": "valid"})]:
        where = os.path.join(tmp, cls.__name__)
        os.makedirs(where, exist_ok=True)
        shutil.copy("shd/" + name, where)
        open(os.path.join(where, name + ".zip"), "wb").close()
        ds = cls(tmp, **kwargs)
        expected[name] = [{"label": int(y), "events": events_json(ev)} for ev, y in (ds[i] for i in range(len(ds)))]
dump("shd/expected.json", expected)
print("fixtures written")
