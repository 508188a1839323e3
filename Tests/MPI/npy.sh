# Helpers of Tests/MPI/run.sh: small .npy data sets written with bash alone (CI may have no Python).
# npy DESCR SHAPE OUT DATAFILE: a .npy file (version 1.0) with the raw little-endian data of DATAFILE.
npy() {
    local h="{'descr': '$1', 'fortran_order': False, 'shape': ($2), }"
    local total=$((10 + ${#h} + 1)); local pad=$(( (64 - total % 64) % 64 ))
    h="$h$(printf '%*s' $pad '')"; local len=$(( ${#h} + 1 ))
    { printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"; printf '%s\n' "$h"; cat "$4"; } > "$3"
}
# data DIR N: N samples of 5 steps x 4 features (zeros) and labels 0, 1, 0, 1, ...
data() {
    head -c $(( $2 * 5 * 4 * 4 )) /dev/zero > "$1/x.raw"
    : > "$1/y.raw"
    for i in $(seq 1 $2); do if [ $((i % 2)) = 0 ]; then printf '\x01\x00\x00\x00\x00\x00\x00\x00'; else printf '\x00\x00\x00\x00\x00\x00\x00\x00'; fi >> "$1/y.raw"; done
    npy '<f4' "$2, 5, 4" "$1/x.npy" "$1/x.raw"
    npy '<i8' "$2," "$1/y.npy" "$1/y.raw"
    rm "$1/x.raw" "$1/y.raw"
}
