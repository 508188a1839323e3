#!/usr/bin/env bash
# API documentation of SpikeKit's library modules with the toolchain's DocC, one command:
#
#     scripts/docs.sh                 # -> .build/docs/SpikeKit.doccarchive
#     docc preview ...                # or serve the archive's folder with any static web server
#
# Builds the modules (debug), extracts each module's public symbol graph from the built modules
# (swift symbolgraph-extract: no second build with other flags), converts each into a DocC archive, converts
# the articles of Documentation/SpikeKit.docc, and merges them all into one archive. Needs only the Swift
# toolchain (docc ships with it); no package plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(SpikeCore SpikeNeurons SpikeNN SpikeCoding SpikeData SpikeIO SpikeSim SpikeNIR SpikeTraining SpikeNetworkFile SpikePlot SpikeEquations SpikeDistributed)
swift build --target SpikeKit >&2
bin="$(swift build --show-bin-path)"
triple="$(swift -print-target-info | sed -n 's/.*"triple": "\(.*\)".*/\1/p' | head -1)"
out=.build/docs
rm -rf "$out" && mkdir -p "$out/symbol-graphs"
archives=()
for m in "${modules[@]}"; do
  mkdir -p "$out/symbol-graphs/$m"
  swift symbolgraph-extract -module-name "$m" -I "$bin/Modules" -target "$triple" -minimum-access-level public \
    -Xcc -fmodule-map-file="$bin/SpikeCKernels.build/module.modulemap" -Xcc -ISources/SpikeCKernels/include \
    -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap -output-dir "$out/symbol-graphs/$m"
  docc convert --additional-symbol-graph-dir "$out/symbol-graphs/$m" --fallback-display-name "$m" \
    --fallback-bundle-identifier "org.spikekit.$m" --output-path "$out/$m.doccarchive" >&2
  archives+=("$out/$m.doccarchive")
done
docc convert Documentation/SpikeKit.docc --fallback-display-name SpikeKit --fallback-bundle-identifier org.spikekit \
  --output-path "$out/Articles.doccarchive" >&2
docc merge "${archives[@]}" "$out/Articles.doccarchive" --synthesized-landing-page-name SpikeKit \
  --output-path "$out/SpikeKit.doccarchive" >&2
echo "docs: wrote $out/SpikeKit.doccarchive (${#modules[@]} modules and the articles)"
