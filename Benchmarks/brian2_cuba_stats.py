"""CUBA statistics in Brian2, defined exactly as `spike bench cuba --json` defines them, for a comparison of
distributions over seeds (not spike by spike: the random numbers differ).

Usage (Brian2 2.9 wants numpy < 2; see ../shared/bench/README.md):
    python brian2_cuba_stats.py --seeds 1 2 3 4 5 --duration 10 [--target cython] [--N 4000] [--p 0.02]
Prints one JSON object per seed: mean rate (Hz), mean CV of the inter-spike intervals (neurons with >= 3
spikes), the frequency of the largest peak (>= 1 Hz) of the population-rate spectrum (Bartlett, segments
of 4096 samples of 0.1 ms, mean removed), the summed power in the bands 1-10, 10-40, 40-100 and 100-500 Hz,
and the spike count.
"""
import argparse, json
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
p.add_argument("--duration", type=float, default=10.0)
p.add_argument("--target", default="cython")
p.add_argument("--N", type=int, default=4000)
p.add_argument("--p", type=float, default=0.02)
p.add_argument("--float32", action="store_true", help="run Brian2 in single precision, as SpikeKit")
a = p.parse_args()

from brian2 import *
prefs.codegen.target = a.target
if a.float32:
    prefs.core.default_float_dtype = float32
defaultclock.dt = 0.1 * ms


def stats(i, t_ms, n, duration_ms, dt_ms=0.1, segment=4096):
    rate = len(i) / n / (duration_ms / 1000)
    cvs = []
    order = np.lexsort((t_ms, i))
    i_s, t_s = i[order], t_ms[order]
    bounds = np.searchsorted(i_s, np.arange(n + 1))
    for k in range(n):
        tt = t_s[bounds[k]:bounds[k + 1]]
        if len(tt) >= 3:
            isi = np.diff(tt)
            if isi.mean() > 0:
                cvs.append(isi.std() / isi.mean())
    steps = int(round(duration_ms / dt_ms))
    counts = np.bincount(np.round(t_ms / dt_ms).astype(int), minlength=steps)[:steps].astype(float)
    sig = counts / (n * dt_ms / 1000)
    segs = len(sig) // segment
    power = np.zeros(segment // 2 + 1)
    for s in range(segs):
        x = sig[s * segment:(s + 1) * segment]
        x = x - x.mean()
        f = np.fft.rfft(x)
        power += (np.abs(f) ** 2) / segment / segs
    freqs = np.arange(segment // 2 + 1) * (1000 / dt_ms) / segment
    mask = freqs >= 1
    peak = float(freqs[mask][np.argmax(power[mask])]) if segs > 0 else 0.0
    bands = [float(power[(freqs >= lo) & (freqs < hi)].sum()) for lo, hi in BANDS]
    return dict(meanRateHz=rate, meanCV=float(np.mean(cvs)) if cvs else 0.0, peakFrequencyHz=peak,
                bandPower=bands, spikes=int(len(i)))


# Bands of the population-rate spectrum (Hz) whose summed power is reported, as `spike bench cuba` does.
BANDS = [(1, 10), (10, 40), (40, 100), (100, 500)]


for sd in a.seeds:
    start_scope()
    taum = 20 * ms; taue = 5 * ms; taui = 10 * ms; Vt = -50 * mV; Vr = -60 * mV; El = -49 * mV
    eqs = '''dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt'''
    P = NeuronGroup(a.N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms, method='exact')
    seed(sd)
    P.v = 'Vr + rand() * (Vt - Vr)'
    P.ge = 0 * mV; P.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV; wi = (-20 * 4.5 / 10) * mV
    Ne = int(a.N * 0.8)
    Ce = Synapses(P, P, on_pre='ge += we'); Ci = Synapses(P, P, on_pre='gi += wi')
    Ce.connect('i<Ne', p=a.p); Ci.connect('i>=Ne', p=a.p)
    M = SpikeMonitor(P)
    run(a.duration * second)
    r = stats(np.asarray(M.i), np.asarray(M.t / ms), a.N, a.duration * 1000)
    r["seed"] = sd
    print(json.dumps(r), flush=True)
