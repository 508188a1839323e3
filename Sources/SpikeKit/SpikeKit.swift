/// SpikeKit: build, simulate and train spiking neural networks. This umbrella module re-exports every
/// library module, so `import SpikeKit` is all a user needs.
@_exported import SpikeCore
@_exported import SpikeNeurons
@_exported import SpikeNN
@_exported import SpikeCoding
@_exported import SpikeData
@_exported import SpikeIO
@_exported import SpikeSim
@_exported import SpikeNIR
@_exported import SpikeTraining
@_exported import SpikeDistributed
@_exported import SpikeNetworkFile
@_exported import SpikePlot
@_exported import SpikeEquations
