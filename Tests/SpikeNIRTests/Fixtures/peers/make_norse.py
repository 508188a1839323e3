"""NIR files exported by Norse 1.1.0 (norse.torch.to_nir), with Norse's own output on a fixed input; the same
layout as make_peers.py (<name>.nir, <name>/x.npy, <name>/peer.npy, <name>/dt.txt).
Norse is used from its source distribution (pip download --no-deps norse; tar xzf; PYTHONPATH=norse-1.1.0),
which needs only torch, nir and nirtorch. Run: PYTHONPATH=/path/to/norse-1.1.0 python3 make_norse.py
"""
import os
import numpy as np
import torch
import nir
import norse.torch as norse

# Per-neuron parameter tensors: with scalars, nir.write fails (h5py: scalar datasets take no filter options).
HERE = os.path.dirname(os.path.abspath(__file__))
T, B, DT = 20, 3, 1e-3


def save(name, graph, x, peer):
    nir.write(os.path.join(HERE, name + ".nir"), graph)
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(d, "peer.npy"), peer.detach().numpy().astype(np.float32))
    with open(os.path.join(d, "dt.txt"), "w") as f:
        f.write(repr(DT) + "\n")


def run(net, x):
    state, outs = None, []
    for t in range(x.shape[0]):
        y, state = net(x[t], state)
        outs.append(y)
    return torch.stack(outs)


torch.manual_seed(6)
x = (torch.rand(T, B, 4) < 0.4).float()
for name, cell in [("norse_lifbox", norse.LIFBoxCell(norse.LIFBoxParameters(tau_mem_inv=torch.full((5,), 100.0), v_th=torch.full((5,), 0.5), v_leak=torch.zeros(5), v_reset=torch.zeros(5)), dt=DT)),
                   ("norse_lif", norse.LIFCell(norse.LIFParameters(tau_syn_inv=torch.full((5,), 200.0), tau_mem_inv=torch.full((5,), 100.0), v_th=torch.full((5,), 0.3), v_leak=torch.zeros(5), v_reset=torch.zeros(5)), dt=DT))]:
    torch.manual_seed(7)
    net = norse.SequentialState(torch.nn.Linear(4, 5), cell)
    with torch.no_grad():
        net[0].weight.mul_(40)
        peer = run(net, x)
        # One sample without the batch axis: with x[0] ([B, 4]) the Input node gets shape [B, 4], which nir.read rejects.
        g = norse.to_nir(net, x[0, 0], dt=DT)
    save(name, g, x, peer)

import importlib.metadata as md
print(f"nir {md.version('nir')}, norse 1.1.0 (source), torch {torch.__version__}")
