extension NeuronRegistry {
    /// The SPAIC models of the zoo.
    static let spaicEntries: [NeuronEntry] = []
}
