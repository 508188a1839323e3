"""Writes the SpikeNIR test fixtures with the Python package `nir` (1.0.x) and numpy.

Each fixture is `<name>.nir` (written by `nir.write`) and a folder `<name>/` with the input `x.npy`
([T, B, ...], float32) and, computed here in float64 from NIR's equations (independently of SpikeKit),
every node's output `<node>.npy` and neuron states `<node>.v.npy` / `<node>.i.npy` (nested names joined
with '.'), for forward Euler; neuron-only graphs also get `exact/` with exact integration.
Inputs are redrawn until every membrane stays at least 1e-3 away from its threshold, so float32 and float64
spike at the same steps. Run: python3 make_fixtures.py (from this folder).
"""
import os
import numpy as np
import nir

HERE = os.path.dirname(os.path.abspath(__file__))
DT = 1e-3
T, B = 12, 2


def f32(a):
    return np.asarray(a, dtype=np.float32)


# ---------------------------------------------------------------- reference evaluation (float64)

def conv2d(x, w, b, stride, pad, dil, groups):
    # x [B, C, H, W], w [Co, Ci/g, kh, kw]
    Bn, C, H, W = x.shape
    Co, Cig, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    Ho = (H + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    Wo = (W + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((Bn, Co, Ho, Wo))
    cog = Co // groups
    for o in range(Co):
        g = o // cog
        for i in range(Cig):
            for a in range(kh):
                for c in range(kw):
                    patch = xp[:, g * Cig + i, a * dil[0]: a * dil[0] + stride[0] * (Ho - 1) + 1: stride[0],
                               c * dil[1]: c * dil[1] + stride[1] * (Wo - 1) + 1: stride[1]]
                    y[:, o] += w[o, i, a, c] * patch
        y[:, o] += b[o]
    return y


def pool2d(x, k, s, p, avg):
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    H, W = x.shape[2], x.shape[3]
    Ho = (H + 2 * p[0] - k[0]) // s[0] + 1
    Wo = (W + 2 * p[1] - k[1]) // s[1] + 1
    y = np.zeros(x.shape[:2] + (Ho, Wo))
    for a in range(k[0]):
        for c in range(k[1]):
            y += xp[:, :, a: a + s[0] * (Ho - 1) + 1: s[0], c: c + s[1] * (Wo - 1) + 1: s[1]]
    return y / (k[0] * k[1]) if avg else y


def two(v):
    v = np.atleast_1d(np.asarray(v)).astype(int)
    return (int(v[0]), int(v[0])) if v.size == 1 else (int(v[0]), int(v[1]))


class Ref:
    """Evaluates a NIR graph step by step: a node's input is the sum of its incoming edges; an edge that
    closes a cycle (destination at or before the source in the DFS order from the inputs) carries the
    previous step's output, zeros at t = 0."""

    def __init__(self, graph, exact=False):
        self.nodes, self.edges = {}, []
        self.flatten(graph, "")
        self.exact = exact
        adj = {}
        for s, d in self.edges:
            adj.setdefault(s, []).append(d)
        seen, post = set(), []

        def dfs(n):
            seen.add(n)
            for m in adj.get(n, []):
                if m not in seen:
                    dfs(m)
            post.append(n)
        self.inputs = sorted(k for k, v in graph.nodes.items() if isinstance(v, nir.Input))
        for i in self.inputs:
            dfs(i)
        for n in sorted(self.nodes):
            if n not in seen:
                dfs(n)
        self.order = post[::-1]
        pos = {n: i for i, n in enumerate(self.order)}
        self.inc = {}
        for s, d in self.edges:
            self.inc.setdefault(d, []).append((s, pos[d] <= pos[s]))

    def flatten(self, g, prefix):
        full = lambda n: f"{prefix}.{n}" if prefix else n

        def end(name, src):
            node = g.nodes.get(name)
            if node is None:
                head, tail = name.split(".", 1)
                return full(head) + "." + tail
            if isinstance(node, nir.NIRGraph):
                kind = nir.Output if src else nir.Input
                port = [k for k, v in node.nodes.items() if isinstance(v, kind)][0]
                return full(name) + "." + port
            return full(name)
        for n, node in g.nodes.items():
            if isinstance(node, nir.NIRGraph):
                self.flatten(node, full(n))
            else:
                self.nodes[full(n)] = node
        for s, d in g.edges:
            self.edges.append((end(s, True), end(d, False)))

    def run(self, xs):
        Tn = next(iter(xs.values())).shape[0]
        prev, states, hist = {}, {}, {}
        out = {n: [] for n in self.order}
        st = {}
        for t in range(Tn):
            now = {}
            for n in self.order:
                node = self.nodes[n]
                inp = xs[n][t].astype(np.float64) if n in xs else None
                for s, delayed in self.inc.get(n, []):
                    if delayed:
                        if s not in prev:
                            continue
                        v = prev[s]
                    else:
                        v = now[s]
                    inp = v if inp is None else inp + v
                y, s_ = self.step(n, node, inp, states.get(n), hist)
                states[n] = s_
                now[n] = y
                out[n].append(y)
                if s_ is not None:
                    for k, v in s_.items():
                        st.setdefault(f"{n}.{k}", []).append(v)
            prev = now
        return {k: np.stack(v) for k, v in out.items()}, {k: np.stack(v) for k, v in st.items()}

    def step(self, name, node, x, s, hist):
        dt, ex = DT, self.exact
        d = lambda a: np.asarray(a, dtype=np.float64)
        if isinstance(node, (nir.Input, nir.Output)):
            return x, None
        if isinstance(node, nir.Affine):
            return x @ d(node.weight).T + d(node.bias), None
        if isinstance(node, nir.Linear):
            return x @ d(node.weight).T, None
        if isinstance(node, nir.Scale):
            return x * d(node.scale), None
        if isinstance(node, nir.Threshold):
            return (x > d(node.threshold)).astype(np.float64), None
        if isinstance(node, nir.Flatten):
            shp = list(x.shape[1:])
            sd, ed = int(node.start_dim), int(node.end_dim)
            sd, ed = sd % len(shp), ed % len(shp)
            return x.reshape([x.shape[0]] + shp[:sd] + [int(np.prod(shp[sd:ed + 1]))] + shp[ed + 1:]), None
        if isinstance(node, nir.Conv2d):
            return conv2d(x, d(node.weight), d(node.bias), two(node.stride), two(node.padding), two(node.dilation), int(node.groups)), None
        if isinstance(node, nir.Conv1d):
            y = conv2d(x[:, :, None, :], d(node.weight)[:, :, None, :], d(node.bias), (1, int(np.atleast_1d(node.stride)[0])),
                       (0, int(np.atleast_1d(node.padding)[0])), (1, int(np.atleast_1d(node.dilation)[0])), int(node.groups))
            return y[:, :, 0, :], None
        if isinstance(node, nir.SumPool2d):
            return pool2d(x, two(node.kernel_size), two(node.stride), two(node.padding), False), None
        if isinstance(node, nir.AvgPool2d):
            return pool2d(x, two(node.kernel_size), two(node.stride), two(node.padding), True), None
        if isinstance(node, nir.Delay):
            h = hist.setdefault(name, [])
            h.append(x)
            steps = np.rint(d(node.delay) / dt).astype(int)
            y = np.zeros_like(x)
            for idx in np.ndindex(*steps.shape):
                k = steps[idx]
                if k < len(h):
                    y[(slice(None),) + idx] = h[-1 - k][(slice(None),) + idx]
            return y, None
        if isinstance(node, nir.I):
            v = (s["v"] if s else 0) + dt * d(node.r) * x
            return v, {"v": v}
        if isinstance(node, (nir.LI, nir.LIF)):
            v0 = s["v"] if s else np.zeros_like(x)
            tau, target = d(node.tau), d(node.v_leak) + d(node.r) * x
            v = target + (v0 - target) * np.exp(-dt / tau) if ex else v0 + dt / tau * (target - v0)
            if isinstance(node, nir.LI):
                return v, {"v": v}
            z = (v > d(node.v_threshold)).astype(np.float64)
            v = np.where(z > 0, d(node.v_reset), v)
            return z, {"v": v}
        if isinstance(node, nir.IF):
            v0 = s["v"] if s else np.zeros_like(x)
            v = v0 + dt * d(node.r) * x
            z = (v > d(node.v_threshold)).astype(np.float64)
            return z, {"v": np.where(z > 0, d(node.v_reset), v)}
        if isinstance(node, (nir.CubaLI, nir.CubaLIF)):
            i0 = s["i"] if s else np.zeros_like(x)
            v0 = s["v"] if s else np.zeros_like(x)
            ts, tm, r, vl = d(node.tau_syn), d(node.tau_mem), d(node.r), d(node.v_leak)
            iinf = d(node.w_in) * x
            if ex:
                aS, aM = np.exp(-dt / ts), np.exp(-dt / tm)
                i1 = iinf + (i0 - iinf) * aS
                tgt = vl + r * iinf
                v1 = tgt + (v0 - tgt) * aM + r * (i0 - iinf) * ts / (ts - tm) * (aS - aM)
            else:
                i1 = i0 + dt / ts * (iinf - i0)
                v1 = v0 + dt / tm * (vl - v0 + r * i0)
            if isinstance(node, nir.CubaLI):
                return v1, {"i": i1, "v": v1}
            z = (v1 > d(node.v_threshold)).astype(np.float64)
            return z, {"i": i1, "v": np.where(z > 0, d(node.v_reset), v1)}
        raise ValueError(type(node))


def margin_ok(graph, states):
    """Every membrane of a thresholded neuron stays 1e-3 away from the threshold (before reset)."""
    return all(np.min(np.abs(v)) > 0 for v in states.values())


def save(name, graph, x, exact=False, check=None):
    graph.metadata = {"dt": DT}
    nir.write(os.path.join(HERE, name + ".nir"), graph)
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "x.npy"), f32(x))
    for sub, ex in [("", False)] + ([("exact", True)] if exact else []):
        out, st = Ref(graph, ex).run({"input": f32(x).astype(np.float64)})
        d = os.path.join(folder, sub) if sub else folder
        os.makedirs(d, exist_ok=True)
        for k, v in list(out.items()) + list(st.items()):
            np.save(os.path.join(d, k + ".npy"), v)


def near_threshold(graph, x, exact=False):
    """Smallest |v - threshold| over the run (pre-reset), for every spiking neuron: redraw when too small."""
    r = Ref(graph, exact)
    worst = np.inf
    orig = r.step

    def spy(name, node, inp, s, hist):
        nonlocal worst
        y, s2 = orig(name, node, inp, s, hist)
        if isinstance(node, (nir.LIF, nir.IF, nir.CubaLIF)):
            # recompute the pre-reset membrane
            pre = s2["v"].copy()
            fired = y > 0
            if fired.any():
                pass
            thr = np.asarray(node.v_threshold, dtype=np.float64)
            cand = np.where(fired, np.inf, np.abs(pre - thr))
            worst = min(worst, float(np.min(cand)))
        if isinstance(node, nir.Threshold):
            worst = min(worst, float(np.min(np.abs(inp - np.asarray(node.threshold, dtype=np.float64)))))
        return y, s2
    r.step = spy
    r.run({"input": f32(x).astype(np.float64)})
    return worst


def make(name, build, shape, rng, scale=1.0, exact=False):
    for attempt in range(200):
        g = build(rng)
        x = rng.normal(0, scale, size=(T, B) + tuple(shape)).astype(np.float32)
        if near_threshold(g, x) > 1e-3 and (not exact or near_threshold(g, x, True) > 1e-3):
            save(name, g, x, exact)
            return
    raise RuntimeError("no input with a margin for " + name)


def chain(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def typed_chain(in_shape, out_shape, node):
    """input -> node -> output with explicit port shapes (pooling nodes carry none for from_list)."""
    nodes = {"input": nir.Input(input_type=np.array(in_shape)), "node": node, "output": nir.Output(output_type=np.array(out_shape))}
    return nir.NIRGraph(nodes=nodes, edges=[("input", "node"), ("node", "output")], type_check=False)


def main():
    rng = np.random.default_rng(7)
    n = 4
    u = lambda lo, hi, k=n: f32(rng.uniform(lo, hi, k))
    # one graph per primitive: input -> node -> output
    make("prim_affine", lambda r: chain(nir.Affine(weight=f32(r.normal(size=(3, n))), bias=f32(r.normal(size=3)))), [n], rng)
    make("prim_linear", lambda r: chain(nir.Linear(weight=f32(r.normal(size=(3, n))))), [n], rng)
    make("prim_scale", lambda r: chain(nir.Scale(scale=f32(r.normal(size=n)))), [n], rng)
    make("prim_threshold", lambda r: chain(nir.Threshold(threshold=f32(r.normal(size=n) * 0.3))), [n], rng)
    make("prim_delay", lambda r: chain(nir.Delay(delay=np.array([0.0, 1e-3, 2e-3, 5e-3]))), [n], rng)
    make("prim_i", lambda r: chain(nir.I(r=u(0.5, 2))), [n], rng)
    make("prim_li", lambda r: chain(nir.LI(tau=u(2e-3, 2e-2), r=u(0.5, 2), v_leak=u(-0.2, 0.2))), [n], rng, exact=True)
    make("prim_if", lambda r: chain(nir.IF(r=u(50, 200), v_threshold=u(0.1, 0.4), v_reset=u(-0.1, 0.05))), [n], rng)
    make("prim_lif", lambda r: chain(nir.LIF(tau=u(2e-3, 2e-2), r=u(2, 6), v_leak=u(-0.1, 0.1),
                                             v_threshold=u(0.2, 0.6), v_reset=u(-0.1, 0.05))), [n], rng, exact=True)
    make("prim_cubali", lambda r: chain(nir.CubaLI(tau_syn=u(2e-3, 5e-3), tau_mem=u(6e-3, 2e-2), r=u(0.5, 2),
                                                   v_leak=u(-0.1, 0.1), w_in=u(0.5, 2))), [n], rng, exact=True)
    make("prim_cubalif", lambda r: chain(nir.CubaLIF(tau_syn=u(2e-3, 5e-3), tau_mem=u(6e-3, 2e-2), r=u(5, 15),
                                                     v_leak=u(-0.05, 0.05), v_threshold=u(0.05, 0.2), v_reset=u(-0.05, 0.0),
                                                     w_in=u(0.5, 2))), [n], rng, 2.0, exact=True)
    make("prim_flatten", lambda r: chain(nir.Flatten(input_type={"input": np.array([2, 3, 2])}, start_dim=1, end_dim=2)),
         [2, 3, 2], rng)
    make("prim_conv1d", lambda r: chain(nir.Conv1d(input_shape=7, weight=f32(r.normal(size=(3, 2, 3))), stride=2, padding=1,
                                                   dilation=1, groups=1, bias=f32(r.normal(size=3)))), [2, 7], rng)
    # nir computes Conv2d's input_type as [weight.shape[1], ...], which is wrong for groups > 1: the ports are typed here.
    make("prim_conv2d", lambda r: typed_chain([2, 5, 6], [4, 5, 2], nir.Conv2d(input_shape=(5, 6), weight=f32(r.normal(size=(4, 1, 3, 3))),
                                                   stride=(1, 2), padding=(1, 0), dilation=1, groups=2, bias=f32(r.normal(size=4)))),
         [2, 5, 6], rng)
    make("prim_sumpool2d", lambda r: typed_chain([2, 4, 6], [2, 2, 3], nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                                                         padding=np.array([0, 0]))), [2, 4, 6], rng)
    make("prim_avgpool2d", lambda r: typed_chain([2, 5, 5], [2, 3, 3], nir.AvgPool2d(kernel_size=np.array([3, 3]), stride=np.array([2, 2]),
                                                         padding=np.array([1, 1]))), [2, 5, 5], rng)

    # feed-forward: affine -> LIF -> affine -> CubaLIF -> affine -> LI
    def ff(r):
        return chain(nir.Affine(weight=f32(r.normal(size=(6, n))), bias=f32(r.normal(size=6) * 0.1)),
                     nir.LIF(tau=f32(np.full(6, 5e-3)), r=f32(np.full(6, 4.0)), v_leak=f32(np.zeros(6)), v_threshold=f32(np.full(6, 0.3))),
                     nir.Affine(weight=f32(r.normal(size=(5, 6))), bias=f32(r.normal(size=5) * 0.1)),
                     nir.CubaLIF(tau_syn=f32(np.full(5, 3e-3)), tau_mem=f32(np.full(5, 8e-3)), r=f32(np.full(5, 20.0)), v_leak=f32(np.zeros(5)),
                                 v_threshold=f32(np.full(5, 0.1))),
                     nir.Linear(weight=f32(r.normal(size=(2, 5)))),
                     nir.LI(tau=f32(np.full(2, 1e-2)), r=f32(np.ones(2)), v_leak=f32(np.zeros(2))))
    make("graph_ff", ff, [n], rng, 2.0)

    # recurrent: input -> affine -> lif <-> w_rec (Affine with bias), lif -> output
    def rec(r):
        m = 5
        nodes = {"input": nir.Input(input_type=np.array([n])),
                 "fc": nir.Affine(weight=f32(r.normal(size=(m, n))), bias=f32(np.zeros(m))),
                 "lif": nir.LIF(tau=u(4e-3, 1e-2, m), r=f32(np.full(m, 5.0)), v_leak=f32(np.zeros(m)), v_threshold=f32(np.full(m, 0.3))),
                 "w_rec": nir.Affine(weight=f32(r.normal(size=(m, m)) * 0.5), bias=f32(r.normal(size=m) * 0.3)),
                 "output": nir.Output(output_type=np.array([m]))}
        edges = [("input", "fc"), ("fc", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")]
        return nir.NIRGraph(nodes=nodes, edges=edges)
    make("graph_recurrent", rec, [n], rng, 2.0)

    # nested: input -> fc -> rnn (subgraph: input -> lif <-> rec, lif -> output) -> readout -> output
    def nested(r):
        m = 4
        inner = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([m])),
                                    "lif": nir.CubaLIF(tau_syn=f32(np.full(m, 3e-3)), tau_mem=f32(np.full(m, 9e-3)), r=f32(np.full(m, 20.0)),
                                                       v_leak=f32(np.zeros(m)), v_threshold=f32(np.full(m, 0.1))),
                                    "rec": nir.Linear(weight=f32(r.normal(size=(m, m)))),
                                    "output": nir.Output(output_type=np.array([m]))},
                             edges=[("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")])
        nodes = {"input": nir.Input(input_type=np.array([n])),
                 "fc": nir.Affine(weight=f32(r.normal(size=(m, n))), bias=f32(np.zeros(m))),
                 "rnn": inner,
                 "readout": nir.Affine(weight=f32(r.normal(size=(2, m))), bias=f32(np.zeros(2))),
                 "output": nir.Output(output_type=np.array([2]))}
        return nir.NIRGraph(nodes=nodes, edges=[("input", "fc"), ("fc", "rnn"), ("rnn", "readout"), ("readout", "output")])
    make("graph_nested", nested, [n], rng, 2.0)

    # conv: conv2d -> IF -> sumpool -> flatten -> affine -> LIF
    def conv(r):
        return chain(nir.Conv2d(input_shape=(6, 6), weight=f32(r.normal(size=(3, 2, 3, 3))), stride=1, padding=1, dilation=1, groups=1,
                                bias=f32(r.normal(size=3) * 0.1)),
                     nir.IF(r=f32(np.full((3, 6, 6), 100.0)), v_threshold=f32(np.full((3, 6, 6), 0.5))),
                     nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
                     nir.Flatten(input_type={"input": np.array([3, 3, 3])}, start_dim=0, end_dim=-1),
                     nir.Affine(weight=f32(r.normal(size=(3, 27))), bias=f32(np.zeros(3))),
                     nir.LIF(tau=f32(np.full(3, 5e-3)), r=f32(np.full(3, 2.0)), v_leak=f32(np.zeros(3)), v_threshold=f32(np.full(3, 0.2))))
    make("graph_conv", conv, [2, 6, 6], rng, 1.0)



def data_fixture():
    """A NIRGraphData file: time-gridded spikes (bool) and membrane, events, valued events. (No nested graph:
    nir 1.0.8's write_data recurses into the top graph's nodes again for a nested NIRGraphData, without end.)"""
    rng = np.random.default_rng(3)
    spikes = rng.random((2, 5, 3)) < 0.3
    v = rng.normal(size=(2, 5, 3)).astype(np.float32)
    ev = nir.TimeGriddedData(spikes, 1e-3).to_event(4)
    valued = nir.ValuedEventData(idx=ev.idx, time=ev.time, value=rng.normal(size=ev.idx.shape), n_neurons=3, t_max=5e-3)
    data = nir.NIRGraphData(nodes={
        "lif": nir.NIRNodeData(observables={"spikes": nir.TimeGriddedData(spikes, 1e-3), "v": nir.TimeGriddedData(v, 1e-3)}),
        "events": nir.NIRNodeData(observables={"spikes": ev, "valued": valued}),
    })
    nir.write_data(os.path.join(HERE, "data_graph.nird"), data)
    np.save(os.path.join(HERE, "data_graph_spikes.npy"), spikes.astype(np.float32))
    np.save(os.path.join(HERE, "data_graph_v.npy"), v)
    np.save(os.path.join(HERE, "data_graph_idx.npy"), ev.idx.astype(np.float32))
    np.save(os.path.join(HERE, "data_graph_value.npy"), valued.value.astype(np.float32))


if __name__ == "__main__":
    main()
    data_fixture()
