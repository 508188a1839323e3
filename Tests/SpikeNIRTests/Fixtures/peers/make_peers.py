"""NIR files exported by snnTorch (1.0.0) and SpikingJelly (2.0.0), with each framework's own output on a
fixed input. For each <name>.nir: <name>/x.npy (float32 [T, B, ...]) and <name>/peer.npy (the
framework's output of the last layer, float32 [T, B, ...]) and <name>/dt.txt (the dt the exporter assumed,
seconds). Run: python3 make_peers.py (from this folder). Versions are printed and recorded in versions.txt.
"""
import os
import numpy as np
import torch
import nir

HERE = os.path.dirname(os.path.abspath(__file__))
T, B = 20, 3
torch.manual_seed(0)
# snnTorch's exporter needs per-neuron beta/threshold tensors: with Python scalars it writes shape-[] LIF
# parameters that nir's own type check rejects.


def save(name, graph, x, peer, dt):
    nir.write(os.path.join(HERE, name + ".nir"), graph)
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(d, "peer.npy"), peer.detach().numpy().astype(np.float32))
    with open(os.path.join(d, "dt.txt"), "w") as f:
        f.write(repr(dt) + "\n")


def snntorch_files():
    import snntorch as snn
    from snntorch.export_nir import export_to_nir

    def run(net, x):
        for m in net.modules():
            if hasattr(m, "reset_hidden"):
                m.reset_hidden()
        outs = []
        for t in range(x.shape[0]):
            outs.append(net(x[t]))
        return torch.stack(outs)

    x = (torch.rand(T, B, 4) < 0.4).float()
    for name, reset in [("snntorch_leaky", "zero"), ("snntorch_leaky_subtract", "subtract")]:
        torch.manual_seed(1)
        net = torch.nn.Sequential(torch.nn.Linear(4, 6), snn.Leaky(beta=torch.full((6,), 0.8), threshold=torch.full((6,), 0.5), init_hidden=True, reset_mechanism=reset),
                                  torch.nn.Linear(6, 3), snn.Leaky(beta=torch.full((3,), 0.9), threshold=torch.full((3,), 0.3), init_hidden=True, reset_mechanism=reset))
        with torch.no_grad():
            net[0].weight.mul_(3)
            peer = run(net, x)
            g = export_to_nir(net, x[0], ignore_dims=[0])
        save(name, g, x, peer, 1e-4)

    torch.manual_seed(2)
    net = torch.nn.Sequential(torch.nn.Linear(4, 5), snn.Synaptic(alpha=torch.full((5,), 0.6), beta=torch.full((5,), 0.8), threshold=torch.full((5,), 0.5), init_hidden=True, reset_mechanism="zero"))
    with torch.no_grad():
        net[0].weight.mul_(2)
        peer = run(net, x)
        g = export_to_nir(net, x[0], ignore_dims=[0])
    save("snntorch_synaptic", g, x, peer, 1e-4)

    torch.manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(4, 5),
                              snn.RLeaky(beta=torch.full((5,), 0.85), threshold=torch.full((5,), 0.5), linear_features=5, all_to_all=True, init_hidden=True, reset_mechanism="zero"))
    with torch.no_grad():
        net[0].weight.mul_(2)
        net[1].recurrent.bias.fill_(0.2)
        peer = run(net, x)
        g = export_to_nir(net, x[0], ignore_dims=[0])
    save("snntorch_rleaky", g, x, peer, 1e-4)


def spikingjelly_files():
    from spikingjelly.activation_based import neuron, layer, functional
    from spikingjelly.activation_based.nir_exchange.to_nir import export_to_nir

    torch.manual_seed(4)
    x = (torch.rand(T, B, 4) < 0.4).float()
    net = torch.nn.Sequential(layer.Linear(4, 6, step_mode="m"),
                              neuron.LIFNode(tau=2.0, decay_input=True, v_threshold=0.6, step_mode="m"),
                              layer.Linear(6, 3, step_mode="m"),
                              neuron.LIFNode(tau=3.0, decay_input=False, v_threshold=0.4, step_mode="m"))
    with torch.no_grad():
        net[0].weight.mul_(3)
        functional.reset_net(net)
        peer = net(x)
        functional.reset_net(net)
        g = export_to_nir(net, x, dt=1e-3)
    save("spikingjelly_lif", g, x, peer, 1e-3)

    torch.manual_seed(5)
    xc = (torch.rand(T, B, 2, 6, 6) < 0.3).float()
    net = torch.nn.Sequential(layer.Conv2d(2, 3, 3, padding=1, step_mode="m"),
                              neuron.IFNode(v_threshold=0.3, step_mode="m"),
                              layer.AvgPool2d(2, step_mode="m"),
                              layer.Flatten(step_mode="m"),
                              layer.Linear(27, 2, step_mode="m"),
                              neuron.LIFNode(tau=2.0, v_threshold=0.2, step_mode="m"))
    with torch.no_grad():
        net[0].weight.mul_(4)
        net[4].weight.mul_(4)
        functional.reset_net(net)
        peer = net(xc)
        functional.reset_net(net)
        g = export_to_nir(net, xc, dt=1e-3)
    save("spikingjelly_conv", g, xc, peer, 1e-3)


if __name__ == "__main__":
    import snntorch, spikingjelly, importlib.metadata as md
    snntorch_files()
    spikingjelly_files()
    v = f"nir {md.version('nir')}, snntorch {md.version('snntorch')}, spikingjelly {md.version('spikingjelly')}, torch {torch.__version__}\n"
    open(os.path.join(HERE, "versions.txt"), "w").write(v)
    print(v)
