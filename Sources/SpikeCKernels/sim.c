// The state update of SpikeSim's CUBA groups (SpikeNeurons' `Brian2CUBA`, the neuron of the Vogels & Abbott
// benchmark) on eight lanes per instruction with AVX2, where the Swift lane code (SIMD8 on the default
// x86-64 target) runs four. Operation for operation the same as `Brian2CUBA.stepLanes`, without
// contraction into fused multiply-adds, so both give the same bits (tested).
#include "SpikeCKernels.h"
#include <string.h>

#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SK_SIM_X86 1
#endif

/// One block of eight lanes, portable: returns the mask of lanes that fired (bit l for lane l).
static inline unsigned cuba_block_portable(const sk_cuba_params *p, float *b, const float *xv) {
    unsigned mask = 0;
    for (int l = 0; l < 8; l++) {
        float v = b[l], ge = b[8 + l], gi = b[16 + l], ref = b[24 + l];
        int held = ref > 0;
        float vi = p->rest + (v - p->rest) * p->dm + ge * p->ke + gi * p->ki + xv[l] * p->one_minus_dm;
        float vd = held ? v : vi;
        int fire = (vd - p->threshold > 0) && !held;
        b[l] = fire ? p->reset : vd;
        b[8 + l] = ge * p->de;
        b[16 + l] = gi * p->di;
        float down = ref - 1;
        if (down < 0) down = 0;
        b[24 + l] = fire ? p->refractory_after_spike : down;
        mask |= (unsigned)fire << l;
    }
    return mask;
}

#ifdef SK_SIM_X86
__attribute__((target("avx2")))
static ptrdiff_t cuba_step_avx2(const sk_cuba_params *p, float *blocks, float *x, ptrdiff_t n,
                                ptrdiff_t lo, ptrdiff_t hi, int32_t *spikes) {
    const __m256 rest = _mm256_set1_ps(p->rest), dm = _mm256_set1_ps(p->dm), omd = _mm256_set1_ps(p->one_minus_dm);
    const __m256 ke = _mm256_set1_ps(p->ke), ki = _mm256_set1_ps(p->ki), de = _mm256_set1_ps(p->de), di = _mm256_set1_ps(p->di);
    const __m256 thr = _mm256_set1_ps(p->threshold), reset = _mm256_set1_ps(p->reset);
    const __m256 after = _mm256_set1_ps(p->refractory_after_spike), one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
    ptrdiff_t count = 0;
    for (ptrdiff_t k = lo; k < hi; k++) {
        float *b = blocks + k * 32;
        __m256 xv;
        if (k * 8 + 8 <= n) {
            xv = _mm256_loadu_ps(x + k * 8);
            _mm256_storeu_ps(x + k * 8, zero);
        } else {
            float tmp[8] = {0};
            for (ptrdiff_t l = 0; l < n - k * 8; l++) { tmp[l] = x[k * 8 + l]; x[k * 8 + l] = 0; }
            xv = _mm256_loadu_ps(tmp);
        }
        __m256 v = _mm256_loadu_ps(b), ge = _mm256_loadu_ps(b + 8), gi = _mm256_loadu_ps(b + 16), ref = _mm256_loadu_ps(b + 24);
        __m256 held = _mm256_cmp_ps(ref, zero, _CMP_GT_OQ);
        __m256 vi = _mm256_add_ps(rest, _mm256_mul_ps(_mm256_sub_ps(v, rest), dm));
        vi = _mm256_add_ps(vi, _mm256_mul_ps(ge, ke));
        vi = _mm256_add_ps(vi, _mm256_mul_ps(gi, ki));
        vi = _mm256_add_ps(vi, _mm256_mul_ps(xv, omd));
        __m256 vd = _mm256_blendv_ps(vi, v, held);
        __m256 fire = _mm256_andnot_ps(held, _mm256_cmp_ps(_mm256_sub_ps(vd, thr), zero, _CMP_GT_OQ));
        _mm256_storeu_ps(b, _mm256_blendv_ps(vd, reset, fire));
        _mm256_storeu_ps(b + 8, _mm256_mul_ps(ge, de));
        _mm256_storeu_ps(b + 16, _mm256_mul_ps(gi, di));
        __m256 down = _mm256_sub_ps(ref, one);
        down = _mm256_blendv_ps(down, zero, _mm256_cmp_ps(down, zero, _CMP_LT_OQ));
        _mm256_storeu_ps(b + 24, _mm256_blendv_ps(down, after, fire));
        unsigned mask = (unsigned)_mm256_movemask_ps(fire);
        while (mask) {
            int l = __builtin_ctz(mask);
            mask &= mask - 1;
            if (k * 8 + l < n) spikes[count++] = (int32_t)(k * 8 + l);
        }
    }
    return count;
}
#endif

ptrdiff_t sk_cuba_step(const sk_cuba_params *p, float *blocks, float *x, ptrdiff_t n,
                       ptrdiff_t lo, ptrdiff_t hi, int32_t *spikes) {
#ifdef SK_SIM_X86
    if (sk_has_avx2_fma()) return cuba_step_avx2(p, blocks, x, n, lo, hi, spikes);
#endif
    return sk_cuba_step_portable(p, blocks, x, n, lo, hi, spikes);
}

ptrdiff_t sk_cuba_step_portable(const sk_cuba_params *p, float *blocks, float *x, ptrdiff_t n,
                                ptrdiff_t lo, ptrdiff_t hi, int32_t *spikes) {
    ptrdiff_t count = 0;
    for (ptrdiff_t k = lo; k < hi; k++) {
        float xv[8] = {0};
        for (ptrdiff_t l = 0; l < 8 && k * 8 + l < n; l++) { xv[l] = x[k * 8 + l]; x[k * 8 + l] = 0; }
        unsigned mask = cuba_block_portable(p, blocks + k * 32, xv);
        for (int l = 0; l < 8; l++) if ((mask >> l) & 1 && k * 8 + l < n) spikes[count++] = (int32_t)(k * 8 + l);
    }
    return count;
}
