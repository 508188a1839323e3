// Thin wrappers over the system zlib (deflate filter of HDF5); zlib's macros (inflateInit) stay on the C side.
#include "spike_zlib.h"
#include <zlib.h>
#include <limits.h>

int spike_inflate(const unsigned char *src, size_t srcLen, unsigned char *dst, size_t dstCap, size_t *produced) {
    z_stream s = {0};
    *produced = 0;
    if (srcLen > UINT_MAX || dstCap > UINT_MAX) return -1;
    if (inflateInit(&s) != Z_OK) return -1;
    s.next_in = (Bytef *)src;
    s.avail_in = (uInt)srcLen;
    s.next_out = dst;
    s.avail_out = (uInt)dstCap;
    int rc = inflate(&s, Z_FINISH);
    *produced = dstCap - s.avail_out;
    inflateEnd(&s);
    if (rc == Z_STREAM_END) return 0;
    if ((rc == Z_BUF_ERROR || rc == Z_OK) && s.avail_out == 0) return 1;
    return -1;
}

size_t spike_deflate_bound(size_t srcLen) { return compressBound((uLong)srcLen); }

size_t spike_deflate(const unsigned char *src, size_t srcLen, unsigned char *dst, size_t dstCap, int level) {
    uLongf out = (uLongf)dstCap;
    if (compress2(dst, &out, src, (uLong)srcLen, level) != Z_OK) return 0;
    return (size_t)out;
}
