"""Loads a SpikeKit checkpoint of `spike train --arch csnn` into the equivalent PyTorch models with
load_state_dict, and (with --write-init) writes a plain PyTorch state_dict with safetensors for
`spike train --init-weights` (the fixture Tests/SpikeCLITests/Fixtures/torch_csnn_init.safetensors).

    python3 Benchmarks/csnn_checkpoint_torch.py CKPT.safetensors
    python3 Benchmarks/csnn_checkpoint_torch.py --write-init Tests/SpikeCLITests/Fixtures/torch_csnn_init.safetensors
    python3 Benchmarks/csnn_checkpoint_torch.py --bn CKPT.safetensors   # the BatchNorm model file of docs/CONV.md

Needs torch, safetensors, spikingjelly and snntorch (pip). The csnn is snnTorch tutorial 7's network as
../shared/bench/peers/conv_train_step.py builds it; the SpikingJelly form wraps the stateless layers in
SeqToANNContainer at the same indices, so the keys are `0.module.weight`, ... there (renamed on loading).
"""
import sys
import torch, torch.nn as nn
from safetensors.torch import load_file, save_file


def plain_csnn():
    # Indices 2, 5, 8 are the spiking layers; nn.Identity stands in for them (no state_dict entries), as
    # SpikingJelly's LIFNode with its defaults (no learnable parameters) has none either.
    return nn.Sequential(nn.Conv2d(2, 12, 5), nn.MaxPool2d(2), nn.Identity(), nn.Conv2d(12, 32, 5), nn.MaxPool2d(2),
                         nn.Identity(), nn.Flatten(), nn.Linear(32 * 5 * 5, 10), nn.Identity())


def spikingjelly_csnn():
    from spikingjelly.activation_based import layer, neuron
    return nn.Sequential(nn.Conv2d(2, 12, 5), nn.MaxPool2d(2), neuron.LIFNode(step_mode="m"), nn.Conv2d(12, 32, 5),
                         nn.MaxPool2d(2), neuron.LIFNode(step_mode="m"), nn.Flatten(), nn.Linear(32 * 5 * 5, 10),
                         neuron.LIFNode(step_mode="m"))


def snntorch_csnn():
    import snntorch as snn
    return nn.Sequential(nn.Conv2d(2, 12, 5), nn.MaxPool2d(2), snn.Leaky(beta=0.5, init_hidden=True), nn.Conv2d(12, 32, 5),
                         nn.MaxPool2d(2), snn.Leaky(beta=0.5, init_hidden=True), nn.Flatten(), nn.Linear(32 * 5 * 5, 10),
                         snn.Leaky(beta=0.5, init_hidden=True, output=True))


def check(path):
    sd = load_file(path)
    print(f"{path}: {len(sd)} tensors: " + ", ".join(f"{k} {tuple(v.shape)}" for k, v in sd.items()))
    for name, make, strict in [("torch.nn.Sequential", plain_csnn, True), ("SpikingJelly (LIFNode)", spikingjelly_csnn, True),
                               ("snnTorch (Leaky)", snntorch_csnn, False)]:
        m = make()
        r = m.load_state_dict(sd, strict=strict)
        same = all(torch.equal(m.state_dict()[k], v) for k, v in sd.items())
        print(f"{name}: load_state_dict(strict={strict}) ok; missing {list(r.missing_keys)}; unexpected {list(r.unexpected_keys)}; "
              f"tensors equal after loading: {same}")
        assert same and not r.unexpected_keys
    # The loaded SpikingJelly model runs on a [T, B, 2, 34, 34] input.
    from spikingjelly.activation_based import functional
    m = spikingjelly_csnn(); m.load_state_dict(sd)
    functional.set_step_mode(m, "m")
    x = (torch.rand(5, 3, 2, 34, 34) < 0.1).float()
    from spikingjelly.activation_based import layer
    seq = nn.Sequential(*[layer.SeqToANNContainer(c) if not hasattr(c, "step_mode") else c for c in m])
    print("SpikingJelly forward on [5, 3, 2, 34, 34]:", tuple(seq(x).shape))


def write_init(path):
    torch.manual_seed(7)
    m = plain_csnn()
    sd = m.state_dict()
    # A plain state_dict as PyTorch writes it, plus one key the network lacks and one of the wrong shape,
    # less one key, so the report shows every case.
    sd = {k: v.contiguous() for k, v in sd.items()}
    sd["7.bias"] = torch.zeros(11)            # shape mismatch (the network's is [10])
    del sd["3.bias"]                          # missing
    sd["classifier.weight"] = torch.ones(2, 2)  # unexpected
    save_file(sd, path)
    print(f"wrote {path}: " + ", ".join(f"{k} {tuple(v.shape)}" for k, v in sd.items()))


def check_bn(path):
    """The model file conv2d(2->4, k5, s2) batchnorm2d(4) lif maxpool2d(3) flatten linear(100->10) lif: BatchNorm's
    running statistics and num_batches_tracked (stored F32; torch's buffer is int64) load with strict=True."""
    sd = load_file(path)
    m = nn.Sequential(nn.Conv2d(2, 4, 5, stride=2), nn.BatchNorm2d(4), nn.Identity(), nn.MaxPool2d(3), nn.Flatten(),
                      nn.Linear(100, 10), nn.Identity())
    r = m.load_state_dict(sd, strict=True)
    bn = m[1]
    print(f"{path}: keys {list(sd)}")
    print(f"BatchNorm2d: load_state_dict(strict=True) ok ({r}); running_mean {bn.running_mean.tolist()}; "
          f"num_batches_tracked {bn.num_batches_tracked.item()} ({bn.num_batches_tracked.dtype}); "
          f"equal: {all(torch.equal(m.state_dict()[k].float(), v.float()) for k, v in sd.items())}")


if __name__ == "__main__":
    if sys.argv[1] == "--bn":
        check_bn(sys.argv[2])
    elif sys.argv[1] == "--write-init":
        write_init(sys.argv[2])
    else:
        check(sys.argv[1])
