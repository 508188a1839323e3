extension NeuronRegistry {
    /// The Norse models of the zoo.
    static let norseEntries: [NeuronEntry] = []
}
