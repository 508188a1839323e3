"""Writes Tonic 1.7's outputs on small event streams, for SpikeDataTests' transform tests.

Run from this folder:  python3 make_fixtures.py   (needs tonic 1.7 and numpy; deterministic).
Files: streams + cases in frames.json (ToFrame), representations.json (ToVoxelGrid, ToTimesurface),
transforms.json (the event-to-event transforms). Every case names its stream, the Tonic transform and
its parameters, and Tonic's output: a tensor (shape + row-major values, float64 where Tonic computes in
float64), an event list, or the error Tonic raised.
"""
import json

import numpy as np
import tonic
import tonic.transforms as T

assert tonic.__version__.startswith("1.7"), tonic.__version__

DT = np.dtype([("x", "<i8"), ("y", "<i8"), ("t", "<i8"), ("p", "<i8")])
DT1 = np.dtype([("t", "<i8"), ("x", "<i8"), ("p", "<i8")])  # audio: no y, as Tonic's SHD

streams = {}


def add(name, sensor, x, y, t, p, has_y=True):
    streams[name] = dict(sensor=list(sensor), hasY=has_y, x=[int(v) for v in x], y=[int(v) for v in y],
                         t=[int(v) for v in t], p=[int(v) for v in p])


def events(name):
    s = streams[name]
    if s["hasY"]:
        ev = np.zeros(len(s["t"]), dtype=DT)
        ev["y"] = s["y"]
    else:
        ev = np.zeros(len(s["t"]), dtype=DT1)
    ev["x"], ev["t"], ev["p"] = s["x"], s["t"], s["p"]
    return ev


rng = np.random.default_rng(12)
# basic: 200 sorted events with ties, starting at t = 1000
n = 200
t = np.sort(1000 + rng.integers(0, 1000, n))
add("basic", (8, 6, 2), rng.integers(0, 8, n), rng.integers(0, 6, n), t, rng.integers(0, 2, n))
# edges: times exactly on the edges of 100 us windows and of 4 time bins (duration 400)
t = np.repeat(np.arange(0, 401, 50), 3)
m = len(t)
add("edges", (5, 4, 2), rng.integers(0, 5, m), rng.integers(0, 4, m), t, rng.integers(0, 2, m))
add("single", (5, 4, 2), [3], [2], [777], [1])
add("empty", (5, 4, 2), [], [], [], [])
# unsorted: 60 events, distinct shuffled times
t = rng.permutation(np.arange(60) * 7 + 5)
add("unsorted", (6, 5, 2), rng.integers(0, 6, 60), rng.integers(0, 5, 60), t, rng.integers(0, 2, 60))
# early: events at t = 0 and shortly after, dense in a corner (Denoise / RefractoryPeriod conventions)
t = np.sort(rng.integers(0, 120, 80))
t[:3] = 0
add("early", (7, 7, 2), rng.integers(0, 4, 80), rng.integers(0, 4, 80), t, rng.integers(0, 2, 80))
# negative: times around zero (TimeJitter's clip_negative)
add("negative", (4, 4, 2), [0, 1, 2, 3, 0, 1], [0, 1, 2, 3, 3, 2], [-30, -1, 0, 4, 9, 15], [0, 1, 0, 1, 1, 0])
# audio: 700-channel style sensor cut to 20 channels, one polarity, no y
t = np.sort(rng.integers(0, 5000, 120))
add("audio", (20, 1, 1), rng.integers(0, 20, 120), np.zeros(120), t, np.zeros(120), has_y=False)


def tensor(a, digits=None):
    """Integral values are written as integers; `digits` rounds the others to that many significant
    digits (time surfaces: 10, still finer than float32's 24 bits)."""
    a = np.asarray(a)
    if not np.all(np.isfinite(a)):  # NaN from a division by zero: recorded as such (JSON has no NaN)
        return dict(kind="nonfinite", shape=list(a.shape))
    def num(v):
        v = float(v)
        if v.is_integer():
            return int(v)
        return float(f"{v:.{digits}g}") if digits else v
    return dict(kind="tensor", shape=list(a.shape), data=[num(v) for v in a.ravel()])


def ev_out(ev):
    return dict(kind="events", x=[int(v) for v in ev["x"]], y=[int(v) for v in ev["y"]] if "y" in ev.dtype.names else [],
                t=[int(v) for v in ev["t"]], p=[int(v) for v in ev["p"]])


def run(cases, name, stream, transform, params, fn, digits=None):
    try:
        out = fn(events(stream))
        out = ev_out(out) if getattr(out, "dtype", None) is not None and out.dtype.names else tensor(out, digits)
    except Exception as e:  # Tonic's own error on this input
        out = dict(kind="error", message=f"{type(e).__name__}: {e}")
    cases.append(dict(name=name, stream=stream, transform=transform, params=params, output=out))


def sensor(stream):
    return tuple(streams[stream]["sensor"])


# ---- ToFrame
frames = []
frame_params = [
    dict(time_window=100), dict(time_window=100, include_incomplete=True),
    dict(time_window=100, overlap=30), dict(time_window=100, overlap=30, include_incomplete=True),
    dict(time_window=33.5, overlap=10.25), dict(time_window=250, start_time=900, end_time=2100),
    dict(event_count=37), dict(event_count=37, include_incomplete=True),
    dict(event_count=37, overlap=5), dict(event_count=37, overlap=5, include_incomplete=True),
    dict(event_count=1000), dict(event_count=1000, include_incomplete=True),
    dict(n_time_bins=5), dict(n_time_bins=4), dict(n_time_bins=5, overlap=0.25), dict(n_time_bins=1),
    dict(n_event_bins=7), dict(n_event_bins=7, overlap=0.3), dict(n_event_bins=4),
]
for stream in ["basic", "edges", "single", "empty", "unsorted", "audio"]:
    for prm in frame_params:
        if stream != "basic" and ("start_time" in prm or prm.get("time_window") == 33.5):
            continue
        run(frames, "ToFrame", stream, "ToFrame", prm, lambda ev, prm=prm, s=stream: T.ToFrame(sensor_size=sensor(s), **prm)(ev))

# ---- representations
reps = []
for stream in ["basic", "edges", "single", "unsorted"]:
    for nb in [1, 3, 4]:
        run(reps, "ToVoxelGrid", stream, "ToVoxelGrid", dict(n_time_bins=nb),
            lambda ev, nb=nb, s=stream: T.ToVoxelGrid(sensor_size=sensor(s), n_time_bins=nb)(ev))
for stream in ["basic", "edges", "single", "unsorted"]:
    for dt, tau in [(50, 30.0), (200, 500.0), (37.5, 12.0)]:
        run(reps, "ToTimesurface", stream, "ToTimesurface", dict(dt=dt, tau=tau),
            lambda ev, dt=dt, tau=tau, s=stream: T.ToTimesurface(sensor_size=sensor(s), dt=dt, tau=tau)(ev), digits=10)

# ---- event transforms (deterministic ones, and the random ones with deterministic settings)
trs = []
for stream in ["basic", "early", "unsorted", "single", "edges"]:
    for ft in [10, 30, 100]:
        run(trs, "Denoise", stream, "Denoise", dict(filter_time=ft), lambda ev, ft=ft: T.Denoise(filter_time=ft)(ev))
    for d in [0, 20, 75]:
        run(trs, "RefractoryPeriod", stream, "RefractoryPeriod", dict(delta=d), lambda ev, d=d: T.RefractoryPeriod(delta=d)(ev))
for stream in ["basic", "unsorted", "audio"]:
    for prm in [dict(spatial_factor=0.5), dict(spatial_factor=0.3, time_factor=0.001), dict(spatial_factor=(0.7, 0.25)),
                dict(time_factor=1.5), dict(time_factor=0.5)]:
        run(trs, "Downsample", stream, "Downsample", {k: list(v) if isinstance(v, tuple) else v for k, v in prm.items()},
            lambda ev, prm=prm: T.Downsample(**prm)(ev))
run(trs, "Downsample", "basic", "Downsample", dict(target_size=[3, 4]),
    lambda ev: T.Downsample(sensor_size=sensor("basic"), target_size=(3, 4))(ev))
for stream in ["basic", "unsorted"]:
    for size in [4, [5, 3], [10, 8], [8, 6], [1, 1]]:
        run(trs, "CenterCrop", stream, "CenterCrop", dict(size=size),
            lambda ev, size=size, s=stream: T.CenterCrop(sensor_size=sensor(s), size=size if isinstance(size, int) else tuple(size))(ev))
    run(trs, "RandomCrop", stream, "RandomCrop", dict(target_size=list(sensor(stream)[:2])),
        lambda ev, s=stream: T.RandomCrop(sensor_size=sensor(s), target_size=sensor(s)[:2])(ev))
    run(trs, "MergePolarities", stream, "MergePolarities", {}, lambda ev: T.MergePolarities()(ev))
    run(trs, "TimeAlignment", stream, "TimeAlignment", {}, lambda ev: T.TimeAlignment()(ev))
    for p in [0.0, 1.0]:
        run(trs, "RandomFlipLR", stream, "RandomFlipLR", dict(p=p), lambda ev, p=p, s=stream: T.RandomFlipLR(sensor_size=sensor(s), p=p)(ev))
        run(trs, "RandomFlipUD", stream, "RandomFlipUD", dict(p=p), lambda ev, p=p, s=stream: T.RandomFlipUD(sensor_size=sensor(s), p=p)(ev))
        run(trs, "RandomFlipPolarity", stream, "RandomFlipPolarity", dict(p=p), lambda ev, p=p: T.RandomFlipPolarity(p=p)(ev))
        run(trs, "DropEvent", stream, "DropEvent", dict(p=p), lambda ev, p=p: T.DropEvent(p=p)(ev))
    run(trs, "SpatialJitter", stream, "SpatialJitter", dict(var_x=0.0, var_y=0.0, sigma_xy=0.0, clip_outliers=True),
        lambda ev, s=stream: T.SpatialJitter(sensor_size=sensor(s), var_x=0.0, var_y=0.0, sigma_xy=0.0, clip_outliers=True)(ev))
for stream in ["negative", "unsorted", "basic"]:
    for clip, srt in [(True, False), (False, False), (True, True)]:
        if srt and stream == "basic":
            continue  # ties: numpy's argsort is not stable, tie order is unspecified
        run(trs, "TimeJitter", stream, "TimeJitter", dict(std=0.0, clip_negative=clip, sort_timestamps=srt),
            lambda ev, clip=clip, srt=srt: T.TimeJitter(std=0.0, clip_negative=clip, sort_timestamps=srt)(ev))

for fname, cases in [("frames.json", frames), ("representations.json", reps), ("transforms.json", trs)]:
    with open(fname, "w") as f:
        json.dump(dict(tonic=tonic.__version__, numpy=np.__version__, streams=streams, cases=cases), f, separators=(",", ":"))
    print(fname, len(cases), "cases")
