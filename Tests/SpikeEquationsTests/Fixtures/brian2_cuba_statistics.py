"""Brian2's examples/CUBA.py (Vogels & Abbott 2005; 4000 neurons, p 0.02, 1 s) over seeds: mean rate and mean CV of
the ISIs, for docs/EQUATIONS.md's comparison with `spike bench cuba --equations`. Writes brian2_cuba_statistics.json.
Run: /work/wt/venv-brian2/bin/python brian2_cuba_statistics.py (numpy target)."""
import json
import numpy as np
from brian2 import *

prefs.codegen.target = "numpy"
rows = []
for seed_value in [1, 2, 3]:
    start_scope()
    seed(seed_value)
    taum = 20*ms; taue = 5*ms; taui = 10*ms; Vt = -50*mV; Vr = -60*mV; El = -49*mV
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    P = NeuronGroup(4000, eqs, threshold='v>Vt', reset='v = Vr', refractory=5*ms, method='exact')
    P.v = 'Vr + rand() * (Vt - Vr)'
    P.ge = 0*mV
    P.gi = 0*mV
    we = (60*0.27/10)*mV
    wi = (-20*4.5/10)*mV
    Ce = Synapses(P, P, on_pre='ge += we')
    Ci = Synapses(P, P, on_pre='gi += wi')
    Ce.connect('i<3200', p=0.02)
    Ci.connect('i>=3200', p=0.02)
    s_mon = SpikeMonitor(P)
    run(1 * second)
    trains = s_mon.spike_trains()
    cvs = []
    for k, t in trains.items():
        isi = np.diff(np.asarray(t / ms))
        if len(isi) >= 2 and isi.mean() > 0:
            cvs.append(isi.std() / isi.mean())
    rows.append({"seed": seed_value, "spikes": int(s_mon.num_spikes), "rate_hz": s_mon.num_spikes / 4000 / 1.0,
                 "mean_cv": float(np.mean(cvs))})
    print(rows[-1], flush=True)
with open("brian2_cuba_statistics.json", "w") as f:
    json.dump(rows, f, indent=1)
