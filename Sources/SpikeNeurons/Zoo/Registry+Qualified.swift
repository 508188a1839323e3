extension NeuronRegistry {
    /// The family-qualified id of every short id: `family.name`, where the family is the reference whose code the
    /// model follows exactly (spikingjelly, norse, snntorch, spaic, arcana, hxtorch, brian2) and `spikekit` where
    /// SpikeKit's model is its own form (e.g. aeif and hh in capacitance/conductance form with SPAIC's defaults;
    /// the discrete LI readout; resonate-and-fire). The name after the dot is that family's own name for the model
    /// (SPAIC's registry keys, Norse's module names, snnTorch's and SpikingJelly's class names in lower case).
    ///
    /// Short ids stay as documented aliases, so `lif` remains SpikingJelly's LIFNode; a SPAIC script's `lif` is
    /// `spaic.lif`, its `diehlandcook` is `spaic.diehlandcook` (our `lif_int`) and its `lifstdp_ex` is
    /// `spaic.lifstdp_ex` (our `diehl_cook`). Models added under a qualified id (`spaic.ifb`, ...) have no short id.
    public static let qualifiedIDs: [String: String] = [
        "if": "spikingjelly.if", "lif": "spikingjelly.lif", "plif": "spikingjelly.plif", "qif": "spikingjelly.qif",
        "eif": "spikingjelly.eif", "izhikevich": "spikingjelly.izhikevich",
        "li_discrete": "spikekit.li_discrete",
        "cuba_lif": "norse.lif", "lif_box": "norse.lif_box", "li": "norse.li", "adex": "norse.lif_adex",
        "lsnn": "norse.lsnn", "lif_refrac": "norse.lif_refrac", "izhikevich2003": "norse.izhikevich",
        "leaky": "snntorch.leaky", "synaptic": "snntorch.synaptic", "alpha": "snntorch.alpha",
        "clif": "spaic.clif", "aclif": "spaic.aclif", "diehl_cook": "spaic.lifstdp_ex", "lif_int": "spaic.diehlandcook",
        "glif": "spaic.glif",
        "aeif": "spikekit.aeif", "hh": "spikekit.hh", "rf": "spikekit.rf",
        "dpi": "arcana.dpi",
        "bss2_lif": "hxtorch.lif", "bss2_iaf": "hxtorch.iaf", "bss2_aelif": "hxtorch.aelif",
        "va_cuba": "brian2.va_cuba", "va_coba": "brian2.va_coba", "lif_delta": "brian2.lif_delta",
    ]

    /// Further names of a family for the same model (SPAIC registers `aEIFModel` as both "aeif" and "adex").
    public static let familyAliases: [String: String] = ["spaic.adex": "spaic.aeif"]

    /// The family-qualified id of `id` (itself when it is already qualified or has no entry in `qualifiedIDs`).
    public static func qualifiedID(of id: String) -> String { qualifiedIDs[id] ?? id }

    /// The short (canonical) id of `id`: the registry id of the model a qualified alias names, else `id` itself.
    public static func canonicalID(_ id: String) -> String {
        if entries.contains(where: { $0.id == id }) { return id }
        if let target = familyAliases[id] { return canonicalID(target) }
        return qualifiedIDs.first(where: { $0.value == id })?.key ?? id
    }

    /// Every name of the registry model `id`: the id, its qualified id and the family's further names
    /// (`spike neuron --list` prints them joined by " | ").
    public static func names(of id: String) -> [String] {
        let q = qualifiedID(of: id)
        var out = q == id ? [id] : [id, q]
        out += familyAliases.filter { out.contains($0.value) }.keys.sorted()
        return out
    }

    /// Every id `spike neuron` and network files accept: the registry ids and the qualified aliases.
    public static var allIDs: [String] {
        entries.flatMap { e in qualifiedIDs[e.id].map { [e.id, $0] } ?? [e.id] } + familyAliases.keys.sorted()
    }
}
