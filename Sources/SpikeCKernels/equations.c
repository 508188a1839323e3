// The instruction loop of SpikeEquations' lane program on eight lanes per AVX2 instruction (Swift's SIMD8
// code runs as two SSE halves on the default x86-64 target). Each operation is stored to the register file
// before the next is read, so no multiply-add is fused and the bits equal the Swift path's.
#include "SpikeEquationKernels.h"

int sk_has_avx2_fma(void);

#if defined(__x86_64__)
#include <immintrin.h>

#define SK_LOOP(expr) for (ptrdiff_t j = 0; j < w; j++) { \
        __m256 a = _mm256_loadu_ps(x + j * xs), b = _mm256_loadu_ps(y + j * ys); (void)b; \
        _mm256_storeu_ps(d + j * 8, (expr)); } break;

static inline const float *operand(int32_t o, float *regs, const float *uniforms, const float *states, ptrdiff_t ss,
                                   ptrdiff_t w, ptrdiff_t *stride) {
    if (o >= SK_EQ_STATE) { *stride = ss; return states + (ptrdiff_t)(o - SK_EQ_STATE) * 8; }
    if (o >= 0) { *stride = 8; return regs + (ptrdiff_t)o * w * 8; }
    *stride = 0; return uniforms + (ptrdiff_t)(-o - 1) * 8;
}

__attribute__((target("avx2")))
static void run_avx2(const sk_eq_instr *ins, ptrdiff_t count, float *regs, const float *uniforms, const float *states,
                     ptrdiff_t ss, ptrdiff_t w) {
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (ptrdiff_t k = 0; k < count; k++) {
        const sk_eq_instr q = ins[k];
        float *d = regs + (ptrdiff_t)q.d * w * 8;
        // A negative operand -(u + 1) reads uniform u (eight equal lanes), the same for every block (stride 0);
        // SK_EQ_STATE + k reads state variable k in place (block j at states + j * ss + k * 8).
        ptrdiff_t xs, ys, zs;
        const float *x = operand(q.x, regs, uniforms, states, ss, w, &xs);
        const float *y = operand(q.y, regs, uniforms, states, ss, w, &ys);
        const float *z = operand(q.z, regs, uniforms, states, ss, w, &zs);
        switch (q.op) {
        case SK_EQ_ADD: SK_LOOP(_mm256_add_ps(a, b))
        case SK_EQ_SUB: SK_LOOP(_mm256_sub_ps(a, b))
        case SK_EQ_MUL: SK_LOOP(_mm256_mul_ps(a, b))
        case SK_EQ_DIV: SK_LOOP(_mm256_div_ps(a, b))
        case SK_EQ_NEG: SK_LOOP(_mm256_xor_ps(a, sign))
        case SK_EQ_MIN: SK_LOOP(_mm256_blendv_ps(a, b, _mm256_cmp_ps(b, a, _CMP_LT_OQ)))   // y < x ? y : x
        case SK_EQ_MAX: SK_LOOP(_mm256_blendv_ps(a, b, _mm256_cmp_ps(b, a, _CMP_GE_OQ)))   // y >= x ? y : x
        case SK_EQ_SQRT: SK_LOOP(_mm256_sqrt_ps(a))
        case SK_EQ_ABS: SK_LOOP(_mm256_blendv_ps(a, _mm256_xor_ps(a, sign), _mm256_cmp_ps(a, zero, _CMP_LT_OQ)))
        case SK_EQ_FLOOR: SK_LOOP(_mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))
        case SK_EQ_CEIL: SK_LOOP(_mm256_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))
        case SK_EQ_TRUNC: SK_LOOP(_mm256_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC))
        case SK_EQ_LT: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ), one))
        case SK_EQ_LE: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_LE_OQ), one))
        case SK_EQ_GT: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_GT_OQ), one))
        case SK_EQ_GE: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_GE_OQ), one))
        case SK_EQ_EQ: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ), one))
        case SK_EQ_NE: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_NEQ_UQ), one))
        case SK_EQ_AND: SK_LOOP(_mm256_and_ps(_mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_NEQ_UQ), _mm256_cmp_ps(b, zero, _CMP_NEQ_UQ)), one))
        case SK_EQ_OR: SK_LOOP(_mm256_and_ps(_mm256_or_ps(_mm256_cmp_ps(a, zero, _CMP_NEQ_UQ), _mm256_cmp_ps(b, zero, _CMP_NEQ_UQ)), one))
        case SK_EQ_NOT: SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_EQ_OQ), one))
        case SK_EQ_SELECT: SK_LOOP(_mm256_blendv_ps(_mm256_loadu_ps(z + j * zs), b, _mm256_cmp_ps(a, zero, _CMP_NEQ_UQ)))
        case SK_EQ_FIRE:
            if (q.flag != 0) { SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_GE_OQ), one)) }
            else { SK_LOOP(_mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_GT_OQ), one)) }
        default: break;
        }
    }
}
#endif

int sk_eq_run(const sk_eq_instr *ins, ptrdiff_t count, float *regs, const float *uniforms, const float *states,
              ptrdiff_t state_stride, ptrdiff_t width) {
#if defined(__x86_64__)
    if (sk_has_avx2_fma()) { run_avx2(ins, count, regs, uniforms, states, state_stride, width); return 1; }
#endif
    (void)ins; (void)count; (void)regs; (void)uniforms; (void)states; (void)state_stride; (void)width;
    return 0;
}
