"""Brian2 reference values for SpikeEquations' tests (Tests/SpikeEquationsTests/Brian2ReferenceTests.swift).

Runs models of Brian2's own examples, written as the same equation strings the tests compile, and writes
brian2_reference.json. Run: /work/wt/venv-brian2/bin/python brian2_reference.py  (Brian2 2.x, numpy target,
float64). Every run is deterministic (no noise, no random connectivity).

- naud2008: examples/frompapers/Naud_et_al_2008_adex_firing_patterns.py, each pattern 600 ms, euler, dt 0.1 ms:
  spike times (ms).
- izhikevich2003: the equations of examples/frompapers/Izhikevich_2003.py (dt 1 ms there; 0.5 ms here), single
  neurons of the paper's classes (RS, IB, CH, FS, LTS) under constant input I = 10 for 300 ms, euler: spike times,
  in float64 and in float32 (prefs.core.default_float_dtype).
- hh_if_curve: examples/IF_curve_Hodgkin_Huxley.py, 100 neurons, I = 0.7 nA i / 100, exponential_euler, threshold
  and refractory 'v > -40*mV', run 500 ms (the example runs 2 s): spike counts and the rheobase index.
"""
import json
from brian2 import *

prefs.codegen.target = "numpy"
out = {}

naud_patterns = {
    "tonic spiking": {
        "c_m": 200 * pF,
        "g_l": 10 * nS,
        "e_l": -70.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": 2.0 * nS,
        "tau_w": 30.0 * ms,
        "b": 0.0 * pA,
        "v_r": -58.0 * mV,
        "i_stim": 500 * pA,
    },
    "adaptation": {
        "c_m": 200 * pF,
        "g_l": 12 * nS,
        "e_l": -70.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": 2.0 * nS,
        "tau_w": 300.0 * ms,
        "b": 60.0 * pA,
        "v_r": -58.0 * mV,
        "i_stim": 500 * pA,
    },
    "initial burst": {
        "c_m": 130 * pF,
        "g_l": 18 * nS,
        "e_l": -58.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": 4.0 * nS,
        "tau_w": 150.0 * ms,
        "b": 120.0 * pA,
        "v_r": -50.0 * mV,
        "i_stim": 400 * pA,
    },
    "regular bursting": {
        "c_m": 200 * pF,
        "g_l": 10 * nS,
        "e_l": -58.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": 2.0 * nS,
        "tau_w": 120.0 * ms,
        "b": 100.0 * pA,
        "v_r": -46.0 * mV,
        "i_stim": 210 * pA,
    },
    "delayed accelerating": {
        "c_m": 200 * pF,
        "g_l": 12 * nS,
        "e_l": -70.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": -10.0 * nS,
        "tau_w": 300.0 * ms,
        "b": 0.0 * pA,
        "v_r": -58.0 * mV,
        "i_stim": 300 * pA,
    },
    "delayed regular bursting": {
        "c_m": 100 * pF,
        "g_l": 10 * nS,
        "e_l": -65.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": -10.0 * nS,
        "tau_w": 90.0 * ms,
        "b": 30.0 * pA,
        "v_r": -47.0 * mV,
        "i_stim": 110 * pA,
    },
    "transient spiking": {
        "c_m": 100 * pF,
        "g_l": 10 * nS,
        "e_l": -65.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": 10.0 * nS,
        "tau_w": 90.0 * ms,
        "b": 100.0 * pA,
        "v_r": -47.0 * mV,
        "i_stim": 180 * pA,
    },
    "irregular spiking": {
        "c_m": 100 * pF,
        "g_l": 12 * nS,
        "e_l": -60.0 * mV,
        "v_t": -50.0 * mV,
        "d_t": 2.0 * mV,
        "a": -11.0 * nS,
        "tau_w": 130.0 * ms,
        "b": 30.0 * pA,
        "v_r": -48.0 * mV,
        "i_stim": 160 * pA,
    },
}

naud = {}
for name, p in naud_patterns.items():
    start_scope()
    defaultclock.dt = 0.1 * ms
    eqs = """
    dvm/dt = (g_l*(e_l - vm) + g_l*d_t*exp((vm-v_t)/d_t) + i_stim - w)/c_m : volt
    dw/dt  = (a*(vm - e_l) - w)/tau_w : amp
    """
    neuron = NeuronGroup(1, model=eqs, threshold="vm > 0*mV", reset="vm = v_r; w += b", method="euler", namespace=p)
    neuron.vm = p["e_l"]
    neuron.w = 0
    sm = SpikeMonitor(neuron)
    run(0.6 * second)
    naud[name] = {"parameters": {k: [float(v / (v.get_best_unit() if hasattr(v, "get_best_unit") and not is_dimensionless(v) else 1)),
                                     str(v.get_best_unit()) if hasattr(v, "get_best_unit") and not is_dimensionless(v) else "1"]
                                 for k, v in p.items()},
                  "spike_times_ms": [float(t / ms) for t in sm.t]}
out["naud2008"] = naud

izh_types = {"RS": (0.02, 0.2, -65, 8), "IB": (0.02, 0.2, -55, 4), "CH": (0.02, 0.2, -50, 2),
             "FS": (0.1, 0.2, -65, 2), "LTS": (0.02, 0.25, -65, 2)}
izh = {}
for name, (a, b, c, d) in izh_types.items():
  izh[name] = {"a": a, "b": b, "c": c, "d": d}
  for dtype in ["float64", "float32"]:
    # Also in float32 (SpikeEquations' precision): the FS class's phase drifts by steps between the two.
    prefs.core.default_float_dtype = float64 if dtype == "float64" else float32
    start_scope()
    defaultclock.dt = 0.5 * ms
    eqs = """dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms : 1
             du/dt = (a*(b*v - u))/ms  : 1
             I : 1"""
    G = NeuronGroup(1, eqs, threshold="v>=30", reset="v=c; u+=d", method="euler",
                    namespace={"a": a, "b": b, "c": c, "d": d})
    G.v = -65
    G.u = b * -65
    G.I = 10
    sm = SpikeMonitor(G)
    run(300 * ms)
    izh[name]["spike_times_ms" if dtype == "float64" else "spike_times_ms_float32"] = [float(t / ms) for t in sm.t]
prefs.core.default_float_dtype = float64
out["izhikevich2003"] = izh

start_scope()
defaultclock.dt = 0.1 * ms
num_neurons = 100
area = 20000*umetre**2
Cm = 1*ufarad*cm**-2 * area
gl = 5e-5*siemens*cm**-2 * area
El = -65*mV
EK = -90*mV
ENa = 50*mV
g_na = 100*msiemens*cm**-2 * area
g_kd = 30*msiemens*cm**-2 * area
VT = -63*mV
eqs = Equations('''
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
I : amp
''')
group = NeuronGroup(num_neurons, eqs, threshold='v > -40*mV', refractory='v > -40*mV', method='exponential_euler')
group.v = El
group.I = '0.7*nA * i / num_neurons'
mon = SpikeMonitor(group)
run(500 * ms)
counts = [int(c) for c in mon.count]
out["hh_if_curve"] = {"duration_ms": 500, "I_nA": [0.7 * i / num_neurons for i in range(num_neurons)], "counts": counts,
                      "rheobase_index": next(i for i, c in enumerate(counts) if c > 0)}
with open("brian2_reference.json", "w") as f:
    json.dump(out, f, indent=1)
print("rheobase index", out["hh_if_curve"]["rheobase_index"], "naud", {k: len(v["spike_times_ms"]) for k, v in naud.items()},
      "izh", {k: len(v["spike_times_ms"]) for k, v in izh.items()})
