#!/usr/bin/env python3
"""Writes the HDF5 fixtures of SpikeIOTests (h5py 3.16 / HDF5 2.0.0 / numpy 2.4.6 were used).

Run from this folder: `python3 make_fixtures.py`. Two files hold the same objects, one written with
h5py's defaults (`default.h5`) and one with `libver="latest"` (`latest.h5`); `expected.json` lists every
dataset and attribute with its kind, shape and values (vlen data as lists), which the Swift tests compare
value for value. All values are deterministic (no random numbers).
"""
import json
import h5py
import numpy as np

expected = {}


def record(path, kind, shape, values):
    expected[path] = {"kind": kind, "shape": list(shape), "values": values}


def plain(a):
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return [None if not np.isfinite(x) else float(x) for x in a.ravel()]
    if a.dtype.kind == "b":
        return [int(x) for x in a.ravel()]
    return [int(x) for x in a.ravel()]


def low_level(f, name, data, layout=None, alloc_early=False, chunks=None, maxshape=None):
    """A dataset created through the low-level API (compact layout, early allocation)."""
    f.require_group(name.rsplit("/", 1)[0])
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    if chunks is not None:
        dcpl.set_chunk(chunks)
    if layout is not None:
        dcpl.set_layout(layout)
    if alloc_early:
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    space = h5py.h5s.create_simple(data.shape, maxshape or data.shape)
    tid = h5py.h5t.py_create(data.dtype)
    ds = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data))


def populate(f, prefix):
    def rec(path, kind, shape, values):
        record(prefix + path, kind, shape, values)

    ramp = np.arange(24)
    # Integers of every size, both signs, and big-endian ones.
    for dt in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", ">i4", ">u2", ">i8"]:
        a = (ramp.reshape(2, 3, 4) * 7 - (40 if dt[-2] == "i" else 0)).astype(dt)
        name = "ints/" + dt.replace(">", "be_")
        f.create_dataset(name, data=a)
        rec("/" + name, "int", a.shape, plain(a))
    big = np.array([np.iinfo(np.int64).min, -1, 0, np.iinfo(np.int64).max], dtype="i8")
    f.create_dataset("ints/i8_extremes", data=big)
    rec("/ints/i8_extremes", "int", big.shape, plain(big))
    bigu = np.array([0, 1, np.iinfo(np.uint64).max], dtype="u8")
    f.create_dataset("ints/u8_extremes", data=bigu)
    rec("/ints/u8_extremes", "uint", bigu.shape, [str(int(x)) for x in bigu])
    # Floats: half, single, double, big-endian.
    for dt in ["f2", "f4", "f8", ">f4", ">f8"]:
        a = ((ramp - 5.5) * 0.25).astype(dt).reshape(4, 6)
        name = "floats/" + dt.replace(">", "be_")
        f.create_dataset(name, data=a)
        rec("/" + name, "float", a.shape, plain(a))
    scalar = f.create_dataset("floats/scalar", data=np.float64(3.25))
    rec("/floats/scalar", "float", (), [3.25])
    # Bool (h5py's enum over int8), fixed and variable-length strings.
    b = np.array([True, False, True, True, False])
    f.create_dataset("misc/bools", data=b)
    rec("/misc/bools", "bool", b.shape, plain(b))
    fixed = np.array([b"alpha", b"be", b"gamma"], dtype="S5")
    f.create_dataset("misc/fixed_strings", data=fixed)
    rec("/misc/fixed_strings", "string", fixed.shape, ["alpha", "be", "gamma"])
    words = ["spike", "", "neuron ∑ é", "a much longer string than the others"]
    f.create_dataset("misc/vlen_strings", data=words, dtype=h5py.string_dtype())
    rec("/misc/vlen_strings", "string", (4,), words)
    f.create_dataset("misc/vlen_string_scalar", data="just one", dtype=h5py.string_dtype())
    rec("/misc/vlen_string_scalar", "string", (), ["just one"])
    empty = f.create_dataset("misc/empty", data=np.zeros((0, 3), dtype="f4"))
    rec("/misc/empty", "float", (0, 3), [])
    comp = np.array([(1, 2.5), (-3, 0.125)], dtype=[("a", "<i4"), ("b", "<f8")])
    f.create_dataset("misc/compound", data=comp)
    rec("/misc/compound", "compound", (2,), {"a": [1, -3], "b": [2.5, 0.125]})

    # Layouts: compact, contiguous, chunked with filters, many chunks.
    c = np.arange(10, dtype="i2")
    low_level(f, "layout/compact", c, layout=h5py.h5d.COMPACT)
    rec("/layout/compact", "int", c.shape, plain(c))
    x = (np.arange(600, dtype="f4") * 0.5 - 7).reshape(20, 30)
    f.create_dataset("layout/contiguous", data=x)
    rec("/layout/contiguous", "float", x.shape, plain(x))
    f.create_dataset("layout/deflate", data=x, chunks=(7, 8), compression="gzip", compression_opts=6)
    rec("/layout/deflate", "float", x.shape, plain(x))
    f.create_dataset("layout/shuffle_deflate_fletcher", data=x, chunks=(5, 30), shuffle=True, compression="gzip", fletcher32=True)
    rec("/layout/shuffle_deflate_fletcher", "float", x.shape, plain(x))
    f.create_dataset("layout/fletcher", data=x, chunks=(20, 30), fletcher32=True)
    rec("/layout/fletcher", "float", x.shape, plain(x))
    many = (np.arange(300) % 251).astype("u1")
    f.create_dataset("layout/many_chunks", data=many, chunks=(1,))
    rec("/layout/many_chunks", "int", many.shape, plain(many))
    paged = (np.arange(1100) % 253).astype("u1")
    f.create_dataset("layout/paged_chunks", data=paged, chunks=(1,))
    rec("/layout/paged_chunks", "int", paged.shape, plain(paged))
    f.create_dataset("layout/partial", data=x[:, :7], chunks=(6, 4))  # edge chunks
    rec("/layout/partial", "float", (20, 7), plain(x[:, :7]))
    sparse = f.create_dataset("layout/unwritten", shape=(5, 4), dtype="i4", chunks=(2, 2), fillvalue=-9)
    sparse[0:2, 0:2] = np.array([[1, 2], [3, 4]])
    v = np.full((5, 4), -9, dtype="i4")
    v[0:2, 0:2] = [[1, 2], [3, 4]]
    rec("/layout/unwritten", "int", v.shape, plain(v))
    low_level(f, "layout/implicit", x, alloc_early=True, chunks=(8, 8))
    rec("/layout/implicit", "float", x.shape, plain(x))
    ext = f.create_dataset("layout/extensible", data=many, chunks=(1,), maxshape=(None,))
    rec("/layout/extensible", "int", many.shape, plain(many))
    extd = f.create_dataset("layout/extensible_deflate", data=x, chunks=(3, 30), maxshape=(None, 30), compression="gzip")
    rec("/layout/extensible_deflate", "float", x.shape, plain(x))
    exts = f.create_dataset("layout/extensible_dim1", data=x, chunks=(20, 2), maxshape=(20, None))
    rec("/layout/extensible_dim1", "float", x.shape, plain(x))
    bt2 = f.create_dataset("layout/btree2", data=x, chunks=(3, 4), maxshape=(None, None))
    rec("/layout/btree2", "float", x.shape, plain(x))
    bt2d = f.create_dataset("layout/btree2_deflate", data=x, chunks=(2, 3), maxshape=(None, None), compression="gzip", shuffle=True)
    rec("/layout/btree2_deflate", "float", x.shape, plain(x))
    one = f.create_dataset("layout/single_chunk_deflate", data=x, chunks=x.shape, compression="gzip")
    rec("/layout/single_chunk_deflate", "float", x.shape, plain(x))
    f.create_dataset("layout/single_chunk", data=x, chunks=x.shape)
    rec("/layout/single_chunk", "float", x.shape, plain(x))

    # SHD-like: spike times (vlen float32), units (vlen uint16), labels, extra/keys.
    g = f.create_group("shd")
    n = 12
    times = [(np.arange(k * 3) * 0.01 + k * 0.001).astype("f4") for k in range(n)]
    units = [((np.arange(k * 3) * 37 + k) % 700).astype("u2") for k in range(n)]
    ds = g.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.float32))
    for k in range(n):
        ds[k] = times[k]
    du = g.create_dataset("spikes/units", (n,), dtype=h5py.vlen_dtype(np.uint16))
    for k in range(n):
        du[k] = units[k]
    labels = (np.arange(n) % 20).astype("u2")
    g.create_dataset("labels", data=labels)
    g.create_dataset("extra/keys", data=[b"zero", b"one", b"two"], dtype=h5py.string_dtype("ascii"))
    g.create_dataset("extra/speaker", data=(np.arange(n) % 3).astype("u2"))
    rec("/shd/spikes/times", "vlen_float", (n,), [plain(t) for t in times])
    rec("/shd/spikes/units", "vlen_int", (n,), [plain(u) for u in units])
    rec("/shd/labels", "int", (n,), plain(labels))
    rec("/shd/extra/keys", "string", (3,), ["zero", "one", "two"])
    rec("/shd/extra/speaker", "int", (n,), plain(np.arange(n) % 3))
    dv = g.create_dataset("chunked_vlen", (5,), dtype=h5py.vlen_dtype(np.float64), chunks=(2,), compression="gzip")
    for k in range(5):
        dv[k] = np.arange(k, dtype="f8") + 0.5
    rec("/shd/chunked_vlen", "vlen_float", (5,), [plain(np.arange(k, dtype="f8") + 0.5) for k in range(5)])

    # Nested groups, many links, attributes (and many attributes).
    deep = f.create_group("a/b/c/d")
    deep.create_dataset("leaf", data=np.array([1.5, -2.5], dtype="f4"))
    rec("/a/b/c/d/leaf", "float", (2,), [1.5, -2.5])
    wide = f.create_group("wide")
    for k in range(40):
        wide.create_dataset("item%02d" % k, data=np.int32(k))
        rec("/wide/item%02d" % k, "int", (), [k])
    wide.create_group("subgroup")
    f.attrs["title"] = "SpikeKit fixture"
    f.attrs["version"] = np.int64(3)
    f.attrs["scale"] = 0.5
    f.attrs["vector"] = np.array([1.0, 2.0, 4.0], dtype="f4")
    f.attrs["matrix"] = np.arange(6, dtype="i2").reshape(2, 3)
    f.attrs["fixed"] = np.bytes_(b"bytes!")
    f.attrs["names"] = np.array(["x", "yy", "zzz"], dtype=h5py.string_dtype())
    f.attrs["flag"] = True
    rec("/@title", "string", (), ["SpikeKit fixture"])
    rec("/@version", "int", (), [3])
    rec("/@scale", "float", (), [0.5])
    rec("/@vector", "float", (3,), [1.0, 2.0, 4.0])
    rec("/@matrix", "int", (2, 3), list(range(6)))
    rec("/@fixed", "string", (), ["bytes!"])
    rec("/@names", "string", (3,), ["x", "yy", "zzz"])
    rec("/@flag", "bool", (), [1])
    d = f["layout/contiguous"]
    d.attrs["units"] = "mV"
    rec("/layout/contiguous@units", "string", (), ["mV"])
    for k in range(20):
        wide.attrs["attr%02d" % k] = np.float32(k) * 1.5
        rec("/wide@attr%02d" % k, "float", (), [k * 1.5])


for name, kw in [("default.h5", {}), ("latest.h5", {"libver": "latest"})]:
    with h5py.File(name, "w", **kw) as f:
        populate(f, name + ":")

# Small files for the corruption tests (every truncation point and byte flip is parsed, so they stay tiny).
for name, kw in [("small_default.h5", {}), ("small_latest.h5", {"libver": "latest"}), ("small_v108.h5", {"libver": ("v108", "v108")})]:
    with h5py.File(name, "w", track_times=False, **kw) as f:
        f.attrs["title"] = "small"
        f.attrs["values"] = np.arange(3, dtype="f8")
        g = f.create_group("g")
        for k in range(10):
            g.create_dataset("d%d" % k, data=np.arange(k + 1, dtype="i2"))
        for k in range(10):
            g.attrs["a%d" % k] = k
        x = np.arange(64, dtype="f4").reshape(8, 8)
        f.create_dataset("chunked", data=x, chunks=(4, 4), shuffle=True, compression="gzip", fletcher32=True)
        f.create_dataset("growing", data=np.arange(40, dtype="u1"), chunks=(4,), maxshape=(None,))
        v = f.create_dataset("vlen", (3,), dtype=h5py.vlen_dtype(np.float32))
        for k in range(3):
            v[k] = np.arange(k + 2, dtype="f4")
        f.create_dataset("strings", data=["a", "bc", "def"], dtype=h5py.string_dtype())
        f["soft"] = h5py.SoftLink("/g/d3")
        f["elsewhere"] = h5py.ExternalLink("other.h5", "/x")

# Creation order tracked (extra fields in headers, links and attribute info), and an attribute too large
# for the fractal heap's managed blocks (a "huge" object found through its own B-tree).
with h5py.File("track_order_latest.h5", "w", libver="latest", track_order=True, track_times=False) as f:
    g = f.create_group("g", track_order=True)
    for k in range(20):
        g.create_dataset("z%02d" % (20 - k), data=np.arange(k + 1, dtype="f4"))
        g.attrs["a%02d" % k] = k
    f.create_dataset("holder", data=1).attrs["huge"] = np.arange(9000, dtype="f8") * 0.5

with open("expected.json", "w") as out:
    json.dump(expected, out, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    out.write("\n")
