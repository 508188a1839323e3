extension NeuronRegistry {
    /// The Arcana models of the zoo.
    static let arcanaEntries: [NeuronEntry] = []
}
