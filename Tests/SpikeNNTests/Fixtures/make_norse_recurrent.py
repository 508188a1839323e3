"""Norse 1.1.0 LIFAdExRecurrentCell on fixed weights (autapses=False), run from this folder. Writes
norse_lif_adex_recurrent/: input [T, B, I], input_weights [H, I], recurrent_weights [H, H] (diagonal zeroed by
Norse), spikes and v [T, B, H], weights R [T, B, H], grad_input dL/dx for L = sum(R * spikes), all float32."""
import os
import numpy as np
import torch
from norse.torch.module.lif_adex import LIFAdExRecurrentCell
from norse.torch.functional.lif_adex import LIFAdExParameters

torch.manual_seed(7)
T, B, I, H = 30, 2, 3, 4
x = (torch.rand(T, B, I) < 0.4).float().requires_grad_(True)
win = torch.randn(H, I) * 2.0
wrec = torch.randn(H, H) * 1.0
cell = LIFAdExRecurrentCell(I, H, p=LIFAdExParameters(), input_weights=win.clone(), recurrent_weights=wrec.clone(), autapses=False)
cell.recurrent_weights = torch.nn.Parameter(cell.recurrent_weights.detach().clone().fill_diagonal_(0.0))
state = None
zs, vs = [], []
for t in range(T):
    z, state = cell(x[t] * 40.0, state)
    zs.append(z); vs.append(state.v)
z = torch.stack(zs)
R = torch.randn(T, B, H)
(z * R).sum().backward()
d = 'norse_lif_adex_recurrent'
os.makedirs(d, exist_ok=True)
for name, v in [('input', x * 40.0), ('input_weights', win), ('recurrent_weights', cell.recurrent_weights), ('spikes', z),
                ('v', torch.stack(vs)), ('weights', R), ('grad_input', x.grad / 40.0)]:
    np.save(os.path.join(d, name + '.npy'), np.ascontiguousarray(v.detach().numpy().astype(np.float32)))
print('spikes', float(z.sum()))
