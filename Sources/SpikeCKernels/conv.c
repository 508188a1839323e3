// Convolution and pooling kernels of SpikeCore's Conv (one sample per call; Swift splits the batch into fixed
// chunks of samples, so the bits never depend on the thread count). Two ways to the same sums:
//  - spike-driven ("scatter"): for each nonzero input (ci, y, x) the kernel's slice W[:, ci, ky, kx] is added to
//    every output position it reaches, in channel-last scratch [Ho*Wo, Co]; the weight gradient accumulates
//    only at nonzero inputs, and the input gradient scatters from the nonzero output gradients;
//  - dense: im2col rows [Ho*Wo, K] (K = Ci*kH*kW) and the register-blocked GEMM of kernels.c.
// Each has a portable body; the AVX-512 versions (chosen at run time) add with masked 16-lane vectors.
#include "SpikeCKernels.h"
#include <string.h>
#include <math.h>


#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SK_CONV_X86 1
#define SK_CONV_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))
#endif

// ------------------------------------------------------------------------------------------- vector adds

/// y[0..n) += a * x[0..n)
static inline __attribute__((always_inline)) void axpy_portable(float *y, const float *x, float a, ptrdiff_t n) {
    for (ptrdiff_t j = 0; j < n; j++) y[j] += a * x[j];
}

#ifdef SK_CONV_X86
SK_CONV_AVX512 static inline __attribute__((always_inline)) void axpy_avx512(float *y, const float *x, float a, ptrdiff_t n) {
    __m512 va = _mm512_set1_ps(a);
    ptrdiff_t j = 0;
    for (; j + 16 <= n; j += 16) _mm512_storeu_ps(y + j, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + j), _mm512_loadu_ps(y + j)));
    if (j < n) {
        __mmask16 m = (__mmask16)((1u << (n - j)) - 1);
        _mm512_mask_storeu_ps(y + j, m, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, x + j), _mm512_maskz_loadu_ps(m, y + j)));
    }
}
#endif

// ------------------------------------------------------------------------------------------- bodies

/// The loop both spike-driven products share: for every nonzero input x[c, y, xx] = v (in this order: channel,
/// row, column) and every kernel tap (ky, kx) whose output position (oy, ox) lies inside the output, runs STMT
/// with c, gi (the channel's group), v, ky, kx, oy and ox in scope. Needs ci, h, w, kh, kw, ho, wo, cig, sh1, sw1.
#define CONV_FOR_EACH_ACTIVE_TAP(STMT)                                                                            \
    for (ptrdiff_t c = 0; c < ci; c++) {                                                                          \
        const ptrdiff_t gi = c / cig;                                                                             \
        const float *xc = x + c * h * w;                                                                          \
        for (ptrdiff_t y = 0; y < h; y++) for (ptrdiff_t xx = 0; xx < w; xx++) {                                  \
            const float v = xc[y * w + xx];                                                                       \
            if (v == 0.0f) continue;                                                                              \
            for (ptrdiff_t ky = 0; ky < kh; ky++) {                                                               \
                ptrdiff_t ty = y + g->ph - ky * g->dh;                                                            \
                if (ty < 0 || (sh1 == 0 && ty % g->sh != 0)) continue;                                           \
                ptrdiff_t oy = sh1 ? ty : ty / g->sh;                                                             \
                if (oy >= ho) continue;                                                                           \
                for (ptrdiff_t kx = 0; kx < kw; kx++) {                                                           \
                    ptrdiff_t tx = xx + g->pw - kx * g->dw;                                                       \
                    if (tx < 0 || (sw1 == 0 && tx % g->sw != 0)) continue;                                       \
                    ptrdiff_t ox = sw1 ? tx : tx / g->sw;                                                         \
                    if (ox >= wo) continue;                                                                       \
                    STMT;                                                                                         \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }

/// Spike-driven forward of one sample: scratch [ho*wo, co] = scatter of x [ci, h, w] through wt
/// [ci, kh, kw, co/groups]; then out [co, ho, wo] = scratch^T + bias.
#define CONV_SCATTER_BODY(AXPY)                                                                                   \
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, co = g->co, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo;     \
    const ptrdiff_t cig = ci / g->groups, cog = co / g->groups, p = ho * wo;                                     \
    const int sh1 = g->sh == 1, sw1 = g->sw == 1;   /* stride 1: no division per kernel offset */              \
    memset(scratch, 0, (size_t)(p * co) * sizeof(float));                                                        \
    CONV_FOR_EACH_ACTIVE_TAP(AXPY(scratch + (oy * wo + ox) * co + gi * cog, wt + ((c * kh + ky) * kw + kx) * cog, v, cog))

/// Spike-driven weight gradient of one sample: dwt [ci, kh, kw, co/groups] += x[c, y, x] * gyt[oy, ox, :] at
/// every nonzero input and every output position it reaches (gyt: the output gradient channel-last).
#define CONV_WGRAD_SCATTER_BODY(AXPY)                                                                             \
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, co = g->co, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo;     \
    const ptrdiff_t cig = ci / g->groups, cog = co / g->groups;                                                  \
    const int sh1 = g->sh == 1, sw1 = g->sw == 1;                                                                \
    CONV_FOR_EACH_ACTIVE_TAP(AXPY(dwt + ((c * kh + ky) * kw + kx) * cog, gyt + (oy * wo + ox) * co + gi * cog, v, cog))

/// Input gradient of one sample from the nonzero output gradients: scratch [h*w, ci] += gy[o, oy, ox] *
/// wg[o, ky, kx, :] (wg: W as [co, kh, kw, ci/groups]); then gx [ci, h, w] = scratch^T (written).
#define CONV_IGRAD_SCATTER_BODY(AXPY)                                                                             \
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, co = g->co, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo;     \
    const ptrdiff_t cig = ci / g->groups, cog = co / g->groups;                                                  \
    memset(scratch, 0, (size_t)(h * w * ci) * sizeof(float));                                                    \
    for (ptrdiff_t o = 0; o < co; o++) {                                                                          \
        const ptrdiff_t gi = o / cog;                                                                             \
        const float *gyo = gy + o * ho * wo;                                                                      \
        for (ptrdiff_t oy = 0; oy < ho; oy++) for (ptrdiff_t ox = 0; ox < wo; ox++) {                             \
            const float v = gyo[oy * wo + ox];                                                                    \
            if (v == 0.0f) continue;                                                                              \
            for (ptrdiff_t ky = 0; ky < kh; ky++) {                                                               \
                ptrdiff_t y = oy * g->sh - g->ph + ky * g->dh;                                                    \
                if (y < 0 || y >= h) continue;                                                                    \
                for (ptrdiff_t kx = 0; kx < kw; kx++) {                                                           \
                    ptrdiff_t xx = ox * g->sw - g->pw + kx * g->dw;                                               \
                    if (xx < 0 || xx >= w) continue;                                                              \
                    AXPY(scratch + (y * w + xx) * ci + gi * cig, wg + ((o * kh + ky) * kw + kx) * cig, v, cig);   \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
    for (ptrdiff_t c = 0; c < ci; c++) {                                                                          \
        float *grow = gx + c * h * w;                                                                             \
        for (ptrdiff_t q = 0; q < h * w; q++) grow[q] = scratch[q * ci + c];                                      \
    }

static void conv_scatter_portable(const sk_conv_geom *g, const float *x, const float *wt, float *scratch) {
    CONV_SCATTER_BODY(axpy_portable)
}
static void conv_wgrad_portable(const sk_conv_geom *g, const float *x, const float *gyt, float *dwt) {
    CONV_WGRAD_SCATTER_BODY(axpy_portable)
}
static void conv_igrad_portable(const sk_conv_geom *g, const float *gy, const float *wg, float *gx, float *scratch) {
    CONV_IGRAD_SCATTER_BODY(axpy_portable)
}
#ifdef SK_CONV_X86
SK_CONV_AVX512 static void conv_scatter_avx512(const sk_conv_geom *g, const float *x, const float *wt, float *scratch) {
    CONV_SCATTER_BODY(axpy_avx512)
}

/// The scatter loop at stride 1, dilation 1, groups 1: for each nonzero input and kernel row, the range of
/// kernel columns whose output exists is computed once and each tap adds Co/16 full vectors and one masked
/// vector for the rest (no per-tap bounds tests or loop). The same taps in the same order with the same fused
/// multiply-add as `conv_scatter_avx512`: the same bits.
SK_CONV_AVX512 static void conv_scatter_rows_avx512(const sk_conv_geom *g, const float *x, const float *wt, float *scratch) {
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, co = g->co, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo, ph = g->ph, pw = g->pw;
    const ptrdiff_t nv = co / 16;
    const __mmask16 tail = (__mmask16)((1u << (co % 16)) - 1);   // the last co % 16 channels (0: none)
    memset(scratch, 0, (size_t)(ho * wo * co) * sizeof(float));
    for (ptrdiff_t c = 0; c < ci; c++) {
        const float *xc = x + c * h * w;
        for (ptrdiff_t y = 0; y < h; y++) for (ptrdiff_t xx = 0; xx < w; xx++) {
            const float v = xc[y * w + xx];
            if (v == 0.0f) continue;
            const __m512 va = _mm512_set1_ps(v);
            const ptrdiff_t t = xx + pw;   // output column of kernel column 0
            const ptrdiff_t k0 = t - wo + 1 > 0 ? t - wo + 1 : 0, k1 = t < kw - 1 ? t : kw - 1;
            for (ptrdiff_t ky = 0; ky < kh; ky++) {
                const ptrdiff_t oy = y + ph - ky;
                if (oy < 0 || oy >= ho) continue;
                const float *wr = wt + (c * kh + ky) * kw * co;
                float *sr = scratch + (oy * wo + t) * co;
                for (ptrdiff_t kx = k0; kx <= k1; kx++) {
                    float *o = sr - kx * co;
                    const float *wk = wr + kx * co;
                    for (ptrdiff_t j = 0; j < nv; j++)
                        _mm512_storeu_ps(o + 16 * j, _mm512_fmadd_ps(va, _mm512_loadu_ps(wk + 16 * j), _mm512_loadu_ps(o + 16 * j)));
                    if (tail) _mm512_mask_storeu_ps(o + 16 * nv, tail, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(tail, wk + 16 * nv),
                                                                                        _mm512_maskz_loadu_ps(tail, o + 16 * nv)));
                }
            }
        }
    }
}
SK_CONV_AVX512 static void conv_wgrad_avx512(const sk_conv_geom *g, const float *x, const float *gyt, float *dwt) {
    CONV_WGRAD_SCATTER_BODY(axpy_avx512)
}
SK_CONV_AVX512 static void conv_igrad_avx512(const sk_conv_geom *g, const float *gy, const float *wg, float *gx, float *scratch) {
    CONV_IGRAD_SCATTER_BODY(axpy_avx512)
}
#endif

static int conv_use_avx512(int isa) {
#ifdef SK_CONV_X86
    if (isa == 1) return 0;
    return sk_has_avx512();
#else
    (void)isa; return 0;
#endif
}

#ifdef SK_CONV_X86
// ------------------------------------------------------------------------------------------- active lists, weight-stationary

/// Lists the nonzero inputs of each input row (channel c, row y): their columns in `idx` and values in `val`
/// from start[c*h + y] to start[c*h + y + 1].
static void conv_list_active(const sk_conv_geom *g, const float *x, int *start, int *idx, float *val) {
    const ptrdiff_t rows = g->ci * g->h, w = g->w;
    int n = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        start[r] = n;
        const float *xr = x + r * w;
        for (ptrdiff_t xx = 0; xx < w; xx++) if (xr[xx] != 0.0f) { idx[n] = (int)xx; val[n] = xr[xx]; n++; }
    }
    start[rows] = n;
}

/// The spike-driven weight gradient weight-stationary (AVX-512, stride 1, dilation 1, groups 1, co <= 32,
/// kw <= WGRAD_MAXKW): for each (channel, kernel row) the kw rows dwt[c, ky, :, :] stay in registers while
/// every listed input of every input row adds its taps, and are stored once. Each weight's terms arrive in the
/// scatter's order (input row, input column) with the same fused multiply-add, so dwt gets the same bits.
#define WGRAD_MAXKW 5
#define W_LOAD(K) __m512 a##K##0 = _mm512_setzero_ps(), a##K##1 = _mm512_setzero_ps(); \
    if (K < kw) { a##K##0 = _mm512_maskz_loadu_ps(m0, dr + K * co); if (two) a##K##1 = _mm512_maskz_loadu_ps(m1, dr + K * co + 16); }
#define W_TAP(K) if (K < kw) { const ptrdiff_t ox = ox0 - K; if (ox >= 0 && ox < wo) { const float *gk = gr + ox * co; \
    a##K##0 = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m0, gk), a##K##0); \
    if (two) a##K##1 = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m1, gk + 16), a##K##1); } }
#define W_STORE(K) if (K < kw) { _mm512_mask_storeu_ps(dr + K * co, m0, a##K##0); if (two) _mm512_mask_storeu_ps(dr + K * co + 16, m1, a##K##1); }

SK_CONV_AVX512 static void conv_wgrad_stationary_avx512(const sk_conv_geom *g, const float *x, const float *gyt, float *dwt,
                                                         int *start, int *idx, float *val) {
    const ptrdiff_t ci = g->ci, h = g->h, co = g->co, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo, ph = g->ph, pw = g->pw;
    conv_list_active(g, x, start, idx, val);
    const int two = co > 16;
    const __mmask16 m0 = co >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << co) - 1);
    const __mmask16 m1 = co >= 32 ? (__mmask16)0xFFFF : co > 16 ? (__mmask16)((1u << (co - 16)) - 1) : 0;
    for (ptrdiff_t c = 0; c < ci; c++) {
        for (ptrdiff_t ky = 0; ky < kh; ky++) {
            float *dr = dwt + (c * kh + ky) * kw * co;
            W_LOAD(0) W_LOAD(1) W_LOAD(2) W_LOAD(3) W_LOAD(4)
            for (ptrdiff_t y = 0; y < h; y++) {
                const ptrdiff_t oy = y + ph - ky;
                if (oy < 0 || oy >= ho) continue;
                const float *gr = gyt + oy * wo * co;
                const int q1 = start[c * h + y + 1];
                for (int q = start[c * h + y]; q < q1; q++) {
                    const __m512 va = _mm512_set1_ps(val[q]);
                    const ptrdiff_t ox0 = idx[q] + pw;
                    W_TAP(0) W_TAP(1) W_TAP(2) W_TAP(3) W_TAP(4)
                }
            }
            W_STORE(0) W_STORE(1) W_STORE(2) W_STORE(3) W_STORE(4)
        }
    }
}


#endif

/// Whether the weight-stationary weight gradient covers `g` (with kw <= WGRAD_MAXKW).
static int conv_stationary_covers(const sk_conv_geom *g) {
    return g->sh == 1 && g->sw == 1 && g->dh == 1 && g->dw == 1 && g->groups == 1 && g->co <= 32;
}

ptrdiff_t sk_conv2d_scatter_scratch(const sk_conv_geom *g) {
    return g->ho * g->wo * g->co;
}

void sk_conv2d_scatter(const sk_conv_geom *g, const float *x, const float *wt, const float *bias, float *out, float *scratch, int isa) {
    const ptrdiff_t p = g->ho * g->wo, co = g->co;
    int done = 0;
#ifdef SK_CONV_X86
    if (conv_use_avx512(isa)) {
        if (isa != 2 && g->sh == 1 && g->sw == 1 && g->dh == 1 && g->dw == 1 && g->groups == 1)
            conv_scatter_rows_avx512(g, x, wt, scratch);
        else
            conv_scatter_avx512(g, x, wt, scratch);
        done = 1;
    }
#endif
    if (!done) conv_scatter_portable(g, x, wt, scratch);
    for (ptrdiff_t o = 0; o < co; o++) {
        const float b = bias ? bias[o] : 0.0f;
        float *orow = out + o * p;
        for (ptrdiff_t q = 0; q < p; q++) orow[q] = scratch[q * co + o] + b;
    }
}



ptrdiff_t sk_conv2d_wgrad_scratch(const sk_conv_geom *g) {
    return conv_stationary_covers(g) && g->kw <= WGRAD_MAXKW ? g->ci * g->h + 1 + 2 * g->ci * g->h * g->w : 0;
}

void sk_conv2d_wgrad_scatter(const sk_conv_geom *g, const float *x, const float *gyt, float *dwt, float *work, int isa) {
#ifdef SK_CONV_X86
    if (conv_use_avx512(isa)) {
        // Weight-stationary where it covers the geometry (isa 2 forces the scatter loop; the same bits).
        if (isa != 2 && work && conv_stationary_covers(g) && g->kw <= WGRAD_MAXKW) {
            int *start = (int *)work, *idx = start + g->ci * g->h + 1;
            conv_wgrad_stationary_avx512(g, x, gyt, dwt, start, idx, (float *)(idx + g->ci * g->h * g->w));
        } else {
            conv_wgrad_avx512(g, x, gyt, dwt);
        }
        return;
    }
#else
    (void)work;
#endif
    conv_wgrad_portable(g, x, gyt, dwt);
}

void sk_conv2d_igrad_scatter(const sk_conv_geom *g, const float *gy, const float *wg, float *gx, float *scratch, int isa) {
#ifdef SK_CONV_X86
    if (conv_use_avx512(isa)) { conv_igrad_avx512(g, gy, wg, gx, scratch); return; }
#endif
    conv_igrad_portable(g, gy, wg, gx, scratch);
}

// ------------------------------------------------------------------------------------------- dense helpers

void sk_im2col_rows(const sk_conv_geom *g, const float *x, float *cols) {
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo;
    const ptrdiff_t k = ci * kh * kw;
    for (ptrdiff_t oy = 0; oy < ho; oy++) for (ptrdiff_t ox = 0; ox < wo; ox++) {
        float *row = cols + (oy * wo + ox) * k;
        for (ptrdiff_t c = 0; c < ci; c++) {
            const float *xc = x + c * h * w;
            for (ptrdiff_t ky = 0; ky < kh; ky++) {
                const ptrdiff_t y = oy * g->sh - g->ph + ky * g->dh;
                float *r = row + (c * kh + ky) * kw;
                if (y < 0 || y >= h) { for (ptrdiff_t kx = 0; kx < kw; kx++) r[kx] = 0.0f; continue; }
                for (ptrdiff_t kx = 0; kx < kw; kx++) {
                    const ptrdiff_t xx = ox * g->sw - g->pw + kx * g->dw;
                    r[kx] = (xx < 0 || xx >= w) ? 0.0f : xc[y * w + xx];
                }
            }
        }
    }
}

void sk_col2im_rows(const sk_conv_geom *g, const float *cols, float *gx) {
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo;
    const ptrdiff_t k = ci * kh * kw;
    memset(gx, 0, (size_t)(ci * h * w) * sizeof(float));
    for (ptrdiff_t oy = 0; oy < ho; oy++) for (ptrdiff_t ox = 0; ox < wo; ox++) {
        const float *row = cols + (oy * wo + ox) * k;
        for (ptrdiff_t c = 0; c < ci; c++) {
            float *gc = gx + c * h * w;
            for (ptrdiff_t ky = 0; ky < kh; ky++) {
                const ptrdiff_t y = oy * g->sh - g->ph + ky * g->dh;
                if (y < 0 || y >= h) continue;
                const float *r = row + (c * kh + ky) * kw;
                for (ptrdiff_t kx = 0; kx < kw; kx++) {
                    const ptrdiff_t xx = ox * g->sw - g->pw + kx * g->dw;
                    if (xx >= 0 && xx < w) gc[y * w + xx] += r[kx];
                }
            }
        }
    }
}

void sk_col2im_cols(const sk_conv_geom *g, const float *colst, float *gx) {
    const ptrdiff_t ci = g->ci, h = g->h, w = g->w, kh = g->kh, kw = g->kw, ho = g->ho, wo = g->wo, p = ho * wo;
    const ptrdiff_t sh = g->sh, sw = g->sw, ph = g->ph, pw = g->pw, dh = g->dh, dw = g->dw;
    memset(gx, 0, (size_t)(ci * h * w) * sizeof(float));
    for (ptrdiff_t c = 0; c < ci; c++) {
        float *gc = gx + c * h * w;
        // Kernel rows and columns descending: each gx element then receives its terms in ascending output
        // position (oy, ox), the order of sk_col2im_rows, so the sums have the same bits.
        for (ptrdiff_t ky = kh - 1; ky >= 0; ky--) for (ptrdiff_t kx = kw - 1; kx >= 0; kx--) {
            const float *r = colst + ((c * kh + ky) * kw + kx) * p;
            // Output columns whose input column ox*sw - pw + kx*dw lies in [0, w).
            const ptrdiff_t off = kx * dw - pw;
            ptrdiff_t ox0 = off >= 0 ? 0 : (-off + sw - 1) / sw;
            ptrdiff_t ox1 = w - off <= 0 ? 0 : (w - off + sw - 1) / sw;
            if (ox1 > wo) ox1 = wo;
            if (ox0 >= ox1) continue;
            for (ptrdiff_t oy = 0; oy < ho; oy++) {
                const ptrdiff_t y = oy * sh - ph + ky * dh;
                if (y < 0 || y >= h) continue;
                const float *ro = r + oy * wo;
                float *gr = gc + y * w + off;
                if (sw == 1) { for (ptrdiff_t ox = ox0; ox < ox1; ox++) gr[ox] += ro[ox]; }
                else { for (ptrdiff_t ox = ox0; ox < ox1; ox++) gr[ox * sw] += ro[ox]; }
            }
        }
    }
}

void sk_transpose_add_bias(const float *src, const float *bias, float *dst, ptrdiff_t p, ptrdiff_t c) {
    for (ptrdiff_t o = 0; o < c; o++) {
        const float b = bias ? bias[o] : 0.0f;
        float *d = dst + o * p;
        for (ptrdiff_t q = 0; q < p; q++) d[q] = src[q * c + o] + b;
    }
}

void sk_channel_sums(const float *x, ptrdiff_t n, ptrdiff_t c, ptrdiff_t p, ptrdiff_t c0, ptrdiff_t c1, double *sum, double *sumsq) {
    for (ptrdiff_t ch = c0; ch < c1; ch++) {
        double s = 0, s2 = 0;
        for (ptrdiff_t i = 0; i < n; i++) {
            const float *r = x + (i * c + ch) * p;
            float fs = 0, fs2 = 0;
            for (ptrdiff_t q = 0; q < p; q++) { fs += r[q]; fs2 += r[q] * r[q]; }
            s += fs; s2 += fs2;
        }
        sum[ch] = s;
        if (sumsq) sumsq[ch] = s2;
    }
}

// ------------------------------------------------------------------------------------------- pooling

/// 2 x 2 windows of stride 2 without padding (the common case): the same rule as the general loop, with selects
/// instead of branches (spikes tie in most windows, which makes the branches unpredictable).
static void maxpool2x2(const float *x, float *out, int *arg, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo) {
    for (ptrdiff_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * h * w;
        float *op = out + pl * ho * wo;
        int *ap = arg ? arg + pl * ho * wo : NULL;
        for (ptrdiff_t oy = 0; oy < ho; oy++) {
            const float *r0 = xp + 2 * oy * w, *r1 = r0 + w;
            const int base = (int)(2 * oy * w);
            for (ptrdiff_t ox = 0; ox < wo; ox++) {
                float best = r0[2 * ox];
                int bi = base + (int)(2 * ox);
                float v = r0[2 * ox + 1]; int t = (v > best) | (v != v); best = t ? v : best; bi = t ? base + (int)(2 * ox) + 1 : bi;
                v = r1[2 * ox]; t = (v > best) | (v != v); best = t ? v : best; bi = t ? base + (int)w + (int)(2 * ox) : bi;
                v = r1[2 * ox + 1]; t = (v > best) | (v != v); best = t ? v : best; bi = t ? base + (int)w + (int)(2 * ox) + 1 : bi;
                op[oy * wo + ox] = best;
                if (ap) ap[oy * wo + ox] = bi;
            }
        }
    }
}

#ifdef SK_CONV_X86
/// `maxpool2x2` on 16 output columns at a time (masked at the row's end): the same comparisons per window in
/// the same order, so the same values and indices.
SK_CONV_AVX512 static void maxpool2x2_avx512(const float *x, float *out, int *arg, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo) {
    (void)h;
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i lane2 = _mm512_slli_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), 1);
    for (ptrdiff_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * h * w;
        float *op = out + pl * ho * wo;
        int *ap = arg ? arg + pl * ho * wo : NULL;
        for (ptrdiff_t oy = 0; oy < ho; oy++) {
            const float *r0 = xp + 2 * oy * w, *r1 = r0 + w;
            for (ptrdiff_t ox = 0; ox < wo; ox += 16) {
                const ptrdiff_t nb = wo - ox < 16 ? wo - ox : 16;
                const __mmask16 mo = (__mmask16)((1u << nb) - 1);
                const __mmask16 ma = (__mmask16)(nb >= 8 ? 0xFFFF : (1u << (2 * nb)) - 1);
                const __mmask16 mb = (__mmask16)(nb <= 8 ? 0 : nb == 16 ? 0xFFFF : (1u << (2 * nb - 16)) - 1);
                const __m512 a0 = _mm512_maskz_loadu_ps(ma, r0 + 2 * ox), b0 = _mm512_maskz_loadu_ps(mb, r0 + 2 * ox + 16);
                const __m512 a1 = _mm512_maskz_loadu_ps(ma, r1 + 2 * ox), b1 = _mm512_maskz_loadu_ps(mb, r1 + 2 * ox + 16);
                const __m512i base = _mm512_add_epi32(_mm512_set1_epi32((int)(2 * oy * w + 2 * ox)), lane2);
                __m512 best = _mm512_permutex2var_ps(a0, even, b0);
                __m512i bi = base;
                __m512 v = _mm512_permutex2var_ps(a0, odd, b0);
                __mmask16 t = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
                best = _mm512_mask_blend_ps(t, best, v); bi = _mm512_mask_blend_epi32(t, bi, _mm512_add_epi32(base, _mm512_set1_epi32(1)));
                v = _mm512_permutex2var_ps(a1, even, b1);
                t = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
                best = _mm512_mask_blend_ps(t, best, v); bi = _mm512_mask_blend_epi32(t, bi, _mm512_add_epi32(base, _mm512_set1_epi32((int)w)));
                v = _mm512_permutex2var_ps(a1, odd, b1);
                t = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
                best = _mm512_mask_blend_ps(t, best, v); bi = _mm512_mask_blend_epi32(t, bi, _mm512_add_epi32(base, _mm512_set1_epi32((int)w + 1)));
                _mm512_mask_storeu_ps(op + oy * wo + ox, mo, best);
                if (ap) _mm512_mask_storeu_epi32(ap + oy * wo + ox, mo, bi);
            }
        }
    }
}
#endif

void sk_maxpool2d(const float *x, float *out, int *arg, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo,
                  ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t ph, ptrdiff_t pw, ptrdiff_t dh, ptrdiff_t dw, int isa) {
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1) {
#ifdef SK_CONV_X86
        if (conv_use_avx512(isa)) { maxpool2x2_avx512(x, out, arg, planes, h, w, ho, wo); return; }
#endif
        maxpool2x2(x, out, arg, planes, h, w, ho, wo);
        return;
    }
    for (ptrdiff_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * h * w;
        float *op = out + pl * ho * wo;
        int *ap = arg ? arg + pl * ho * wo : NULL;
        for (ptrdiff_t oy = 0; oy < ho; oy++) for (ptrdiff_t ox = 0; ox < wo; ox++) {
            const ptrdiff_t y0 = oy * sh - ph, x0 = ox * sw - pw;
            // PyTorch's CPU kernel: start at -inf, take a strictly greater value (the first maximum in row-major
            // window order) or a NaN.
            float best = -INFINITY;
            ptrdiff_t bi = -1;
            for (ptrdiff_t ky = 0; ky < kh; ky++) {
                const ptrdiff_t y = y0 + ky * dh;
                if (y < 0 || y >= h) continue;
                for (ptrdiff_t kx = 0; kx < kw; kx++) {
                    const ptrdiff_t xx = x0 + kx * dw;
                    if (xx < 0 || xx >= w) continue;
                    const float v = xp[y * w + xx];
                    if (bi < 0) bi = y * w + xx;
                    if (v > best || isnan(v)) { best = v; bi = y * w + xx; }
                }
            }
            op[oy * wo + ox] = best;
            if (ap) ap[oy * wo + ox] = (int)bi;
        }
    }
}

void sk_maxpool2d_backward(const float *gout, const int *arg, float *gx, ptrdiff_t planes, ptrdiff_t hw, ptrdiff_t howo) {
    for (ptrdiff_t pl = 0; pl < planes; pl++) {
        float *gp = gx + pl * hw;
        memset(gp, 0, (size_t)hw * sizeof(float));
        const float *go = gout + pl * howo;
        const int *ap = arg + pl * howo;
        for (ptrdiff_t q = 0; q < howo; q++) gp[ap[q]] += go[q];
    }
}

void sk_avgpool2d(const float *x, float *out, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo,
                  ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t ph, ptrdiff_t pw, int count_pad, float scale) {
    for (ptrdiff_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * h * w;
        float *op = out + pl * ho * wo;
        for (ptrdiff_t oy = 0; oy < ho; oy++) for (ptrdiff_t ox = 0; ox < wo; ox++) {
            const ptrdiff_t y0 = oy * sh - ph, x0 = ox * sw - pw;
            float s = 0;
            ptrdiff_t n = 0;
            for (ptrdiff_t y = y0; y < y0 + kh; y++) {
                if (y < 0 || y >= h) continue;
                for (ptrdiff_t xx = x0; xx < x0 + kw; xx++) {
                    if (xx < 0 || xx >= w) continue;
                    s += xp[y * w + xx]; n++;
                }
            }
            // Divisor: the window clipped to the padded input (count_include_pad), else to the input itself;
            // scale != 0 replaces it (sum pooling: 1).
            ptrdiff_t ye = y0 + kh < h + ph ? y0 + kh : h + ph, xe = x0 + kw < w + pw ? x0 + kw : w + pw;
            ptrdiff_t padded = (ye - y0) * (xe - x0);
            float div = scale != 0 ? 1.0f / scale : (float)(count_pad ? padded : n);
            op[oy * wo + ox] = scale != 0 ? s * scale : s / div;
        }
    }
}

void sk_avgpool2d_backward(const float *gout, float *gx, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo,
                           ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t ph, ptrdiff_t pw, int count_pad, float scale) {
    for (ptrdiff_t pl = 0; pl < planes; pl++) {
        float *gp = gx + pl * h * w;
        memset(gp, 0, (size_t)(h * w) * sizeof(float));
        const float *go = gout + pl * ho * wo;
        for (ptrdiff_t oy = 0; oy < ho; oy++) for (ptrdiff_t ox = 0; ox < wo; ox++) {
            const ptrdiff_t y0 = oy * sh - ph, x0 = ox * sw - pw;
            ptrdiff_t n = 0;
            for (ptrdiff_t y = y0; y < y0 + kh; y++) if (y >= 0 && y < h) for (ptrdiff_t xx = x0; xx < x0 + kw; xx++) if (xx >= 0 && xx < w) n++;
            ptrdiff_t ye = y0 + kh < h + ph ? y0 + kh : h + ph, xe = x0 + kw < w + pw ? x0 + kw : w + pw;
            ptrdiff_t padded = (ye - y0) * (xe - x0);
            const float gv = scale != 0 ? go[oy * wo + ox] * scale : go[oy * wo + ox] / (float)(count_pad ? padded : n);
            for (ptrdiff_t y = y0; y < y0 + kh; y++) {
                if (y < 0 || y >= h) continue;
                for (ptrdiff_t xx = x0; xx < x0 + kw; xx++) if (xx >= 0 && xx < w) gp[y * w + xx] += gv;
            }
        }
    }
}
