extension NeuronRegistry {
    /// The SpikingJelly models of the zoo.
    static let spikingJellyEntries: [NeuronEntry] = []
}
