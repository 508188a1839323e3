extension NeuronRegistry {
    /// The Other models of the zoo.
    static let otherEntries: [NeuronEntry] = []
}
