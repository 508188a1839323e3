"""SPAIC 0.6.3 Latency encoder (spaic/Neuron/Encoders.py, torch_coding) on fixed inputs; prints the spike step of
each element (the index of the 1 along time), pasted into Tests/SpikeCodingTests/EncoderSPAICLatencyTests.swift."""
import types
import torch
from spaic.Neuron.Encoders import Latency

x = torch.tensor([[0.0, 0.25, 0.5, 0.75, 1.0], [0.9, 0.8, 0.6, 0.4, 0.03]], dtype=torch.float32) * 3.0
for T, max_scale, cut_off in [(16, None, False), (10, 0.5, False), (16, None, True)]:
    fake = types.SimpleNamespace(time_step=T, max_scale=max_scale, cut_off=cut_off,
                                 _backend=types.SimpleNamespace(data_type=torch.float32))
    s = Latency.torch_coding(fake, x, 'cpu')
    steps = [[int(s[:, b, n].argmax()) if s[:, b, n].sum() > 0 else -1 for n in range(5)] for b in range(2)]
    print(T, max_scale, cut_off, steps)
