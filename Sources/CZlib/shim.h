// zlib (the machine's libz and its headers, as on every machine of this project's kind): deflate streams in
// HDF5 chunks and gzip files (IDX, .npz members).
#include <zlib.h>
