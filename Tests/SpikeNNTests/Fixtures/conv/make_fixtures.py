"""Fixtures for SpikeNN's conv, pooling and normalisation layers, computed with PyTorch (CPU, float32).

Each case is a folder of .npy files: the input `x`, the parameters under their state_dict names, the
output `y`, a fixed cotangent `r`, and the gradients of sum(y * r): `grad_x` and `grad_<parameter>`.
BatchNorm cases also store the running statistics after the training passes and an evaluation pass.
Run from this folder: python3 make_fixtures.py (torch 2.x). Seeded; rerunning gives the same files.
"""
import os, shutil
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def save(case, **arrays):
    d = os.path.join(HERE, case)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for k, v in arrays.items():
        a = v.detach().numpy() if isinstance(v, torch.Tensor) else np.asarray(v)
        np.save(os.path.join(d, k + ".npy"), a.astype(np.float32))


def spikes(*shape, rate=0.3):
    return (torch.rand(*shape) < rate).float()


def module_case(case, m, x):
    """Output and gradients of sum(m(x) * r) for a stateless module."""
    x = x.clone().requires_grad_(True)
    y = m(x)
    r = torch.rand_like(y) + 0.5
    (y * r).sum().backward()
    params = {k: v for k, v in m.state_dict().items()}
    grads = {"grad_" + k: p.grad for k, p in m.named_parameters()}
    save(case, x=x, y=y, r=r, grad_x=x.grad, **params, **grads)


with torch.no_grad():
    pass

module_case("conv2d_basic", nn.Conv2d(3, 4, 3), torch.randn(2, 3, 7, 6))
module_case("conv2d_spikes", nn.Conv2d(2, 5, 3, stride=2, padding=1), spikes(2, 2, 9, 8))
module_case("conv2d_groups", nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=2, dilation=2, groups=2), torch.randn(2, 4, 8, 9))
module_case("conv2d_same", nn.Conv2d(3, 4, 4, padding="same", bias=False), spikes(1, 3, 6, 7, rate=0.4))
module_case("conv1d", nn.Conv1d(3, 4, 3, stride=2, padding=1), torch.randn(2, 3, 10))
module_case("convtranspose2d", nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), torch.randn(2, 3, 4, 5))
module_case("convtranspose2d_groups", nn.ConvTranspose2d(4, 6, (2, 3), stride=(2, 1), padding=(0, 1), groups=2, bias=False), spikes(1, 4, 3, 4))
module_case("maxpool2d_spikes", nn.MaxPool2d(2), spikes(2, 3, 6, 6, rate=0.5))
module_case("maxpool2d_pad", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(2, 2, 7, 7))
module_case("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), torch.randn(2, 3, 9))
module_case("avgpool2d", nn.AvgPool2d(3, stride=2, padding=1), torch.randn(2, 2, 7, 6))
module_case("avgpool2d_nopad", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), torch.randn(2, 2, 7, 6))
module_case("avgpool1d", nn.AvgPool1d(2), torch.randn(2, 3, 9))
module_case("adaptiveavgpool2d", nn.AdaptiveAvgPool2d((3, 4)), torch.randn(2, 2, 5, 7))
module_case("upsample_scale", nn.Upsample(scale_factor=2, mode="nearest"), torch.randn(1, 2, 3, 4))
module_case("upsample_size", nn.Upsample(size=(5, 7), mode="nearest"), torch.randn(1, 2, 3, 4))


class SumPool(nn.Module):
    def forward(self, x):
        return F.avg_pool2d(x, 2, 2, divisor_override=1)


module_case("sumpool2d", SumPool(), spikes(2, 2, 6, 5))


def bn_case(case, bn, xs, x_eval):
    """Two training passes (gradients of the second), then an evaluation pass with its gradients."""
    with torch.no_grad():
        if bn.affine:
            bn.weight.uniform_(0.5, 1.5)
            if bn.bias is not None:
                bn.bias.uniform_(-0.5, 0.5)
    init = {k: v.clone() for k, v in bn.state_dict().items()}
    bn.train()
    bn(xs[0])
    x = xs[1].clone().requires_grad_(True)
    y = bn(x)
    r = torch.rand_like(y) + 0.5
    (y * r).sum().backward()
    after = {"after_" + k: v.clone() for k, v in bn.state_dict().items()}
    grads = {"grad_" + k: p.grad.clone() for k, p in bn.named_parameters()}
    bn.zero_grad()
    bn.eval()
    xe = x_eval.clone().requires_grad_(True)
    ye = bn(xe)
    re = torch.rand_like(ye) + 0.5
    (ye * re).sum().backward()
    egrads = {"eval_grad_" + k: p.grad for k, p in bn.named_parameters()}
    save(case, x0=xs[0], x=x, y=y, r=r, grad_x=x.grad, x_eval=xe, y_eval=ye, r_eval=re, eval_grad_x=xe.grad,
         **init, **after, **grads, **egrads)


bn_case("batchnorm2d", nn.BatchNorm2d(3), [torch.randn(4, 3, 5, 4) * 2 + 1, torch.randn(4, 3, 5, 4) * 0.5 - 1], torch.randn(2, 3, 5, 4))
bn_case("batchnorm2d_cma", nn.BatchNorm2d(2, eps=1e-3, momentum=None), [torch.randn(3, 2, 3, 3), spikes(3, 2, 3, 3)], torch.randn(2, 2, 3, 3))
bn_case("batchnorm1d", nn.BatchNorm1d(5, momentum=0.3), [torch.randn(8, 5) + 2, torch.randn(8, 5)], torch.randn(3, 5))
bn_case("batchnorm1d_ncl", nn.BatchNorm1d(3, affine=False), [torch.randn(4, 3, 6), torch.randn(4, 3, 6) * 3], torch.randn(2, 3, 6))

# tdBN (Zheng et al. 2021, SpikingJelly's ThresholdDependentBatchNorm2d): BatchNorm over T*B with weight alpha * v_th.
T, B = 3, 2
alpha, vth = 1.5, 0.5
bn = nn.BatchNorm2d(4)
with torch.no_grad():
    bn.weight.fill_(alpha * vth)
x = torch.randn(T, B, 4, 3, 3).requires_grad_(True)
y = bn(x.flatten(0, 1)).reshape(T, B, 4, 3, 3)
r = torch.rand_like(y) + 0.5
(y * r).sum().backward()
save("tdbn", x=x, y=y, r=r, grad_x=x.grad, grad_weight=bn.weight.grad, grad_bias=bn.bias.grad,
     running_mean=bn.running_mean, running_var=bn.running_var)

# BNTT (Kim & Panda 2021): one BatchNorm2d per step (eps 1e-4, no bias), weights set per step.
bns = [nn.BatchNorm2d(3, eps=1e-4) for _ in range(T)]
for t, b in enumerate(bns):
    b.bias = None
    with torch.no_grad():
        b.weight.uniform_(0.5, 1.5)
x = torch.randn(T, B, 3, 2, 3).requires_grad_(True)
y = torch.stack([bns[t](x[t]) for t in range(T)])
r = torch.rand_like(y) + 0.5
(y * r).sum().backward()
save("bntt", x=x, y=y, r=r, grad_x=x.grad,
     weight=torch.stack([b.weight for b in bns]), grad_weight=torch.stack([b.weight.grad for b in bns]),
     running_mean=torch.stack([b.running_mean for b in bns]), running_var=torch.stack([b.running_var for b in bns]))
print("fixtures written")
