"""Peer timing, forward only: ../shared/bench/peers/lif_layer.py's Linear + LIF work timed under torch.no_grad()
(the comparison for `spike bench lif-layer`'s inference figure); only the timing loop differs from that script.

Usage: python peer_lif_layer_forward.py --lib {snntorch,norse,spikingjelly} --T 100 --B 16 --nin 512 --nout 512 [--rate 0.1] [--reps 5]
Prints: lib, median and minimum seconds per forward, spikes out (sanity).
Input: Bernoulli spikes [T, B, nin] with the given rate, seed 0 (no gradient needed for the input).
LIF: decay 0.9 per step (snnTorch beta=0.9; SpikingJelly tau=10, decay_input=False; Norse's
current-based LIF at dt=1e-3), threshold 1, hard reset to 0, ATan or SuperSpike surrogate.
Loss = output.sum(); the timed work is forward + backward (weight gradient).
"""
import argparse, time, statistics, warnings
warnings.filterwarnings("ignore")
import torch

p = argparse.ArgumentParser()
p.add_argument("--lib", required=True)
p.add_argument("--T", type=int, default=100)
p.add_argument("--B", type=int, default=16)
p.add_argument("--nin", type=int, default=512)
p.add_argument("--nout", type=int, default=512)
p.add_argument("--rate", type=float, default=0.1)
p.add_argument("--reps", type=int, default=5)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
x = (torch.rand(a.T, a.B, a.nin) < a.rate).float()
lin = torch.nn.Linear(a.nin, a.nout, bias=False)
torch.nn.init.uniform_(lin.weight, -1.0 / a.nin ** 0.5 * 4, 1.0 / a.nin ** 0.5 * 4)

if a.lib == "snntorch":
    import snntorch as snn
    from snntorch import surrogate
    lif = snn.Leaky(beta=0.9, threshold=1.0, spike_grad=surrogate.atan(), reset_mechanism="zero")
    def run():
        mem = lif.init_leaky()
        out = []
        cur = lin(x)  # [T,B,nout], matmul for all steps at once
        for t in range(a.T):
            s, mem = lif(cur[t], mem)
            out.append(s)
        return torch.stack(out)
elif a.lib == "norse":
    import norse.torch as nt
    # Norse's LIF is current-based (it has a synaptic current); used with its defaults as Norse users do.
    lif = nt.LIF(p=nt.LIFParameters(tau_mem_inv=torch.tensor(100.0), v_th=torch.tensor(1.0), v_reset=torch.tensor(0.0), method="super"))
    def run():
        cur = lin(x)
        s, _ = lif(cur)
        return s
elif a.lib.startswith("spikingjelly"):
    from spikingjelly.activation_based import neuron, surrogate
    backend = "torch"
    lif = neuron.LIFNode(tau=10.0, decay_input=False, v_threshold=1.0, v_reset=0.0,
                         surrogate_function=surrogate.ATan(), step_mode="m")
    def run():
        lif.reset()
        cur = lin(x)
        return lif(cur)
else:
    raise SystemExit("unknown lib")

times = []
for r in range(a.reps + 1):
    t0 = time.perf_counter()
    with torch.no_grad():
        out = run()
    dt = time.perf_counter() - t0
    if r > 0:
        times.append(dt)
print(f"{a.lib} forward-only T={a.T} B={a.B} nin={a.nin} nout={a.nout} median_s={statistics.median(times):.5f} min_s={min(times):.5f} spikes={int(out.sum().item())}")
