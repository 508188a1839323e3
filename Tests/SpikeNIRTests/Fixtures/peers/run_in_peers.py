"""By-hand check of SpikeKit's exports: runs a .nir file in snnTorch (import_from_nir) and SpikingJelly
(nir_exchange.from_nir) on X.npy ([T, B, ...] float32) and writes OUT_snntorch.npy and OUT_spikingjelly.npy,
to compare with `spike nir run FILE --input X.npy --output DIR` (DIR/output.npy). Both importers assume
dt = 1e-4 s unless told; pass DT to use another for SpikingJelly (snnTorch's importer has no dt).

    python3 run_in_peers.py FILE.nir X.npy OUT [DT]
"""
import sys
import numpy as np
import torch
import nir

path, xpath, out = sys.argv[1:4]
dt = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
g = nir.read(path)
x = np.load(xpath).astype(np.float32)

from snntorch.import_nir import import_from_nir
net = import_from_nir(g)
ys, state = [], None
with torch.no_grad():
    for t in range(x.shape[0]):
        r = net(torch.tensor(x[t]), state) if state is not None else net(torch.tensor(x[t]))
        y, state = r if isinstance(r, tuple) else (r, None)
        ys.append(y)
np.save(out + "_snntorch.npy", torch.stack(ys).numpy())

from spikingjelly.activation_based.nir_exchange.from_nir import import_from_nir as sj_import
from spikingjelly.activation_based import functional
m = sj_import(g, dt=dt, step_mode="m")
functional.reset_net(m)
with torch.no_grad():
    y = m(torch.tensor(x))
np.save(out + "_spikingjelly.npy", (y[0] if isinstance(y, tuple) else y).numpy())
