"""Expected state_dict keys and shapes of the reference architectures (SpikeNN's `Architectures`).

Run: python3 make_fixtures.py (torch 2.x, spikingjelly 0.0.0.0.14 or 2.0, snntorch). Writes <name>.json:
{"source": ..., "state_dict": [[key, shape], ...], "parameter_count": n}.
"""
import json, os
import torch, torch.nn as nn
from spikingjelly.activation_based import neuron, layer, surrogate
from spikingjelly.activation_based.model import parametric_lif_net, spiking_vgg, sew_resnet

HERE = os.path.dirname(os.path.abspath(__file__))


def dump(name, model, source, drop=()):
    """drop: module types whose state-dict entries SpikeKit does not hold (listed under "dropped")."""
    sd = model.state_dict()
    dropped = [k for m_name, m in model.named_modules() if isinstance(m, drop)
               for k in sd if k.startswith(m_name + ".")]
    n = sum(p.numel() for p in model.parameters())
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump({"source": source, "state_dict": [[k, list(v.shape)] for k, v in sd.items() if k not in dropped],
                   "dropped": dropped, "parameter_count": n}, f, indent=0)
    print(name, len(sd), n)


# snnTorch tutorial 7 CSNN (N-MNIST). snn.Leaky with a fixed beta has no parameters but registers four buffers
# (threshold, graded_spikes_factor, reset_mechanism_val, beta) that SpikeKit's LIF layer does not hold: they are
# listed under "dropped" (load into snnTorch with strict=False); the conv/linear keys are compared.
import snntorch as snn
csnn = nn.Sequential(nn.Conv2d(2, 12, 5), nn.MaxPool2d(2), snn.Leaky(beta=0.5, init_hidden=True),
                     nn.Conv2d(12, 32, 5), nn.MaxPool2d(2), snn.Leaky(beta=0.5, init_hidden=True),
                     nn.Flatten(), nn.Linear(32 * 5 * 5, 10), snn.Leaky(beta=0.5, init_hidden=True, output=True))
dump("csnn", csnn, "snnTorch tutorial 7 (N-MNIST CSNN)", drop=(snn.Leaky,))

# SpikingJelly DVSGestureNet with a parameter-free LIF (LIFNode) and with PLIF (ParametricLIFNode: key 'w').
for ch in (32, 128):
    m = parametric_lif_net.DVSGestureNet(channels=ch, spiking_neuron=neuron.LIFNode, surrogate_function=surrogate.ATan(), detach_reset=True)
    dump(f"dvsgesture_{ch}", m, f"spikingjelly.activation_based.model.parametric_lif_net.DVSGestureNet(channels={ch}, LIFNode)")
m = parametric_lif_net.DVSGestureNet(channels=32, spiking_neuron=neuron.ParametricLIFNode, surrogate_function=surrogate.ATan(), detach_reset=True)
dump("dvsgesture_32_plif", m, "DVSGestureNet(channels=32, ParametricLIFNode)")

# Spiking VGG-11 (with and without BN) and SEW-ResNet-18 (ADD), SpikingJelly's model zoo, 1000 classes default.
dump("vgg11", spiking_vgg.spiking_vgg11(spiking_neuron=neuron.IFNode), "spikingjelly spiking_vgg11(IFNode)")
dump("vgg11_bn", spiking_vgg.spiking_vgg11_bn(spiking_neuron=neuron.IFNode), "spikingjelly spiking_vgg11_bn(IFNode)")
dump("sew_resnet18", sew_resnet.sew_resnet18(spiking_neuron=neuron.IFNode, cnf="ADD"), "spikingjelly sew_resnet18(IFNode, cnf=ADD)")
dump("sew_resnet18_k11", sew_resnet.sew_resnet18(spiking_neuron=neuron.IFNode, cnf="ADD", num_classes=11),
     "spikingjelly sew_resnet18(IFNode, cnf=ADD, num_classes=11)")

# SHD recurrent network (Zenke & Vogels 2021 / Cramer et al. 2020): 700 -> 256 recurrent LIF -> 20 LI readout.
# Written as torch modules with SpikeKit's names: 0 = Linear(700, 256, bias=False) (feed-forward weights),
# 1 = recurrent weights [256, 256] ('1.recurrent.weight'), 2 = Linear(256, 20, bias=False), 3 = LI readout.
class Rec(nn.Module):
    def __init__(s, n):
        super().__init__(); s.recurrent = nn.Linear(n, n, bias=False)
shd = nn.Sequential(nn.Linear(700, 256, bias=False), Rec(256), nn.Linear(256, 20, bias=False), nn.Identity())
dump("shd_rnn", shd, "Zenke & Vogels 2021 SHD RNN (700-256r-20, no biases), SpikeKit names")

# Small spiking VGG-11 (BN) with the same keys: AdaptiveAvgPool2d(1) and a 64-wide classifier, 10 classes
# (SpikeNN's `vgg11(classes: 10, batchNorm: true, poolSize: 1, hidden: 64)`).
small = spiking_vgg.spiking_vgg11_bn(spiking_neuron=neuron.IFNode, num_classes=10)
small.avgpool = layer.AdaptiveAvgPool2d((1, 1))
small.classifier = nn.Sequential(layer.Linear(512, 64), neuron.IFNode(), layer.Dropout(), layer.Linear(64, 64),
                                 neuron.IFNode(), layer.Dropout(), layer.Linear(64, 10))
dump("vgg11_bn_small", small, "spiking_vgg11_bn(num_classes=10) with avgpool 1x1 and classifier 512-64-64-10")
