extension NeuronRegistry {
    /// The HXTorch models of the zoo.
    static let hxtorchEntries: [NeuronEntry] = []
}
