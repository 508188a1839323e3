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

__attribute__((target("avx2")))
static void run_avx2(const sk_eq_instr *ins, ptrdiff_t count, float *regs, const float *uniforms, ptrdiff_t w) {
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (ptrdiff_t k = 0; k < count; k++) {
        const sk_eq_instr q = ins[k];
        float *d = regs + (ptrdiff_t)q.d * w * 8;
        // A negative operand -(u + 1) reads uniform u (eight equal lanes), the same for every block (stride 0).
        const float *x = q.x >= 0 ? regs + (ptrdiff_t)q.x * w * 8 : uniforms + (ptrdiff_t)(-q.x - 1) * 8;
        const float *y = q.y >= 0 ? regs + (ptrdiff_t)q.y * w * 8 : uniforms + (ptrdiff_t)(-q.y - 1) * 8;
        const float *z = q.z >= 0 ? regs + (ptrdiff_t)q.z * w * 8 : uniforms + (ptrdiff_t)(-q.z - 1) * 8;
        const ptrdiff_t xs = q.x >= 0 ? 8 : 0, ys = q.y >= 0 ? 8 : 0, zs = q.z >= 0 ? 8 : 0;
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

int sk_eq_run(const sk_eq_instr *ins, ptrdiff_t count, float *regs, const float *uniforms, ptrdiff_t width) {
#if defined(__x86_64__)
    if (sk_has_avx2_fma()) { run_avx2(ins, count, regs, uniforms, width); return 1; }
#endif
    (void)ins; (void)count; (void)regs; (void)uniforms; (void)width;
    return 0;
}
