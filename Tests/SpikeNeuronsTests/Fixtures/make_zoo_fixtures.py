"""Reference traces for the zoo fixes of issue 16 (run from this folder: python make_zoo_fixtures.py).

Writes, in the layout of ../../../../shared/reference/README.md (case.json, input/spikes/state/weights/grad_input .npy,
float32 [T, N]):
- spikingjelly_izhikevich_detach_0: SpikingJelly 2.0 IzhikevichNode with detach_reset=True, a hard v_reset != 0 and
  a, b != 0 (SpikingJelly's code detaches the whole voltage reset, including S * v_reset; w's jump b * S keeps its
  gradient).
- norse_izhikevich2003_0 / _1: Norse 1.1.0 izhikevich_feed_forward_step (tonic_spiking and a chaotic drive of
  `resonator`) with the default method 'super' (SuperSpike; alpha ignored by Norse 1.1.0).
"""
import json, os
import numpy as np
import torch

torch.manual_seed(16)
np.random.seed(16)


def save(name, model, params, reference, states, x, spikes, traces, w, g, notes, dt=None):
    os.makedirs(name, exist_ok=True)
    case = {"model": model, "params": params, "reference": reference, "states": states,
            "loss": "L = sum(weights * spikes); grad_input = dL/d input", "T": x.shape[0], "N": x.shape[1], "notes": notes}
    if dt is not None:
        case["dt"] = dt
    with open(os.path.join(name, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    np.save(os.path.join(name, "input.npy"), x.detach().numpy().astype(np.float32))
    np.save(os.path.join(name, "spikes.npy"), spikes.detach().numpy().astype(np.float32))
    for k, v in traces.items():
        np.save(os.path.join(name, f"{k}.npy"), v.detach().numpy().astype(np.float32))
    np.save(os.path.join(name, "weights.npy"), w.numpy().astype(np.float32))
    np.save(os.path.join(name, "grad_input.npy"), g.numpy().astype(np.float32))


def spikingjelly_detach():
    from spikingjelly.activation_based import neuron, surrogate
    T, N = 100, 6
    x = (torch.randn(T, N) * 0.9 + 0.6).requires_grad_(True)
    node = neuron.IzhikevichNode(tau=2.0, v_c=0.8, a0=1.0, v_threshold=1.0, v_reset=-0.3, v_rest=-0.1, w_rest=0.0,
                                 tau_w=2.0, a=0.4, b=0.6, surrogate_function=surrogate.Sigmoid(alpha=4.0),
                                 detach_reset=True, step_mode="s")
    spikes, vs, ws = [], [], []
    for t in range(T):
        spikes.append(node(x[t]))
        vs.append(node.v)
        ws.append(node.w)
    s = torch.stack(spikes)
    w = torch.randn(T, N)
    (s * w).sum().backward()
    params = {"tau": 2.0, "v_c": 0.8, "a0": 1.0, "v_threshold": 1.0, "v_reset": -0.3, "v_rest": -0.1, "w_rest": 0.0,
              "tau_w": 2.0, "a": 0.4, "b": 0.6, "surrogate": "sigmoid", "alpha": 4.0, "detach_reset": True}
    save("spikingjelly_izhikevich_detach_0", "izhikevich", params, "spikingjelly.activation_based.neuron.IzhikevichNode",
         ["v", "w"], x, s, {"v": torch.stack(vs), "w": torch.stack(ws)}, w, x.grad,
         "detach_reset=True: SpikingJelly's code (spikingjelly/_ops/reset.py voltage) detaches the spike in the whole "
         "voltage reset, S * v_reset included; w += b * S keeps the surrogate gradient")


def norse_izhikevich(name, preset, T, N, scale, offset, notes):
    from norse.torch.functional import izhikevich as iz
    beh = getattr(iz, preset)
    p = beh.p
    dt = 0.001
    x = (torch.randn(T, N) * scale + offset).requires_grad_(True)
    s = beh.s
    v, u = s.v.expand(N).clone(), s.u.expand(N).clone()
    state = iz.IzhikevichState(v=v, u=u)
    zs, vs, us = [], [], []
    for t in range(T):
        z, state = iz.izhikevich_feed_forward_step(x[t], state, p, dt)
        zs.append(z); vs.append(state.v); us.append(state.u)
    z = torch.stack(zs)
    w = torch.randn(T, N)
    (z * w).sum().backward()
    params = {"preset": preset, "method": p.method, "alpha": float(p.alpha)}
    save(name, "izhikevich2003", params, "norse.torch.functional.izhikevich.izhikevich_feed_forward_step",
         ["v", "u"], x, z, {"v": torch.stack(vs), "u": torch.stack(us)}, w, x.grad, notes, dt=float(p.tau_inv * dt) )


if __name__ == "__main__":
    spikingjelly_detach()
    norse_izhikevich("norse_izhikevich2003_0", "tonic_spiking", 240, 5, 4.0, 14.0,
                     "Norse preset tonic_spiking, method super (SuperSpike: 1/(|x|+1)^2, alpha unused in Norse 1.1.0)")
    norse_izhikevich("norse_izhikevich2003_1", "resonator", 300, 4, 3.0, 1.0,
                     "Norse preset resonator under a noisy drive; float32, sq * (v * v) as Norse's s.v**2")
