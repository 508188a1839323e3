import SpikeCLI

// Errors are one line (SpikeCLI's ErrorLine); argument-parser's own main would add usage lines.
SpikeCommand.runAndExit()
