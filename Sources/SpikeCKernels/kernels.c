// Hot matrix kernels of SpikeCore. Each has a portable version and an AVX2 + FMA version selected at run
// time, so the package needs no compiler flags and runs on any x86-64 (or other) CPU.
#include "SpikeCKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SK_X86 1
#endif

int sk_has_avx2_fma(void) {
#ifdef SK_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
#else
    return 0;
#endif
}

int sk_has_avx512(void) {
#ifdef SK_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                 __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") && sk_has_avx2_fma();
    }
    return cached;
#else
    return 0;
#endif
}

// ---------------------------------------------------------------------------------------------- portable

/// The nonzero entries of one row of A: their column indices and values, in increasing column order.
static inline ptrdiff_t gather_active(const float *arow, ptrdiff_t k, int *idx, float *val) {
    ptrdiff_t nnz = 0;
    for (ptrdiff_t kk = 0; kk < k; kk++) if (arow[kk] != 0.0f) { idx[nnz] = (int)kk; val[nnz] = arow[kk]; nnz++; }
    return nnz;
}

static void gemm_rows_portable(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k) {
    for (ptrdiff_t i = r0; i < r1; i++) {
        float *crow = c + i * n;
        const float *arow = a + i * k;
        for (ptrdiff_t kk = 0; kk < k; kk++) {
            float av = arow[kk];
            if (av == 0.0f) continue;
            const float *brow = b + kk * n;
            for (ptrdiff_t j = 0; j < n; j++) crow[j] += av * brow[j];
        }
    }
}

static void spmm_rows_portable(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k,
                               int *idx, float *val) {
    for (ptrdiff_t i = r0; i < r1; i++) {
        ptrdiff_t nnz = gather_active(a + i * k, k, idx, val);
        float *crow = c + i * n;
        for (ptrdiff_t q = 0; q < nnz; q++) {
            const float *brow = b + (ptrdiff_t)idx[q] * n;
            float v = val[q];
            for (ptrdiff_t j = 0; j < n; j++) crow[j] += v * brow[j];
        }
    }
}

// ---------------------------------------------------------------------------------------------- AVX2 + FMA

#ifdef SK_X86
// 4 rows x 16 columns of C in 8 registers; B is walked down a 16-column panel that stays in L1 while the
// rows of the chunk pass over it.
__attribute__((target("avx2,fma")))
static void gemm_rows_avx2(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k) {
    ptrdiff_t j = 0;
    for (; j + 16 <= n; j += 16) {
        ptrdiff_t i = r0;
        for (; i + 4 <= r1; i += 4) {
            const float *a0 = a + i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
            float *c0 = c + i * n + j, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
            __m256 x00 = _mm256_loadu_ps(c0), x01 = _mm256_loadu_ps(c0 + 8);
            __m256 x10 = _mm256_loadu_ps(c1), x11 = _mm256_loadu_ps(c1 + 8);
            __m256 x20 = _mm256_loadu_ps(c2), x21 = _mm256_loadu_ps(c2 + 8);
            __m256 x30 = _mm256_loadu_ps(c3), x31 = _mm256_loadu_ps(c3 + 8);
            const float *bp = b + j;
            for (ptrdiff_t kk = 0; kk < k; kk++, bp += n) {
                __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
                __m256 v;
                v = _mm256_broadcast_ss(a0 + kk); x00 = _mm256_fmadd_ps(v, b0, x00); x01 = _mm256_fmadd_ps(v, b1, x01);
                v = _mm256_broadcast_ss(a1 + kk); x10 = _mm256_fmadd_ps(v, b0, x10); x11 = _mm256_fmadd_ps(v, b1, x11);
                v = _mm256_broadcast_ss(a2 + kk); x20 = _mm256_fmadd_ps(v, b0, x20); x21 = _mm256_fmadd_ps(v, b1, x21);
                v = _mm256_broadcast_ss(a3 + kk); x30 = _mm256_fmadd_ps(v, b0, x30); x31 = _mm256_fmadd_ps(v, b1, x31);
            }
            _mm256_storeu_ps(c0, x00); _mm256_storeu_ps(c0 + 8, x01);
            _mm256_storeu_ps(c1, x10); _mm256_storeu_ps(c1 + 8, x11);
            _mm256_storeu_ps(c2, x20); _mm256_storeu_ps(c2 + 8, x21);
            _mm256_storeu_ps(c3, x30); _mm256_storeu_ps(c3 + 8, x31);
        }
        for (; i < r1; i++) {
            const float *a0 = a + i * k;
            float *c0 = c + i * n + j;
            __m256 x0 = _mm256_loadu_ps(c0), x1 = _mm256_loadu_ps(c0 + 8);
            const float *bp = b + j;
            for (ptrdiff_t kk = 0; kk < k; kk++, bp += n) {
                __m256 v = _mm256_broadcast_ss(a0 + kk);
                x0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp), x0);
                x1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 8), x1);
            }
            _mm256_storeu_ps(c0, x0); _mm256_storeu_ps(c0 + 8, x1);
        }
    }
    if (j < n) {  // remaining columns, k in increasing order per element as above
        for (ptrdiff_t i = r0; i < r1; i++) {
            const float *arow = a + i * k;
            float *crow = c + i * n;
            for (ptrdiff_t jj = j; jj < n; jj++) {
                float acc = crow[jj];
                for (ptrdiff_t kk = 0; kk < k; kk++) acc = __builtin_fmaf(arow[kk], b[kk * n + jj], acc);
                crow[jj] = acc;
            }
        }
    }
}

__attribute__((target("avx2,fma")))
static void spmm_rows_avx2(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k,
                           int *idx, float *val) {
    for (ptrdiff_t i = r0; i < r1; i++) {
        ptrdiff_t nnz = gather_active(a + i * k, k, idx, val);
        if (nnz == 0) continue;
        float *crow = c + i * n;
        ptrdiff_t j = 0;
        for (; j + 64 <= n; j += 64) {
            __m256 x0 = _mm256_loadu_ps(crow + j), x1 = _mm256_loadu_ps(crow + j + 8);
            __m256 x2 = _mm256_loadu_ps(crow + j + 16), x3 = _mm256_loadu_ps(crow + j + 24);
            __m256 x4 = _mm256_loadu_ps(crow + j + 32), x5 = _mm256_loadu_ps(crow + j + 40);
            __m256 x6 = _mm256_loadu_ps(crow + j + 48), x7 = _mm256_loadu_ps(crow + j + 56);
            for (ptrdiff_t q = 0; q < nnz; q++) {
                const float *bp = b + (ptrdiff_t)idx[q] * n + j;
                __m256 v = _mm256_set1_ps(val[q]);
                x0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp), x0);
                x1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 8), x1);
                x2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 16), x2);
                x3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 24), x3);
                x4 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 32), x4);
                x5 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 40), x5);
                x6 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 48), x6);
                x7 = _mm256_fmadd_ps(v, _mm256_loadu_ps(bp + 56), x7);
            }
            _mm256_storeu_ps(crow + j, x0); _mm256_storeu_ps(crow + j + 8, x1);
            _mm256_storeu_ps(crow + j + 16, x2); _mm256_storeu_ps(crow + j + 24, x3);
            _mm256_storeu_ps(crow + j + 32, x4); _mm256_storeu_ps(crow + j + 40, x5);
            _mm256_storeu_ps(crow + j + 48, x6); _mm256_storeu_ps(crow + j + 56, x7);
        }
        for (; j + 8 <= n; j += 8) {
            __m256 x = _mm256_loadu_ps(crow + j);
            for (ptrdiff_t q = 0; q < nnz; q++) x = _mm256_fmadd_ps(_mm256_set1_ps(val[q]), _mm256_loadu_ps(b + (ptrdiff_t)idx[q] * n + j), x);
            _mm256_storeu_ps(crow + j, x);
        }
        for (; j < n; j++) {
            float acc = crow[j];
            for (ptrdiff_t q = 0; q < nnz; q++) acc = __builtin_fmaf(val[q], b[(ptrdiff_t)idx[q] * n + j], acc);
            crow[j] = acc;
        }
    }
}
#endif

static void spmm_tn_rows_portable(const int *row_ptr, const int *col, const float *val, ptrdiff_t rows,
                                  const float *g, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *grow = g + r * n;
        for (int p = row_ptr[r]; p < row_ptr[r + 1]; p++) {
            ptrdiff_t kk = col[p];
            if (kk < k0 || kk >= k1) continue;
            float v = val[p];
            float *orow = out + kk * n;
            for (ptrdiff_t j = 0; j < n; j++) orow[j] += v * grow[j];
        }
    }
}

#ifdef SK_X86
__attribute__((target("avx2,fma")))
static void spmm_tn_rows_avx2(const int *row_ptr, const int *col, const float *val, ptrdiff_t rows,
                              const float *g, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *grow = g + r * n;
        for (int p = row_ptr[r]; p < row_ptr[r + 1]; p++) {
            ptrdiff_t kk = col[p];
            if (kk < k0 || kk >= k1) continue;
            __m256 v = _mm256_set1_ps(val[p]);
            float *orow = out + kk * n;
            ptrdiff_t j = 0;
            for (; j + 8 <= n; j += 8)
                _mm256_storeu_ps(orow + j, _mm256_fmadd_ps(v, _mm256_loadu_ps(grow + j), _mm256_loadu_ps(orow + j)));
            for (; j < n; j++) orow[j] = __builtin_fmaf(val[p], grow[j], orow[j]);
        }
    }
}
#endif

void sk_spmm_tn_rows(const int *row_ptr, const int *col, const float *val, ptrdiff_t rows,
                     const float *g, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
#ifdef SK_X86
    if (sk_has_avx2_fma()) { spmm_tn_rows_avx2(row_ptr, col, val, rows, g, out, n, k0, k1); return; }
#endif
    spmm_tn_rows_portable(row_ptr, col, val, rows, g, out, n, k0, k1);
}

void sk_gemm_rows(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k) {
#ifdef SK_X86
    if (sk_has_avx2_fma()) { gemm_rows_avx2(a, b, c, r0, r1, n, k); return; }
#endif
    gemm_rows_portable(a, b, c, r0, r1, n, k);
}

void sk_spmm_rows(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k,
                  int *idx, float *val) {
#ifdef SK_X86
    if (sk_has_avx2_fma()) { spmm_rows_avx2(a, b, c, r0, r1, n, k, idx, val); return; }
#endif
    spmm_rows_portable(a, b, c, r0, r1, n, k, idx, val);
}
