import SpikeCLI

// Errors are one line (SpikeCLI's ErrorLine); argument-parser's own main would add usage lines. Under mpirun, the
// ranks start MPI first (docs/DISTRIBUTED.md); a build without MPI under mpirun refuses.
SpikeCommand.runDistributedAndExit()
