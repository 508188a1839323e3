#ifndef SPIKE_ZLIB_H
#define SPIKE_ZLIB_H

#include <stddef.h>

/// Inflates the zlib stream `src[0..<srcLen]` into `dst[0..<dstCap]`; `*produced` receives the bytes written.
/// Returns 0 when the stream ended and fit, 1 when `dst` is full before the end (retry with more room),
/// -1 when the stream is corrupt or truncated.
int spike_inflate(const unsigned char *src, size_t srcLen, unsigned char *dst, size_t dstCap, size_t *produced);

/// The most bytes `spike_deflate` can produce for `srcLen` input bytes.
size_t spike_deflate_bound(size_t srcLen);

/// Deflates `src[0..<srcLen]` as a zlib stream at `level` (0-9) into `dst[0..<dstCap]`;
/// returns the compressed size, or 0 on failure.
size_t spike_deflate(const unsigned char *src, size_t srcLen, unsigned char *dst, size_t dstCap, int level);

#endif
