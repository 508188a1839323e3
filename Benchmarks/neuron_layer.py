"""Peer timing: the lif-layer work (Linear(nin->nout, no bias) + a spiking neuron, multi-step, forward + backward,
CPU) with the neuron model of a given SpikeKit zoo id taken from its reference framework, at its defaults
(except threshold-like scaling noted below). Compare with `spike bench lif-layer --neuron ID` and the
SpikeKit arguments that `--spikekit-args` prints for the id (the same parameters and weight gain);
Benchmarks/neuron_side_by_side.sh runs both. From ../shared/bench/peers/neuron_layer.py, with the id -> class
map (SPIKEKIT below) added.

Usage: python neuron_layer.py --neuron {leaky,synaptic,alpha,cuba_lif,lif_box,adex,lsnn,plif,qif,eif,izhikevich}
       [--T 100 --B 16 --nin 512 --nout 512 --rate 0.1 --reps 5 --threads 2]
Input: Bernoulli spikes [T, B, nin] of the given rate, seed 0; weights uniform +-4/sqrt(nin) (as lif_layer.py),
times --gain for the Norse models, whose inputs are currents integrated at dt = 1e-3.
Loss = output.sum(). Prints median seconds per forward + backward, forward-only (no_grad), and the spike count.
"""
import argparse, statistics, time, warnings
warnings.filterwarnings("ignore")
import torch

p = argparse.ArgumentParser()
p.add_argument("--neuron", required=True)
p.add_argument("--T", type=int, default=100); p.add_argument("--B", type=int, default=16)
p.add_argument("--nin", type=int, default=512); p.add_argument("--nout", type=int, default=512)
p.add_argument("--rate", type=float, default=0.1); p.add_argument("--reps", type=int, default=5)
p.add_argument("--threads", type=int, default=2); p.add_argument("--gain", type=float, default=50.0)
p.add_argument("--spikekit-args", action="store_true", help="print the matching `spike bench lif-layer` arguments and exit")
a = p.parse_args()
# The SpikeKit side of each id: the same model parameters as the peer class below, and the same weight gain.
SPIKEKIT = {
    "leaky": "--neuron leaky --set beta=0.9",                        # snn.Leaky(beta=0.9)
    "synaptic": "--neuron synaptic --set alpha=0.8 --set beta=0.9",  # snn.Synaptic(alpha=0.8, beta=0.9)
    "alpha": "--neuron alpha --set alpha=0.9 --set beta=0.8",        # snn.Alpha(alpha=0.9, beta=0.8)
    "cuba_lif": "--neuron cuba_lif --gain {g}",                      # norse LIF() on inputs times gain
    "lif_box": "--neuron lif_box --gain {g}",                        # norse LIFBoxCell() in a time loop
    "adex": "--neuron adex --gain {g}",                              # norse LIFAdEx()
    "lsnn": "--neuron lsnn --gain {g}",                              # norse LSNN()
    "plif": "--neuron plif",                                         # spikingjelly ParametricLIFNode()
    "qif": "--neuron qif",                                           # spikingjelly QIFNode()
    "eif": "--neuron eif",                                           # spikingjelly EIFNode()
    "izhikevich": "--neuron izhikevich",                             # spikingjelly IzhikevichNode()
}
if a.spikekit_args:
    if a.neuron not in SPIKEKIT: raise SystemExit(f"unknown neuron {a.neuron}")
    print(SPIKEKIT[a.neuron].format(g=a.gain)); raise SystemExit(0)
torch.set_num_threads(a.threads); torch.manual_seed(0)
x = (torch.rand(a.T, a.B, a.nin) < a.rate).float()
lin = torch.nn.Linear(a.nin, a.nout, bias=False)
torch.nn.init.uniform_(lin.weight, -4 / a.nin ** 0.5, 4 / a.nin ** 0.5)
n = a.neuron

def step_loop(cell, init):
    def run(cur):
        state, out = init(), []
        for t in range(cur.shape[0]):
            s, state = cell(cur[t], state); out.append(s)
        return torch.stack(out)
    return run

if n in ("leaky", "synaptic", "alpha"):
    import snntorch as snn
    if n == "leaky":
        m = snn.Leaky(beta=0.9)
        run = step_loop(lambda c, s: m(c, s), m.init_leaky)
    elif n == "synaptic":
        m = snn.Synaptic(alpha=0.8, beta=0.9)
        def run(cur):
            syn, mem = m.init_synaptic(); out = []
            for t in range(cur.shape[0]):
                s, syn, mem = m(cur[t], syn, mem); out.append(s)
            return torch.stack(out)
    else:
        m = snn.Alpha(alpha=0.9, beta=0.8)
        def run(cur):
            a1, a2, mem = m.init_alpha(); out = []
            for t in range(cur.shape[0]):
                s, a1, a2, mem = m(cur[t], a1, a2, mem); out.append(s)
            return torch.stack(out)
elif n in ("cuba_lif", "lif_box", "adex", "lsnn"):
    import norse.torch as nt
    if n == "lif_box":  # Norse has no LIFBox sequence module: its cell in a time loop, as Norse's modules do
        cell = nt.LIFBoxCell()
        def run(cur):
            state, out = None, []
            for t in range(cur.shape[0]):
                s, state = cell(cur[t] * a.gain, state); out.append(s)
            return torch.stack(out)
    else:
        m = {"cuba_lif": nt.LIF, "adex": nt.LIFAdEx, "lsnn": nt.LSNN}[n]()
        def run(cur):
            s, _ = m(cur * a.gain); return s
elif n in ("plif", "qif", "eif", "izhikevich"):
    from spikingjelly.activation_based import neuron
    m = {"plif": lambda: neuron.ParametricLIFNode(step_mode="m"), "qif": lambda: neuron.QIFNode(step_mode="m"),
         "eif": lambda: neuron.EIFNode(step_mode="m"), "izhikevich": lambda: neuron.IzhikevichNode(step_mode="m")}[n]()
    def run(cur):
        m.reset(); return m(cur)
else:
    raise SystemExit(f"unknown neuron {n}")

fb, fw = [], []
for r in range(a.reps + 1):
    lin.zero_grad()
    t0 = time.perf_counter(); out = run(lin(x)); out.sum().backward(); t1 = time.perf_counter()
    with torch.no_grad(): run(lin(x))
    t2 = time.perf_counter()
    if r > 0: fb.append(t1 - t0); fw.append(t2 - t1)
print(f"{n} T={a.T} B={a.B} nin={a.nin} nout={a.nout} median_s={statistics.median(fb):.5f} "
      f"forward_s={statistics.median(fw):.5f} spikes={int(out.sum().item())}")
