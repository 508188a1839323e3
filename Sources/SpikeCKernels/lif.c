// Fused integrate-and-fire kernels (SpikeNeurons' LIF and IF with shared parameters): the whole time loop
// forward, and backward through time, over a block of elements, vectorised over the elements.
//
// Every element's arithmetic is exactly that of the Swift models (LIF.swift, Surrogate.swift): the same
// operations in the same order, in float, with contraction into fused multiply-adds switched off, so the
// generic Swift kernel and these give the same bits. Each time step is a few simple loops over a block of
// at most SK_LIF_BLOCK elements held in L1 (leak, fire and reset; surrogate; gradient), each loop with its
// branches hoisted out so that the compiler vectorises it. Compiled three times (AVX-512, AVX2, portable)
// and chosen at run time.
#include "SpikeCKernels.h"
#include <math.h>
#include <string.h>
#include <stdint.h>

#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SK_LIF_X86 1
#include <immintrin.h>
#endif

#define SK_LIF_BLOCK 256
#define SK_INLINE static inline __attribute__((always_inline))

/// SpikeNeurons' `stableSigmoidF`.
SK_INLINE float sk_stable_sigmoid(float y) {
    if (y >= 0) return 1.0f / (1.0f + expf(-y));
    float e = expf(y);
    return e / (1.0f + e);
}

/// H from the previous membrane and the input, for the block `n` elements.
SK_INLINE void lif_charge(const sk_lif_params *p, const float *restrict v, const float *restrict x, float *restrict h, ptrdiff_t n) {
    const float tau = p->tau, r = p->hard ? p->reset : 0.0f;
    switch (p->kind) {
    case 0: for (ptrdiff_t i = 0; i < n; i++) h[i] = v[i] + (x[i] - (v[i] - r)) / tau; break;
    case 1: for (ptrdiff_t i = 0; i < n; i++) h[i] = v[i] - (v[i] - r) / tau + x[i]; break;
    default: for (ptrdiff_t i = 0; i < n; i++) h[i] = v[i] + x[i]; break;
    }
}

/// The surrogate derivative at x = H - threshold (Surrogate.derivative; `k` and `c` are the constants the
/// Swift code computes first: (pi/2) alpha for atan, alpha / sqrt(pi) and -alpha * alpha for erf).
SK_INLINE void lif_surrogate(const sk_lif_params *p, const float *restrict h, float *restrict sg, ptrdiff_t n) {
    const float a = p->alpha, thr = p->threshold, k = p->k, c = p->c;
    switch (p->surrogate) {
    case 0: for (ptrdiff_t i = 0; i < n; i++) { float s = sk_stable_sigmoid(a * (h[i] - thr)); sg[i] = a * s * (1 - s); } break;
    case 1: for (ptrdiff_t i = 0; i < n; i++) { float u = k * (h[i] - thr); sg[i] = a / (2 * (1 + u * u)); } break;
    case 2: for (ptrdiff_t i = 0; i < n; i++) { float d = 1 + a * fabsf(h[i] - thr); sg[i] = 1 / (d * d); } break;
    case 3: for (ptrdiff_t i = 0; i < n; i++) { float w = 1 - fabsf(h[i] - thr); sg[i] = a * (w >= 0 ? w : 0.0f); } break;
    case 4: for (ptrdiff_t i = 0; i < n; i++) { float x = h[i] - thr; sg[i] = k * expf(c * x * x); } break;
    case 5: {
        const float inv = 1 / a, a2 = a * a;
        for (ptrdiff_t i = 0; i < n; i++) { float x = fabsf(h[i] - thr); sg[i] = x > inv ? 0.0f : a - a2 * x; }
        break;
    }
    case 6: {
        const float half = a / 2, inv = 1 / a;
        for (ptrdiff_t i = 0; i < n; i++) sg[i] = fabsf(h[i] - thr) < half ? inv : 0.0f;
        break;
    }
    default: for (ptrdiff_t i = 0; i < n; i++) sg[i] = 1; break;
    }
}

/// One step of the backward through time on a block of `n` elements, given H, the surrogate derivative at
/// H - threshold (`sg`, overwritten) and the gradient of the spikes `go`: the gradient of the input to `gi`,
/// and `gv` (the gradient of the membrane, carried to the step before) updated.
SK_INLINE void lif_grad_step(const sk_lif_params *p, const float *restrict h, float *restrict sg, const float *restrict go,
                             float *restrict gv, float *restrict gi, ptrdiff_t n) {
    const float thr = p->threshold, r = p->reset, tau = p->tau, keep = 1 - 1 / tau;
    // gH into sg
    if (p->hard) {
        if (p->detach) {
            for (ptrdiff_t i = 0; i < n; i++) {
                float s = (h[i] - thr) >= 0 ? 1.0f : 0.0f;
                float g = go[i] * sg[i];
                sg[i] = g + gv[i] * (1 - s);
            }
        } else {
            for (ptrdiff_t i = 0; i < n; i++) {
                float s = (h[i] - thr) >= 0 ? 1.0f : 0.0f;
                float g = go[i] * sg[i];
                g = g + gv[i] * (1 - s);
                sg[i] = g + gv[i] * (r - h[i]) * sg[i];
            }
        }
    } else {
        if (p->detach) {
            for (ptrdiff_t i = 0; i < n; i++) sg[i] = go[i] * sg[i] + gv[i];
        } else {
            for (ptrdiff_t i = 0; i < n; i++) {
                float g = go[i] * sg[i] + gv[i];
                sg[i] = g - gv[i] * thr * sg[i];
            }
        }
    }
    switch (p->kind) {
    case 0: for (ptrdiff_t i = 0; i < n; i++) { gi[i] = sg[i] / tau; gv[i] = sg[i] * keep; } break;
    case 1: for (ptrdiff_t i = 0; i < n; i++) { gi[i] = sg[i]; gv[i] = sg[i] * keep; } break;
    default: for (ptrdiff_t i = 0; i < n; i++) { gi[i] = sg[i]; gv[i] = sg[i]; } break;
    }
}

/// Whether the surrogate has compact support (triangle, piecewise quadratic, rectangle): its derivative is
/// exactly zero away from threshold, so whole block-steps of the backward can be skipped (`lif_skip_step`).
SK_INLINE int lif_compact_surrogate(const sk_lif_params *p) {
    return p->surrogate == 3 || p->surrogate == 5 || p->surrogate == 6;
}

/// The sparse backward (Perez-Nieves & Goodman, NeurIPS 2021) on one block-step: when every surrogate
/// derivative `sg` and every carried gradient `gv` of the block is +0 (bit pattern zero) and the spike
/// gradients `go` and H are finite, `lif_grad_step` would give gH = +0 for every element: go * (+0) is a zero
/// of either sign, and adding the +0 terms of gv makes it +0 (-0 + +0 = +0 in round-to-nearest), whatever
/// the reset mode. Then the gradient of the input is +0 / tau or +0 and gv becomes +0 * keep or +0: those
/// are written directly (the same bits) and 1 is returned; otherwise nothing is written and 0 is returned.
SK_INLINE int lif_skip_step(const sk_lif_params *p, const float *restrict h, const float *restrict sg, const float *restrict go,
                            float *restrict gv, float *restrict gi, ptrdiff_t n) {
    uint32_t bits = 0, bad = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        uint32_t a, b, c, d;
        memcpy(&a, sg + i, 4); memcpy(&b, gv + i, 4); memcpy(&c, go + i, 4); memcpy(&d, h + i, 4);
        bits |= a | b;
        bad |= ((c & 0x7f800000u) == 0x7f800000u) | ((d & 0x7f800000u) == 0x7f800000u);
    }
    if (bits | bad) return 0;
    const float tau = p->tau, keep = 1 - 1 / tau;
    const float zi = p->kind == 0 ? 0.0f / tau : 0.0f, zv = p->kind == 2 ? 0.0f : 0.0f * keep;
    for (ptrdiff_t i = 0; i < n; i++) { gi[i] = zi; gv[i] = zv; }
    return 1;
}

/// One step of the neurons on `n` lanes with input `x`: spikes to `ot`, the membrane `v` updated in place
/// (the forward arithmetic of the Swift models).
SK_INLINE void lif_fire(const sk_lif_params *p, float *restrict v, const float *restrict x, float *restrict h,
                        float *restrict ot, ptrdiff_t n) {
    const float thr = p->threshold, r = p->reset;
    lif_charge(p, v, x, h, n);
    if (p->hard) {
        for (ptrdiff_t i = 0; i < n; i++) {
            float s = (h[i] - thr) >= 0 ? 1.0f : 0.0f;
            ot[i] = s;
            v[i] = h[i] * (1 - s) + r * s;
        }
    } else {
        for (ptrdiff_t i = 0; i < n; i++) {
            float s = (h[i] - thr) >= 0 ? 1.0f : 0.0f;
            ot[i] = s;
            v[i] = h[i] - thr * s;
        }
    }
}

SK_INLINE void lif_forward_body(const sk_lif_params *p, const float *x, float *out, float *states, const float *initial,
                                ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    const float thr = p->threshold, r = p->reset, r0 = p->hard ? p->reset : 0.0f;
    float v[SK_LIF_BLOCK], h[SK_LIF_BLOCK];
    for (ptrdiff_t b0 = lo; b0 < hi; b0 += SK_LIF_BLOCK) {
        const ptrdiff_t n = hi - b0 < SK_LIF_BLOCK ? hi - b0 : SK_LIF_BLOCK;
        for (ptrdiff_t i = 0; i < n; i++) v[i] = initial ? initial[b0 + i] : r0;
        for (ptrdiff_t t = 0; t < steps; t++) {
            const float *restrict xt = x + t * m + b0;
            float *restrict ot = out + t * m + b0;
            lif_fire(p, v, xt, h, ot, n);
            if (states) memcpy(states + t * m + b0, v, (size_t)n * sizeof(float));
        }
    }
}

SK_INLINE void lif_backward_body(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                                 const float *initial, const float *gfinal, float *gin, float *ginit,
                                 ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    const float r0 = p->hard ? p->reset : 0.0f;
    float gv[SK_LIF_BLOCK], v0[SK_LIF_BLOCK], h[SK_LIF_BLOCK], sg[SK_LIF_BLOCK];
    const int compact = p->sparse && lif_compact_surrogate(p);
    for (ptrdiff_t b0 = lo; b0 < hi; b0 += SK_LIF_BLOCK) {
        const ptrdiff_t n = hi - b0 < SK_LIF_BLOCK ? hi - b0 : SK_LIF_BLOCK;
        for (ptrdiff_t i = 0; i < n; i++) gv[i] = gfinal ? gfinal[b0 + i] : 0.0f;
        for (ptrdiff_t i = 0; i < n; i++) v0[i] = initial ? initial[b0 + i] : r0;
        for (ptrdiff_t t = steps - 1; t >= 0; t--) {
            const float *prev = t > 0 ? states + (t - 1) * m + b0 : v0;
            lif_charge(p, prev, x + t * m + b0, h, n);
            lif_surrogate(p, h, sg, n);
            const float *restrict go = gout + t * m + b0;
            float *restrict gi = gin + t * m + b0;
            if (compact && lif_skip_step(p, h, sg, go, gv, gi, n)) continue;
            lif_grad_step(p, h, sg, go, gv, gi, n);
        }
        if (ginit) memcpy(ginit + b0, gv, (size_t)n * sizeof(float));
    }
}

static void lif_forward_portable(const sk_lif_params *p, const float *x, float *out, float *states, const float *initial,
                                 ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_forward_body(p, x, out, states, initial, steps, m, lo, hi);
}
static void lif_backward_portable(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                                  const float *initial, const float *gfinal, float *gin, float *ginit,
                                  ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_backward_body(p, x, states, gout, initial, gfinal, gin, ginit, steps, m, lo, hi);
}

#ifdef SK_LIF_X86
__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))
static void lif_forward_avx512(const sk_lif_params *p, const float *x, float *out, float *states, const float *initial,
                               ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_forward_body(p, x, out, states, initial, steps, m, lo, hi);
}
__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))
static void lif_backward_avx512(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                                const float *initial, const float *gfinal, float *gin, float *ginit,
                                ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_backward_body(p, x, states, gout, initial, gfinal, gin, ginit, steps, m, lo, hi);
}
__attribute__((target("avx2")))
static void lif_forward_avx2(const sk_lif_params *p, const float *x, float *out, float *states, const float *initial,
                             ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_forward_body(p, x, out, states, initial, steps, m, lo, hi);
}
__attribute__((target("avx2")))
static void lif_backward_avx2(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                              const float *initial, const float *gfinal, float *gin, float *ginit,
                              ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_backward_body(p, x, states, gout, initial, gfinal, gin, ginit, steps, m, lo, hi);
}
#endif

void sk_lif_forward(const sk_lif_params *p, const float *x, float *out, float *states, const float *initial,
                    ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
#ifdef SK_LIF_X86
    if (sk_has_avx512()) { lif_forward_avx512(p, x, out, states, initial, steps, m, lo, hi); return; }
    if (sk_has_avx2_fma()) { lif_forward_avx2(p, x, out, states, initial, steps, m, lo, hi); return; }
#endif
    lif_forward_portable(p, x, out, states, initial, steps, m, lo, hi);
}

void sk_lif_backward(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                     const float *initial, const float *gfinal, float *gin, float *ginit,
                     ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
#ifdef SK_LIF_X86
    if (sk_has_avx512()) { lif_backward_avx512(p, x, states, gout, initial, gfinal, gin, ginit, steps, m, lo, hi); return; }
    if (sk_has_avx2_fma()) { lif_backward_avx2(p, x, states, gout, initial, gfinal, gin, ginit, steps, m, lo, hi); return; }
#endif
    lif_backward_portable(p, x, states, gout, initial, gfinal, gin, ginit, steps, m, lo, hi);
}

// ------------------------------------------------------------------------------- fused Linear + LIF

/// Any panel width (at most SK_PANEL_WIDTH). `fused`: the products as one fused multiply-add (the AVX kernels'
/// arithmetic), else multiply then add (the portable `sk_csr_spmm_rows`). `hout` (may be NULL): H per step.
SK_INLINE void linear_lif_body(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
                               const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout, ptrdiff_t steps,
                               ptrdiff_t batch, ptrdiff_t n, ptrdiff_t b, int fused) {
    float v[SK_PANEL_WIDTH], acc[SK_PANEL_WIDTH], h[SK_PANEL_WIDTH];
    const float r0 = p->hard ? p->reset : 0.0f;
    for (ptrdiff_t i = 0; i < w; i++) v[i] = r0;
    for (ptrdiff_t t = 0; t < steps; t++) {
        const ptrdiff_t row = t * batch + b;
        for (ptrdiff_t i = 0; i < w; i++) acc[i] = 0;
        for (int q = row_ptr[row]; q < row_ptr[row + 1]; q++) {
            const float *restrict bp = panel + (ptrdiff_t)col[q] * w;
            const float vq = val[q];
            if (fused) for (ptrdiff_t i = 0; i < w; i++) acc[i] = __builtin_fmaf(vq, bp[i], acc[i]);
            else for (ptrdiff_t i = 0; i < w; i++) acc[i] += vq * bp[i];
        }
        if (bias) for (ptrdiff_t i = 0; i < w; i++) acc[i] = acc[i] + bias[i];
        lif_fire(p, v, acc, h, out + row * n, w);
        if (hout) memcpy(hout + row * n, h, (size_t)w * sizeof(float));
    }
}

static void linear_lif_portable(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
                                const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout, ptrdiff_t steps,
                                ptrdiff_t batch, ptrdiff_t n, ptrdiff_t b) {
    linear_lif_body(p, row_ptr, col, val, panel, w, bias, out, hout, steps, batch, n, b, 0);
}

#ifdef SK_LIF_X86
__attribute__((target("avx2,fma")))
static void linear_lif_avx2(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
                            const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout, ptrdiff_t steps,
                            ptrdiff_t batch, ptrdiff_t n, ptrdiff_t b) {
    linear_lif_body(p, row_ptr, col, val, panel, w, bias, out, hout, steps, batch, n, b, 1);
}

#define SK_LIF_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))

/// One neuron step on 16 lanes (the forward body's arithmetic): the spikes; H to `*hv`, the membrane updated.
SK_LIF_AVX512 static inline __attribute__((always_inline)) __m512 lif_fire16(int kind, int hard, __m512 *v, __m512 a, __m512 rl,
                                                                        __m512 tau, __m512 thr, __m512 r, __m512 *hv) {
    const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
    __m512 h;
    if (kind == 0) h = _mm512_add_ps(*v, _mm512_div_ps(_mm512_sub_ps(a, _mm512_sub_ps(*v, rl)), tau));
    else if (kind == 1) h = _mm512_add_ps(_mm512_sub_ps(*v, _mm512_div_ps(_mm512_sub_ps(*v, rl), tau)), a);
    else h = _mm512_add_ps(*v, a);
    const __mmask16 fire = _mm512_cmp_ps_mask(_mm512_sub_ps(h, thr), zero, _CMP_GE_OQ);
    const __m512 s = _mm512_mask_blend_ps(fire, zero, one);
    *v = hard ? _mm512_add_ps(_mm512_mul_ps(h, _mm512_sub_ps(one, s)), _mm512_mul_ps(r, s)) : _mm512_sub_ps(h, _mm512_mul_ps(thr, s));
    *hv = h;
    return s;
}

#define SK_ROW(q) (panel + (ptrdiff_t)col[q] * w)
#define SK_ADD(i, q) { const float *bp = SK_ROW(q); a##i##0 = _mm512_add_ps(a##i##0, _mm512_maskz_loadu_ps(m0, bp)); \
                       a##i##1 = _mm512_add_ps(a##i##1, _mm512_maskz_loadu_ps(m1, bp + 16)); }
#define SK_FMA(i, q) { const float *bp = SK_ROW(q); const __m512 vq = _mm512_set1_ps(val[q]); \
                       a##i##0 = _mm512_fmadd_ps(vq, _mm512_maskz_loadu_ps(m0, bp), a##i##0); \
                       a##i##1 = _mm512_fmadd_ps(vq, _mm512_maskz_loadu_ps(m1, bp + 16), a##i##1); }
#define SK_SUM(i) { if (binary) for (int q = st[i] + m; q < en[i]; q++) SK_ADD(i, q) \
                    else for (int q = st[i] + m; q < en[i]; q++) SK_FMA(i, q) }
#define SK_FIRE(i) { float *ot = out + (row + i) * n; __m512 x0 = a##i##0, x1 = a##i##1, h0, h1; \
        if (bias) { x0 = _mm512_add_ps(x0, b0); x1 = _mm512_add_ps(x1, b1); } \
        _mm512_mask_storeu_ps(ot, m0, lif_fire16(kind, hard, &v##i##0, x0, rl, tau, thr, r, &h0)); \
        _mm512_mask_storeu_ps(ot + 16, m1, lif_fire16(kind, hard, &v##i##1, x1, rl, tau, thr, r, &h1)); \
        if (hout) { float *ht = hout + (row + i) * n; _mm512_mask_storeu_ps(ht, m0, h0); _mm512_mask_storeu_ps(ht + 16, m1, h1); } }
_Static_assert(SK_PANEL_WIDTH == 32, "the AVX-512 fused kernels hold a panel row in two registers");

/// `G` batch elements at once (rows t * batch + b .. b + G - 1 of each step; G is 4 or 1) of a panel of
/// width w <= 32 (masked loads and stores beyond w): with four, eight independent sums instead of two hide
/// the latency of the additions. Each row is still summed alone in its own order (the common length
/// first, interleaved, then each row's remaining entries), so the bits are those of one row at a time.
/// The sums and membranes stay in registers across the time loop.
SK_LIF_AVX512 static inline __attribute__((always_inline)) void linear_lif_group_avx512(const sk_lif_params *p, const int *row_ptr,
        const int *col, const float *val, const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout,
        ptrdiff_t steps, ptrdiff_t batch, ptrdiff_t n, ptrdiff_t b, int binary, const int G) {
    const __m512 thr = _mm512_set1_ps(p->threshold), r = _mm512_set1_ps(p->reset), tau = _mm512_set1_ps(p->tau);
    const __m512 zero = _mm512_setzero_ps(), rl = p->hard ? r : zero;   // the leak's reference level and rest
    const int kind = p->kind, hard = p->hard;
    const __mmask16 m0 = w >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << w) - 1);
    const __mmask16 m1 = w >= 32 ? (__mmask16)0xFFFF : (w <= 16 ? (__mmask16)0 : (__mmask16)((1u << (w - 16)) - 1));
    const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : zero, b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : zero;
    __m512 v00 = rl, v01 = rl, v10 = rl, v11 = rl, v20 = rl, v21 = rl, v30 = rl, v31 = rl;
    for (ptrdiff_t t = 0; t < steps; t++) {
        const ptrdiff_t row = t * batch + b;
        __m512 a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
        int st[4], en[4], m = 1 << 30;
        for (int i = 0; i < G; i++) {
            st[i] = row_ptr[row + i]; en[i] = row_ptr[row + i + 1];
            if (en[i] - st[i] < m) m = en[i] - st[i];
        }
        if (G == 4) {
            if (binary) for (int j = 0; j < m; j++) { SK_ADD(0, st[0] + j) SK_ADD(1, st[1] + j) SK_ADD(2, st[2] + j) SK_ADD(3, st[3] + j) }
            else for (int j = 0; j < m; j++) { SK_FMA(0, st[0] + j) SK_FMA(1, st[1] + j) SK_FMA(2, st[2] + j) SK_FMA(3, st[3] + j) }
            SK_SUM(0) SK_SUM(1) SK_SUM(2) SK_SUM(3)
            SK_FIRE(0) SK_FIRE(1) SK_FIRE(2) SK_FIRE(3)
        } else {
            m = 0;
            SK_SUM(0)
            SK_FIRE(0)
        }
    }
}
#undef SK_ROW
#undef SK_ADD
#undef SK_FMA
#undef SK_SUM
#undef SK_FIRE

SK_LIF_AVX512 static void linear_lif_panel4_avx512(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
        const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout, ptrdiff_t steps, ptrdiff_t batch,
        ptrdiff_t n, ptrdiff_t b, int binary) {
    linear_lif_group_avx512(p, row_ptr, col, val, panel, w, bias, out, hout, steps, batch, n, b, binary, 4);
}

SK_LIF_AVX512 static void linear_lif_panel1_avx512(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
        const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout, ptrdiff_t steps, ptrdiff_t batch,
        ptrdiff_t n, ptrdiff_t b, int binary) {
    linear_lif_group_avx512(p, row_ptr, col, val, panel, w, bias, out, hout, steps, batch, n, b, binary, 1);
}

/// Batch elements b0 ..< b1 of one panel: groups of four, then one at a time.
SK_LIF_AVX512 static void linear_lif_avx512(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
                                            const float *panel, ptrdiff_t w, const float *bias, float *out, float *hout,
                                            ptrdiff_t steps, ptrdiff_t batch, ptrdiff_t n, ptrdiff_t b0, ptrdiff_t b1, int binary) {
    ptrdiff_t b = b0;
    for (; b + 4 <= b1; b += 4) linear_lif_panel4_avx512(p, row_ptr, col, val, panel, w, bias, out, hout, steps, batch, n, b, binary);
    for (; b < b1; b++) linear_lif_panel1_avx512(p, row_ptr, col, val, panel, w, bias, out, hout, steps, batch, n, b, binary);
}
#endif

void sk_linear_lif_forward(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
                           const float *panels, const float *bias, float *out, float *hout, ptrdiff_t steps, ptrdiff_t batch,
                           ptrdiff_t n, ptrdiff_t k, ptrdiff_t b0, ptrdiff_t b1, ptrdiff_t panel, int binary, int isa) {
    const ptrdiff_t j0 = panel * SK_PANEL_WIDTH, w = n - j0 < SK_PANEL_WIDTH ? n - j0 : SK_PANEL_WIDTH;
    const float *pp = panels + j0 * k, *bb = bias ? bias + j0 : NULL;
    float *oo = out + j0, *hh = hout ? hout + j0 : NULL;
#ifdef SK_LIF_X86
    if ((isa == 0 || isa == 3) && sk_has_avx512()) { linear_lif_avx512(p, row_ptr, col, val, pp, w, bb, oo, hh, steps, batch, n, b0, b1, binary); return; }
    if ((isa == 0 || isa >= 2) && sk_has_avx2_fma()) {
        for (ptrdiff_t b = b0; b < b1; b++) linear_lif_avx2(p, row_ptr, col, val, pp, w, bb, oo, hh, steps, batch, n, b);
        return;
    }
#endif
    for (ptrdiff_t b = b0; b < b1; b++) linear_lif_portable(p, row_ptr, col, val, pp, w, bb, oo, hh, steps, batch, n, b);
}

// ------------------------------------------------------------------------------- one step on given lanes

/// `lif_fire` on `n` lanes (any n): the arithmetic of one step of `lif_forward_body`.
SK_INLINE void lif_step_body(const sk_lif_params *p, float *v, const float *x, float *h, float *out, ptrdiff_t n) {
    lif_fire(p, v, x, h, out, n);
}
static void lif_step_portable(const sk_lif_params *p, float *v, const float *x, float *h, float *out, ptrdiff_t n) {
    lif_step_body(p, v, x, h, out, n);
}
#ifdef SK_LIF_X86
__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))
static void lif_step_avx512(const sk_lif_params *p, float *v, const float *x, float *h, float *out, ptrdiff_t n) {
    lif_step_body(p, v, x, h, out, n);
}
__attribute__((target("avx2")))
static void lif_step_avx2(const sk_lif_params *p, float *v, const float *x, float *h, float *out, ptrdiff_t n) {
    lif_step_body(p, v, x, h, out, n);
}
#endif

void sk_lif_step(const sk_lif_params *p, float *v, const float *x, float *h, float *out, ptrdiff_t n, int isa) {
#ifdef SK_LIF_X86
    if ((isa == 0 || isa == 3) && sk_has_avx512()) { lif_step_avx512(p, v, x, h, out, n); return; }
    if ((isa == 0 || isa >= 2) && sk_has_avx2_fma()) { lif_step_avx2(p, v, x, h, out, n); return; }
#endif
    lif_step_portable(p, v, x, h, out, n);
}

// ------------------------------------------------------------------------------- backward from the H trace

/// `lif_backward_body` from the rest state with H stored by the forward: H is read instead of recomputed
/// from the previous membrane and the input (the same values), so neither is needed.
SK_INLINE void lif_backward_h_body(const sk_lif_params *p, const float *hs, const float *gout, float *gin,
                                   ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    float gv[SK_LIF_BLOCK], sg[SK_LIF_BLOCK];
    const int compact = p->sparse && lif_compact_surrogate(p);
    for (ptrdiff_t b0 = lo; b0 < hi; b0 += SK_LIF_BLOCK) {
        const ptrdiff_t n = hi - b0 < SK_LIF_BLOCK ? hi - b0 : SK_LIF_BLOCK;
        for (ptrdiff_t i = 0; i < n; i++) gv[i] = 0.0f;
        for (ptrdiff_t t = steps - 1; t >= 0; t--) {
            const float *restrict h = hs + t * m + b0;
            lif_surrogate(p, h, sg, n);
            const float *restrict go = gout + t * m + b0;
            float *restrict gi = gin + t * m + b0;
            if (compact && lif_skip_step(p, h, sg, go, gv, gi, n)) continue;
            lif_grad_step(p, h, sg, go, gv, gi, n);
        }
    }
}

static void lif_backward_h_portable(const sk_lif_params *p, const float *hs, const float *gout, float *gin,
                                    ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_backward_h_body(p, hs, gout, gin, steps, m, lo, hi);
}
#ifdef SK_LIF_X86
SK_LIF_AVX512 static void lif_backward_h_avx512(const sk_lif_params *p, const float *hs, const float *gout, float *gin,
                                                ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_backward_h_body(p, hs, gout, gin, steps, m, lo, hi);
}
__attribute__((target("avx2")))
static void lif_backward_h_avx2(const sk_lif_params *p, const float *hs, const float *gout, float *gin,
                                ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    lif_backward_h_body(p, hs, gout, gin, steps, m, lo, hi);
}
#endif

void sk_lif_backward_h(const sk_lif_params *p, const float *hs, const float *gout, float *gin,
                       ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi, int isa) {
#ifdef SK_LIF_X86
    if ((isa == 0 || isa == 3) && sk_has_avx512()) { lif_backward_h_avx512(p, hs, gout, gin, steps, m, lo, hi); return; }
    if ((isa == 0 || isa >= 2) && sk_has_avx2_fma()) { lif_backward_h_avx2(p, hs, gout, gin, steps, m, lo, hi); return; }
#endif
    lif_backward_h_portable(p, hs, gout, gin, steps, m, lo, hi);
}

void sk_transpose_panels_width(const float *w, float *panels, ptrdiff_t n, ptrdiff_t k, ptrdiff_t width, ptrdiff_t p0, ptrdiff_t p1) {
    for (ptrdiff_t p = p0; p < p1; p++) {
        const ptrdiff_t j0 = p * width, wd = n - j0 < width ? n - j0 : width;
        sk_transpose(w + j0 * k, panels + j0 * k, wd, k, 0, wd);
    }
}
