import SpikeCLI

SpikeCommand.main()
