"""SPAIC 0.6.3 (pip install spaic) reference traces for the SPAIC models of the zoo (run from this folder).

Each case runs one NeuronGroup in SPAIC's Torch backend (dt 0.1) fed by a 'null' encoder through an identity
connection; the group's own Isyn (monitored) is the input the SpikeKit model receives at each step, so the
connection's one-step delay does not enter. Writes case.json, input.npy (Isyn), the state traces and, for spiking
models, spikes.npy (O), all float32 [T, N]. Forward only: SPAIC trains through its learners, not through these
update ops, so gradients are checked against finite differences in the Swift tests.
"""
import json, os, sys
import numpy as np
import torch
import spaic
from spaic import NeuronGroup

T, N, DT = 60, 4, 0.1


def run(name, model, kw, states, scale, offset, spiking=True, iext=None, seed=0, initial=False):
    rng = np.random.RandomState(seed)
    torch.manual_seed(seed)  # SPAIC's random initial values (Darwin models) come from torch
    x = (rng.randn(1, T + 5, N) * scale + offset).astype(np.float32)

    class Net(spaic.Network):
        def __init__(self):
            super().__init__()
            self.input = spaic.Encoder(num=N, coding_method='null')
            self.layer = NeuronGroup(N, model=model, **kw)
            self.conn = spaic.Connection(self.input, self.layer, link_type='full', weight=np.eye(N, dtype=np.float32))
            self.mons = {k: spaic.StateMonitor(self.layer, k) for k in ['Isyn'] + states + (['O'] if spiking else [])}
            for k, m in self.mons.items():
                setattr(self, 'mon_' + k, m)

    net = Net()
    sim = spaic.Torch_Backend('cpu')
    sim.dt = DT
    net.set_backend(sim)
    v0 = None
    if initial:  # models that draw their initial V at random: record the draw (the Swift test sets it per neuron)
        net.build()
        key = [k for k in sim._variables if k.endswith('{V}')][0]
        v0 = sim._variables[key].detach().numpy().reshape(-1).astype(np.float32)
    net.input(x)
    net.run(T * DT)
    rec = {k: np.ascontiguousarray(np.asarray(m.values)[0].T.astype(np.float32)) for k, m in net.mons.items()}  # [T, N]
    os.makedirs(name, exist_ok=True)
    if v0 is not None:
        np.save(os.path.join(name, 'v0.npy'), v0)
    names = {'V': 'v', 'U': 'u', 'M': 'm', 'S': 's', 'I': 'i', 'E': 'e', 'Vth': 'vth', 'theta[stay]': 'theta', 'm': 'gate_m', 'n': 'gate_n', 'h': 'gate_h'}
    np.save(os.path.join(name, 'input.npy'), rec['Isyn'])
    if spiking:
        np.save(os.path.join(name, 'spikes.npy'), rec['O'])
    for k in states:
        np.save(os.path.join(name, names.get(k, k.lower()) + '.npy'), rec[k])
    case = {"model": "spaic." + model, "params": {k: v for k, v in kw.items()}, "dt": DT,
            "reference": "spaic.Neuron.Neuron." + model, "states": [names.get(k, k.lower()) for k in states],
            "T": T, "N": N, "notes": "SPAIC 0.6.3 Torch backend, forward only; input = the group's Isyn"}
    with open(os.path.join(name, 'case.json'), 'w') as f:
        json.dump(case, f, indent=1)
    print(name, 'spikes' if spiking else '', rec['O'].sum() if spiking else '')


if __name__ == '__main__':
    run('spaic_lif_0', 'lif', {'tau_m': 8.0, 'v_th': 1.0}, ['V'], 0.5, 0.3)
    run('spaic_if_0', 'if', {'v_th': 1.0, 'ConstantDecay': 0.05}, ['V'], 0.4, 0.35)
    run('spaic_ifsoftreset_0', 'ifsoftreset', {'v_th': 1.0, 'ConstantDecay': 0.05}, ['V'], 0.4, 0.35)
    run('spaic_ifb_0', 'ifb', {'v_th': 1.0, 'bias': 0.1}, ['V'], 0.4, 0.25)
    run('spaic_nonspikingifb_0', 'nonspikingifb', {'bias': 0.1}, ['V'], 0.4, 0.0, spiking=False)
    run('spaic_null_0', 'null', {}, [], 0.4, 0.0, spiking=True)
    run('spaic_constantcurrentlif_0', 'constantcurrentlif', {'tau_m': 2.0, 'v_th': 1.0}, ['V'], 0.6, 1.6)
    run('spaic_izh_0', 'izh', {}, ['V', 'U'], 3.0, 60.0)
    run("spaic_meanfield_0", "meanfield", {"rho": 0.1, "tau": 1.0}, ["U"], 3.0, 2.0, spiking=True)
    run('spaic_nonspikinglif_0', 'nonspikinglif', {'tau_p': 4.0, 'tau_q': 1.0, 'tau_m': 1.0}, ['V', 'M', 'S', 'I'], 0.5, 0.2, spiking=False)
    run('spaic_hh_0', 'hh', {}, ['V', 'm', 'n', 'h'], 0.4, 0.6)
    run('spaic_aeif_0', 'aeif', {}, ['V', 'U'], 500.0, 4000.0)
    run('spaic_darwin_clif_0', 'darwin_clif', {}, ['V', 'I'], 400.0, 300.0, initial=True)
    run('spaic_darwin_alif_0', 'darwin_alif', {}, ['V', 'I', 'Vth'], 900.0, 1500.0, initial=True)
    run('spaic_clif_0', 'clif', {'tau_m': 20.0, 'tau_p': 12.0, 'tau_q': 8.0, 'v_th': 1.0}, ['V', 'M', 'S', 'E'], 0.5, 0.4)
    run('spaic_clif2k_0', 'clif2k', {'tau_m': 20.0, 'tau_s': 12.0, 'v_th': 1.0}, ['V', 'M', 'S', 'E'], 0.5, 0.4)
    run('spaic_pclif_0', 'pclif', {'tau_m': 0.9, 'tau_s': 0.6, 'v_th': 1.0}, ['V', 'M', 'S', 'E'], 0.6, 0.9)
    run('spaic_lifstdp_ih_0', 'lifstdp_ih', {}, ['V'], 4.0, 4.0)
    run('spaic_alifstdp_ex_0', 'alifstdp_ex', {}, ['V', 'theta[stay]'], 0.4, 0.35)
    run('spaic_lifint_0', 'lifint', {'thresh': 1.0, 'decay': 0.9, 'v_reset': -0.2, 'reset_refrac': 2}, ['V', 'refrac_count'], 0.4, 0.35)
    # 'plif' (PLIFModel) cannot run in SPAIC 0.6.3: its 'sigmoid' operation is missing from the Torch backend
    # ("No operation None in basic_operate"), so spaic.plif follows its operations without a trace.
    run('spaic_lifm_0', 'lifm', {'tau_m': 10.0, 'tau_p': 1.0, 'v_th': 1.0}, ['V', 'I'], 0.2, 0.05)
