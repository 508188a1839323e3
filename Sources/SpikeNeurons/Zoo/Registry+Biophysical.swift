extension NeuronRegistry {
    /// The biophysical models of the zoo.
    static let biophysicalEntries: [NeuronEntry] = []
}
