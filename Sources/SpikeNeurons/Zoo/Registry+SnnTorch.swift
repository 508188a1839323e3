extension NeuronRegistry {
    /// The SnnTorch models of the zoo.
    static let snnTorchEntries: [NeuronEntry] = []
}
