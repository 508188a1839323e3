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

#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SK_LIF_X86 1
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
            lif_charge(p, v, xt, h, n);
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
            if (states) memcpy(states + t * m + b0, v, (size_t)n * sizeof(float));
        }
    }
}

SK_INLINE void lif_backward_body(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                                 const float *initial, const float *gfinal, float *gin, float *ginit,
                                 ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi) {
    const float thr = p->threshold, r = p->reset, r0 = p->hard ? p->reset : 0.0f, tau = p->tau;
    const float keep = 1 - 1 / tau;
    float gv[SK_LIF_BLOCK], v0[SK_LIF_BLOCK], h[SK_LIF_BLOCK], sg[SK_LIF_BLOCK];
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
