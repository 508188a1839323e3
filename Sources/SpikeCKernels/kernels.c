// Hot matrix kernels of SpikeCore. Each has a portable version and an AVX2 + FMA version selected at run
// time, so the package needs no compiler flags and runs on any x86-64 (or other) CPU.
#include "SpikeCKernels.h"
#include <string.h>
#include <stdint.h>

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

// ---------------------------------------------------------------------------------------------- compressed rows
// The spike-driven products on compressed rows (CSR: row_ptr [m + 1], col [nnz], val [nnz]) built once per
// matrix, so the forward product and the weight gradient do not scan the dense matrix again.

static ptrdiff_t count_nonzero_portable(const float *a, ptrdiff_t count) {
    ptrdiff_t n = 0;
    for (ptrdiff_t i = 0; i < count; i++) n += a[i] != 0.0f;
    return n;
}

static ptrdiff_t compress_rows_portable(const float *a, ptrdiff_t m, ptrdiff_t k, int *row_ptr, int *col, float *val,
                                        ptrdiff_t max_nnz) {
    ptrdiff_t nnz = 0;
    row_ptr[0] = 0;
    for (ptrdiff_t r = 0; r < m; r++) {
        const float *ar = a + r * k;
        for (ptrdiff_t kk = 0; kk < k; kk++) if (ar[kk] != 0.0f) {
            if (nnz == max_nnz) return -1;
            col[nnz] = (int)kk; val[nnz] = ar[kk]; nnz++;
        }
        row_ptr[r + 1] = (int)nnz;
    }
    return nnz;
}

// `fused`: one fused multiply-add per element (the AVX versions' arithmetic); otherwise multiply then add,
// as the other portable kernels (a CPU without FMA would call the C library's fmaf per element).
static inline __attribute__((always_inline)) void csr_spmm_rows_body(const int *row_ptr, const int *col, const float *val,
        const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, int fused, int overwrite) {
    for (ptrdiff_t i = r0; i < r1; i++) {
        float *restrict crow = c + i * n;
        if (overwrite) memset(crow, 0, (size_t)n * sizeof(float));
        for (int q = row_ptr[i]; q < row_ptr[i + 1]; q++) {
            const float *restrict brow = b + (ptrdiff_t)col[q] * n;
            float v = val[q];
            if (fused) for (ptrdiff_t j = 0; j < n; j++) crow[j] = __builtin_fmaf(v, brow[j], crow[j]);
            else for (ptrdiff_t j = 0; j < n; j++) crow[j] += v * brow[j];
        }
    }
}

static inline __attribute__((always_inline)) void csc_tn_rows_body(const int *col_ptr, const int *rows, const float *val,
        const float *g, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1, int fused) {
    for (ptrdiff_t kk = k0; kk < k1; kk++) {
        float *restrict orow = out + kk * n;
        for (int p = col_ptr[kk]; p < col_ptr[kk + 1]; p++) {
            const float *restrict grow = g + (ptrdiff_t)rows[p] * n;
            float v = val[p];
            if (fused) for (ptrdiff_t j = 0; j < n; j++) orow[j] = __builtin_fmaf(v, grow[j], orow[j]);
            else for (ptrdiff_t j = 0; j < n; j++) orow[j] += v * grow[j];
        }
    }
}

static void csr_spmm_rows_portable(const int *row_ptr, const int *col, const float *val, const float *b, float *c,
                                   ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, int overwrite) {
    csr_spmm_rows_body(row_ptr, col, val, b, c, r0, r1, n, 0, overwrite);
}

static void csc_tn_rows_portable(const int *col_ptr, const int *rows, const float *val, const float *g, float *out,
                                 ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    csc_tn_rows_body(col_ptr, rows, val, g, out, n, k0, k1, 0);
}

#ifdef SK_X86
__attribute__((target("avx2,fma")))
static void csr_spmm_rows_avx2(const int *row_ptr, const int *col, const float *val, const float *b, float *c,
                               ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, int overwrite) {
    csr_spmm_rows_body(row_ptr, col, val, b, c, r0, r1, n, 1, overwrite);
}

__attribute__((target("avx2,fma")))
static void csc_tn_rows_avx2(const int *col_ptr, const int *rows, const float *val, const float *g, float *out,
                             ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    csc_tn_rows_body(col_ptr, rows, val, g, out, n, k0, k1, 1);
}
#endif

#ifdef SK_X86
#define SK_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))

SK_AVX512 static ptrdiff_t count_nonzero_avx512(const float *a, ptrdiff_t count) {
    ptrdiff_t n = 0, i = 0;
    const __m512 z = _mm512_setzero_ps();
    for (; i + 16 <= count; i += 16) n += __builtin_popcount(_mm512_cmp_ps_mask(_mm512_loadu_ps(a + i), z, _CMP_NEQ_UQ));
    for (; i < count; i++) n += a[i] != 0.0f;
    return n;
}

// `col` and `val` need 16 elements of slack: full vectors are stored at the write position.
SK_AVX512 static ptrdiff_t compress_rows_avx512(const float *a, ptrdiff_t m, ptrdiff_t k, int *row_ptr, int *col, float *val,
                                                ptrdiff_t max_nnz) {
    ptrdiff_t nnz = 0;
    row_ptr[0] = 0;
    const __m512 z = _mm512_setzero_ps();
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), sixteen = _mm512_set1_epi32(16);
    for (ptrdiff_t r = 0; r < m; r++) {
        const float *ar = a + r * k;
        __m512i iv = lanes;
        ptrdiff_t kk = 0;
        for (; kk + 16 <= k; kk += 16, iv = _mm512_add_epi32(iv, sixteen)) {
            __m512 v = _mm512_loadu_ps(ar + kk);
            __mmask16 mk = _mm512_cmp_ps_mask(v, z, _CMP_NEQ_UQ);
            if (!mk) continue;
            _mm512_storeu_si512((void *)(col + nnz), _mm512_maskz_compress_epi32(mk, iv));
            _mm512_storeu_ps(val + nnz, _mm512_maskz_compress_ps(mk, v));
            nnz += __builtin_popcount(mk);
            if (nnz > max_nnz) return -1;
        }
        for (; kk < k; kk++) if (ar[kk] != 0.0f) {
            if (nnz == max_nnz) return -1;
            col[nnz] = (int)kk; val[nnz] = ar[kk]; nnz++;
        }
        row_ptr[r + 1] = (int)nnz;
    }
    return nnz;
}

// C[rows] += A[rows] B with A in compressed rows: blocks of 128 columns of C in 8 registers, the active rows
// of B summed into them in increasing column order of A (fused multiply-add per element, as every other
// version, so the bits do not depend on the block widths).
SK_AVX512 static void csr_spmm_rows_avx512(const int *row_ptr, const int *col, const float *val, const float *b, float *c,
                                           ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, int overwrite) {
    for (ptrdiff_t i = r0; i < r1; i++) {
        const int q0 = row_ptr[i], q1 = row_ptr[i + 1];
        float *crow = c + i * n;
        if (q0 == q1) { if (overwrite) memset(crow, 0, (size_t)n * sizeof(float)); continue; }
        ptrdiff_t j = 0;
        for (; j + 128 <= n; j += 128) {
            __m512 x0, x1, x2, x3, x4, x5, x6, x7;
            if (overwrite) { x0 = x1 = x2 = x3 = x4 = x5 = x6 = x7 = _mm512_setzero_ps(); }
            else {
                x0 = _mm512_loadu_ps(crow + j); x1 = _mm512_loadu_ps(crow + j + 16);
                x2 = _mm512_loadu_ps(crow + j + 32); x3 = _mm512_loadu_ps(crow + j + 48);
                x4 = _mm512_loadu_ps(crow + j + 64); x5 = _mm512_loadu_ps(crow + j + 80);
                x6 = _mm512_loadu_ps(crow + j + 96); x7 = _mm512_loadu_ps(crow + j + 112);
            }
            for (int q = q0; q < q1; q++) {
                const float *bp = b + (ptrdiff_t)col[q] * n + j;
                __m512 v = _mm512_set1_ps(val[q]);
                x0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp), x0);
                x1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 16), x1);
                x2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 32), x2);
                x3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 48), x3);
                x4 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 64), x4);
                x5 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 80), x5);
                x6 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 96), x6);
                x7 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 112), x7);
            }
            _mm512_storeu_ps(crow + j, x0); _mm512_storeu_ps(crow + j + 16, x1);
            _mm512_storeu_ps(crow + j + 32, x2); _mm512_storeu_ps(crow + j + 48, x3);
            _mm512_storeu_ps(crow + j + 64, x4); _mm512_storeu_ps(crow + j + 80, x5);
            _mm512_storeu_ps(crow + j + 96, x6); _mm512_storeu_ps(crow + j + 112, x7);
        }
        for (; j + 32 <= n; j += 32) {
            __m512 x0 = overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(crow + j);
            __m512 x1 = overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(crow + j + 16);
            for (int q = q0; q < q1; q++) {
                const float *bp = b + (ptrdiff_t)col[q] * n + j;
                __m512 v = _mm512_set1_ps(val[q]);
                x0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp), x0);
                x1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 16), x1);
            }
            _mm512_storeu_ps(crow + j, x0); _mm512_storeu_ps(crow + j + 16, x1);
        }
        for (; j < n; j += 16) {
            __mmask16 mk = n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1);
            __m512 x = overwrite ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mk, crow + j);
            for (int q = q0; q < q1; q++)
                x = _mm512_fmadd_ps(_mm512_set1_ps(val[q]), _mm512_maskz_loadu_ps(mk, b + (ptrdiff_t)col[q] * n + j), x);
            _mm512_mask_storeu_ps(crow + j, mk, x);
        }
    }
}

// OUT[k0..k1) += A^T G from A in compressed columns (col_ptr [K + 1], rows [nnz], val [nnz], rows increasing
// within a column): each row of OUT accumulates its list of rows of G in registers, 128 columns at a time.
// The column blocks start where G's rows are 64-byte aligned (when n is a multiple of 16 every row of G has
// the same misalignment, so a short masked block first makes the other loads touch one cache line each).
// The blocking does not change any element's order of summation.
SK_AVX512 static inline void csc_accumulate(float *orow, const float *g, ptrdiff_t n, const int *rows, const float *val,
                                            int p0, int p1, ptrdiff_t j0, ptrdiff_t w) {
    if (w == 128) {
        __m512 x0 = _mm512_loadu_ps(orow + j0), x1 = _mm512_loadu_ps(orow + j0 + 16);
        __m512 x2 = _mm512_loadu_ps(orow + j0 + 32), x3 = _mm512_loadu_ps(orow + j0 + 48);
        __m512 x4 = _mm512_loadu_ps(orow + j0 + 64), x5 = _mm512_loadu_ps(orow + j0 + 80);
        __m512 x6 = _mm512_loadu_ps(orow + j0 + 96), x7 = _mm512_loadu_ps(orow + j0 + 112);
        for (int p = p0; p < p1; p++) {
            const float *gp = g + (ptrdiff_t)rows[p] * n + j0;
            __m512 v = _mm512_set1_ps(val[p]);
            x0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp), x0);
            x1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 16), x1);
            x2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 32), x2);
            x3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 48), x3);
            x4 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 64), x4);
            x5 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 80), x5);
            x6 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 96), x6);
            x7 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 112), x7);
        }
        _mm512_storeu_ps(orow + j0, x0); _mm512_storeu_ps(orow + j0 + 16, x1);
        _mm512_storeu_ps(orow + j0 + 32, x2); _mm512_storeu_ps(orow + j0 + 48, x3);
        _mm512_storeu_ps(orow + j0 + 64, x4); _mm512_storeu_ps(orow + j0 + 80, x5);
        _mm512_storeu_ps(orow + j0 + 96, x6); _mm512_storeu_ps(orow + j0 + 112, x7);
        return;
    }
    const int nv = (int)((w + 15) / 16);
    __mmask16 msk[8];
    __m512 acc[8];
    for (int u = 0; u < nv; u++) {
        ptrdiff_t left = w - 16 * u;
        msk[u] = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        acc[u] = _mm512_maskz_loadu_ps(msk[u], orow + j0 + 16 * u);
    }
    for (int p = p0; p < p1; p++) {
        const float *gp = g + (ptrdiff_t)rows[p] * n + j0;
        const __m512 v = _mm512_set1_ps(val[p]);
        for (int u = 0; u < nv; u++) acc[u] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(msk[u], gp + 16 * u), acc[u]);
    }
    for (int u = 0; u < nv; u++) _mm512_mask_storeu_ps(orow + j0 + 16 * u, msk[u], acc[u]);
}

SK_AVX512 static void csc_tn_rows_avx512(const int *col_ptr, const int *rows, const float *val, const float *g, float *out,
                                         ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    ptrdiff_t lead = 0;
    if (n % 16 == 0) lead = ((64 - ((uintptr_t)g & 63)) & 63) / 4;   // floats before the first aligned one
    if (lead > n) lead = n;
    for (ptrdiff_t kk = k0; kk < k1; kk++) {
        const int p0 = col_ptr[kk], p1 = col_ptr[kk + 1];
        if (p0 == p1) continue;
        float *orow = out + kk * n;
        if (lead > 0) csc_accumulate(orow, g, n, rows, val, p0, p1, 0, lead);
        for (ptrdiff_t j = lead; j < n; j += 128) csc_accumulate(orow, g, n, rows, val, p0, p1, j, n - j < 128 ? n - j : 128);
    }
}
#endif

ptrdiff_t sk_count_nonzero(const float *a, ptrdiff_t count) {
#ifdef SK_X86
    if (sk_has_avx512()) return count_nonzero_avx512(a, count);
#endif
    return count_nonzero_portable(a, count);
}

ptrdiff_t sk_compress_rows(const float *a, ptrdiff_t m, ptrdiff_t k, int *row_ptr, int *col, float *val, ptrdiff_t max_nnz) {
#ifdef SK_X86
    if (sk_has_avx512()) return compress_rows_avx512(a, m, k, row_ptr, col, val, max_nnz);
#endif
    return compress_rows_portable(a, m, k, row_ptr, col, val, max_nnz);
}

void sk_csr_transpose(const int *row_ptr, const int *col, const float *val, ptrdiff_t m, ptrdiff_t k,
                      int *col_ptr, int *rows, float *tval, int *scratch) {
    for (ptrdiff_t kk = 0; kk <= k; kk++) col_ptr[kk] = 0;
    const int nnz = row_ptr[m];
    for (int p = 0; p < nnz; p++) col_ptr[col[p] + 1]++;
    for (ptrdiff_t kk = 0; kk < k; kk++) col_ptr[kk + 1] += col_ptr[kk];
    for (ptrdiff_t kk = 0; kk < k; kk++) scratch[kk] = col_ptr[kk];
    for (ptrdiff_t r = 0; r < m; r++) {
        for (int p = row_ptr[r]; p < row_ptr[r + 1]; p++) {
            int q = scratch[col[p]]++;
            rows[q] = (int)r;
            tval[q] = val[p];
        }
    }
}

void sk_csr_spmm_rows(const int *row_ptr, const int *col, const float *val, const float *b, float *c,
                      ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, int overwrite) {
#ifdef SK_X86
    if (sk_has_avx512()) { csr_spmm_rows_avx512(row_ptr, col, val, b, c, r0, r1, n, overwrite); return; }
    if (sk_has_avx2_fma()) { csr_spmm_rows_avx2(row_ptr, col, val, b, c, r0, r1, n, overwrite); return; }
#endif
    csr_spmm_rows_portable(row_ptr, col, val, b, c, r0, r1, n, overwrite);
}

void sk_csc_tn_rows(const int *col_ptr, const int *rows, const float *val, const float *g, float *out,
                    ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
#ifdef SK_X86
    if (sk_has_avx512()) { csc_tn_rows_avx512(col_ptr, rows, val, g, out, n, k0, k1); return; }
    if (sk_has_avx2_fma()) { csc_tn_rows_avx2(col_ptr, rows, val, g, out, n, k0, k1); return; }
#endif
    csc_tn_rows_portable(col_ptr, rows, val, g, out, n, k0, k1);
}

// ------------------------------------------------------------------ weight gradient with a sparse G

/// `csc_tn_rows_body` on a G given in compressed rows: only G's nonzero entries are read and added. Each
/// element of OUT receives its terms in the same (increasing row) order with the same operation (fused
/// multiply-add or multiply then add), and a skipped term is an exact zero (acc + v * 0 = acc, the sums
/// starting from +0 never being -0), so the bits equal the dense kernels' for finite values.
static inline __attribute__((always_inline)) void csc_tn_sparse_body(const int *col_ptr, const int *rows, const float *val,
        const int *g_ptr, const int *g_col, const float *g_val, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1, int fused) {
    for (ptrdiff_t kk = k0; kk < k1; kk++) {
        float *restrict orow = out + kk * n;
        for (int p = col_ptr[kk]; p < col_ptr[kk + 1]; p++) {
            const int r = rows[p];
            const int q0 = g_ptr[r], q1 = g_ptr[r + 1];
            if (!val) { for (int q = q0; q < q1; q++) orow[g_col[q]] += g_val[q]; continue; }
            const float v = val[p];
            if (fused) for (int q = q0; q < q1; q++) orow[g_col[q]] = __builtin_fmaf(v, g_val[q], orow[g_col[q]]);
            else for (int q = q0; q < q1; q++) orow[g_col[q]] += v * g_val[q];
        }
    }
}

static void csc_tn_sparse_portable(const int *col_ptr, const int *rows, const float *val, const int *g_ptr, const int *g_col,
                                   const float *g_val, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    csc_tn_sparse_body(col_ptr, rows, val, g_ptr, g_col, g_val, out, n, k0, k1, 0);
}
#ifdef SK_X86
__attribute__((target("avx2,fma")))
static void csc_tn_sparse_fma(const int *col_ptr, const int *rows, const float *val, const int *g_ptr, const int *g_col,
                              const float *g_val, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
    csc_tn_sparse_body(col_ptr, rows, val, g_ptr, g_col, g_val, out, n, k0, k1, 1);
}
#endif

void sk_csc_tn_sparse_rows(const int *col_ptr, const int *rows, const float *val, const int *g_ptr, const int *g_col,
                           const float *g_val, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1) {
#ifdef SK_X86
    // The AVX kernels (sk_csc_tn_rows, sk_csc_tn_block) use fused multiply-adds, the portable one does not.
    if (sk_has_avx512() || sk_has_avx2_fma()) { csc_tn_sparse_fma(col_ptr, rows, val, g_ptr, g_col, g_val, out, n, k0, k1); return; }
#endif
    csc_tn_sparse_portable(col_ptr, rows, val, g_ptr, g_col, g_val, out, n, k0, k1);
}

#ifdef SK_X86
// 8 x 8 block transpose in AVX registers (unpack, shuffle, lane permute).
__attribute__((target("avx2,fma")))
static inline void transpose8x8(const float *a, ptrdiff_t lda, float *b, ptrdiff_t ldb) {
    __m256 r0 = _mm256_loadu_ps(a), r1 = _mm256_loadu_ps(a + lda), r2 = _mm256_loadu_ps(a + 2 * lda), r3 = _mm256_loadu_ps(a + 3 * lda);
    __m256 r4 = _mm256_loadu_ps(a + 4 * lda), r5 = _mm256_loadu_ps(a + 5 * lda), r6 = _mm256_loadu_ps(a + 6 * lda), r7 = _mm256_loadu_ps(a + 7 * lda);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5), t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE), u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE), u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(b, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(b + ldb, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(b + 2 * ldb, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(b + 3 * ldb, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(b + 4 * ldb, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(b + 5 * ldb, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(b + 6 * ldb, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(b + 7 * ldb, _mm256_permute2f128_ps(u3, u7, 0x31));
}

__attribute__((target("avx2,fma")))
static void transpose_avx2(const float *a, float *b, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t r0, ptrdiff_t r1) {
    const ptrdiff_t tile = 32;
    for (ptrdiff_t i0 = r0; i0 < r1; i0 += tile) {
        const ptrdiff_t i1 = i0 + tile < r1 ? i0 + tile : r1;
        for (ptrdiff_t j0 = 0; j0 < cols; j0 += tile) {
            const ptrdiff_t j1 = j0 + tile < cols ? j0 + tile : cols;
            ptrdiff_t i = i0;
            for (; i + 8 <= i1; i += 8) {
                ptrdiff_t j = j0;
                for (; j + 8 <= j1; j += 8) transpose8x8(a + i * cols + j, cols, b + j * rows + i, rows);
                for (; j < j1; j++) for (ptrdiff_t ii = i; ii < i + 8; ii++) b[j * rows + ii] = a[ii * cols + j];
            }
            for (; i < i1; i++) for (ptrdiff_t j = j0; j < j1; j++) b[j * rows + i] = a[i * cols + j];
        }
    }
}
#endif

void sk_transpose(const float *a, float *b, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t r0, ptrdiff_t r1) {
#ifdef SK_X86
    if (sk_has_avx2_fma()) { transpose_avx2(a, b, rows, cols, r0, r1); return; }
#endif
    const ptrdiff_t tile = 16;
    for (ptrdiff_t i0 = r0; i0 < r1; i0 += tile) {
        const ptrdiff_t i1 = i0 + tile < r1 ? i0 + tile : r1;
        for (ptrdiff_t j0 = 0; j0 < cols; j0 += tile) {
            const ptrdiff_t j1 = j0 + tile < cols ? j0 + tile : cols;
            for (ptrdiff_t j = j0; j < j1; j++)
                for (ptrdiff_t i = i0; i < i1; i++) b[j * rows + i] = a[i * cols + j];
        }
    }
}

// ---------------------------------------------------------------------------------------------- allocator
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int sk_keep_freed_memory(void) {
#if defined(__GLIBC__)
    // Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and freed memory is kept for
    // reuse instead of being returned to the kernel: no page faults and zero-filling of fresh pages for the
    // [T, B, N] buffers that every training step allocates and frees.
    int ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    ok &= mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    ok &= mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    return ok;
#else
    return 0;
#endif
}

// ---------------------------------------------------------------------------------------------- packed dense
// The dense product with B packed once into contiguous panels of 32 columns ([n/32][k][32], the last panel
// padded with zeros): a panel is read with unit stride whatever n is (B's rows 1 KiB apart would map to a few
// L1 sets and thrash). AVX-512 micro-kernel: 8 rows x 32 columns of C in 16 registers. Every element of C is
// still c = fma(a[i, kk], b[kk, j], c) for kk = 0, 1, ...: the same bits as sk_gemm_rows.

ptrdiff_t sk_packed_size(ptrdiff_t k, ptrdiff_t n) { return ((n + 31) / 32) * 32 * k; }

void sk_pack_b(const float *b, ptrdiff_t k, ptrdiff_t n, float *packed) {
    const ptrdiff_t panels = (n + 31) / 32;
    for (ptrdiff_t p = 0; p < panels; p++) {
        const ptrdiff_t j0 = p * 32, w = n - j0 < 32 ? n - j0 : 32;
        float *dst = packed + p * 32 * k;
        for (ptrdiff_t kk = 0; kk < k; kk++) {
            const float *src = b + kk * n + j0;
            ptrdiff_t j = 0;
            for (; j < w; j++) dst[kk * 32 + j] = src[j];
            for (; j < 32; j++) dst[kk * 32 + j] = 0.0f;
        }
    }
}

#ifdef SK_X86
SK_AVX512 static void gemm_packed_rows_avx512(const float *a, const float *packed, float *c, ptrdiff_t r0, ptrdiff_t r1,
                                              ptrdiff_t n, ptrdiff_t k) {
    const ptrdiff_t panels = (n + 31) / 32;
    for (ptrdiff_t p = 0; p < panels; p++) {
        const ptrdiff_t j0 = p * 32, w = n - j0 < 32 ? n - j0 : 32;
        const __mmask16 m0 = w >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << w) - 1);
        const __mmask16 m1 = w >= 32 ? (__mmask16)0xFFFF : (w <= 16 ? (__mmask16)0 : (__mmask16)((1u << (w - 16)) - 1));
        const float *bp0 = packed + p * 32 * k;
        ptrdiff_t i = r0;
        for (; i + 8 <= r1; i += 8) {
            const float *a0 = a + i * k;
            float *c0 = c + i * n + j0;
            __m512 x00 = _mm512_maskz_loadu_ps(m0, c0), x01 = _mm512_maskz_loadu_ps(m1, c0 + 16);
            __m512 x10 = _mm512_maskz_loadu_ps(m0, c0 + n), x11 = _mm512_maskz_loadu_ps(m1, c0 + n + 16);
            __m512 x20 = _mm512_maskz_loadu_ps(m0, c0 + 2 * n), x21 = _mm512_maskz_loadu_ps(m1, c0 + 2 * n + 16);
            __m512 x30 = _mm512_maskz_loadu_ps(m0, c0 + 3 * n), x31 = _mm512_maskz_loadu_ps(m1, c0 + 3 * n + 16);
            __m512 x40 = _mm512_maskz_loadu_ps(m0, c0 + 4 * n), x41 = _mm512_maskz_loadu_ps(m1, c0 + 4 * n + 16);
            __m512 x50 = _mm512_maskz_loadu_ps(m0, c0 + 5 * n), x51 = _mm512_maskz_loadu_ps(m1, c0 + 5 * n + 16);
            __m512 x60 = _mm512_maskz_loadu_ps(m0, c0 + 6 * n), x61 = _mm512_maskz_loadu_ps(m1, c0 + 6 * n + 16);
            __m512 x70 = _mm512_maskz_loadu_ps(m0, c0 + 7 * n), x71 = _mm512_maskz_loadu_ps(m1, c0 + 7 * n + 16);
            const float *bp = bp0;
            for (ptrdiff_t kk = 0; kk < k; kk++, bp += 32) {
                const __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
                __m512 v;
                v = _mm512_set1_ps(a0[kk]);         x00 = _mm512_fmadd_ps(v, b0, x00); x01 = _mm512_fmadd_ps(v, b1, x01);
                v = _mm512_set1_ps(a0[k + kk]);     x10 = _mm512_fmadd_ps(v, b0, x10); x11 = _mm512_fmadd_ps(v, b1, x11);
                v = _mm512_set1_ps(a0[2 * k + kk]); x20 = _mm512_fmadd_ps(v, b0, x20); x21 = _mm512_fmadd_ps(v, b1, x21);
                v = _mm512_set1_ps(a0[3 * k + kk]); x30 = _mm512_fmadd_ps(v, b0, x30); x31 = _mm512_fmadd_ps(v, b1, x31);
                v = _mm512_set1_ps(a0[4 * k + kk]); x40 = _mm512_fmadd_ps(v, b0, x40); x41 = _mm512_fmadd_ps(v, b1, x41);
                v = _mm512_set1_ps(a0[5 * k + kk]); x50 = _mm512_fmadd_ps(v, b0, x50); x51 = _mm512_fmadd_ps(v, b1, x51);
                v = _mm512_set1_ps(a0[6 * k + kk]); x60 = _mm512_fmadd_ps(v, b0, x60); x61 = _mm512_fmadd_ps(v, b1, x61);
                v = _mm512_set1_ps(a0[7 * k + kk]); x70 = _mm512_fmadd_ps(v, b0, x70); x71 = _mm512_fmadd_ps(v, b1, x71);
            }
            _mm512_mask_storeu_ps(c0, m0, x00);         _mm512_mask_storeu_ps(c0 + 16, m1, x01);
            _mm512_mask_storeu_ps(c0 + n, m0, x10);     _mm512_mask_storeu_ps(c0 + n + 16, m1, x11);
            _mm512_mask_storeu_ps(c0 + 2 * n, m0, x20); _mm512_mask_storeu_ps(c0 + 2 * n + 16, m1, x21);
            _mm512_mask_storeu_ps(c0 + 3 * n, m0, x30); _mm512_mask_storeu_ps(c0 + 3 * n + 16, m1, x31);
            _mm512_mask_storeu_ps(c0 + 4 * n, m0, x40); _mm512_mask_storeu_ps(c0 + 4 * n + 16, m1, x41);
            _mm512_mask_storeu_ps(c0 + 5 * n, m0, x50); _mm512_mask_storeu_ps(c0 + 5 * n + 16, m1, x51);
            _mm512_mask_storeu_ps(c0 + 6 * n, m0, x60); _mm512_mask_storeu_ps(c0 + 6 * n + 16, m1, x61);
            _mm512_mask_storeu_ps(c0 + 7 * n, m0, x70); _mm512_mask_storeu_ps(c0 + 7 * n + 16, m1, x71);
        }
        for (; i < r1; i++) {
            const float *a0 = a + i * k;
            float *c0 = c + i * n + j0;
            __m512 x0 = _mm512_maskz_loadu_ps(m0, c0), x1 = _mm512_maskz_loadu_ps(m1, c0 + 16);
            const float *bp = bp0;
            for (ptrdiff_t kk = 0; kk < k; kk++, bp += 32) {
                const __m512 v = _mm512_set1_ps(a0[kk]);
                x0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp), x0);
                x1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 16), x1);
            }
            _mm512_mask_storeu_ps(c0, m0, x0); _mm512_mask_storeu_ps(c0 + 16, m1, x1);
        }
    }
}
#endif

int sk_gemm_packed_available(void) {
#ifdef SK_X86
    return sk_has_avx512();
#else
    return 0;
#endif
}

void sk_gemm_packed_rows(const float *a, const float *packed, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k) {
#ifdef SK_X86
    if (sk_has_avx512()) { gemm_packed_rows_avx512(a, packed, c, r0, r1, n, k); return; }
#endif
    // Without AVX-512 callers use sk_gemm_rows on the unpacked B (sk_gemm_packed_available() == 0).
    (void)a; (void)packed; (void)c; (void)r0; (void)r1; (void)n; (void)k;
}

// ---------------------------------------------------------------------------------------------- blocked sparse
// The weight gradient blocked for a large G: a task owns a block of at most 128 columns of OUT and walks G
// in tiles of rows, resuming each column's list where the previous tile stopped, so that G's tile stays in
// L2 instead of every list entry fetching a row of G from L3 or memory. Every output element is still
// summed in the same order with the same fused multiply-adds, so the bits equal sk_csc_tn_rows.

// acc (nv vectors of 16, masks for the last) += v * src[j0 .. j0 + w)
#define SK_BLOCK_FMA(NV, ACC, SRC, V) do { \
    for (int u = 0; u < (NV); u++) ACC[u] = _mm512_fmadd_ps((V), _mm512_maskz_loadu_ps(msk[u], (SRC) + 16 * u), ACC[u]); } while (0)

#ifdef SK_X86
SK_AVX512 static void csc_tn_block_avx512(const int *col_ptr, const int *rows, const float *val, const float *g, ptrdiff_t ldg, float *out,
                                          ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1, ptrdiff_t j0, ptrdiff_t j1,
                                          ptrdiff_t total_rows, ptrdiff_t tile, int *cursor) {
    const ptrdiff_t w = j1 - j0;
    const int nv = (int)((w + 15) / 16);
    __mmask16 msk[8];
    for (int u = 0; u < 8; u++) {
        ptrdiff_t left = w - 16 * u;
        msk[u] = left >= 16 ? (__mmask16)0xFFFF : (left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1));
    }
    for (ptrdiff_t kk = k0; kk < k1; kk++) cursor[kk - k0] = col_ptr[kk];
    for (ptrdiff_t t0 = 0; t0 < total_rows; t0 += tile) {
        const int tend = (int)(t0 + tile < total_rows ? t0 + tile : total_rows);
        for (ptrdiff_t kk = k0; kk < k1; kk++) {
            int p = cursor[kk - k0];
            const int p1 = col_ptr[kk + 1];
            if (p == p1 || rows[p] >= tend) continue;
            float *orow = out + kk * n + j0;
            if (nv == 8) {
                __m512 x0 = _mm512_loadu_ps(orow), x1 = _mm512_loadu_ps(orow + 16), x2 = _mm512_loadu_ps(orow + 32), x3 = _mm512_loadu_ps(orow + 48);
                __m512 x4 = _mm512_loadu_ps(orow + 64), x5 = _mm512_loadu_ps(orow + 80), x6 = _mm512_loadu_ps(orow + 96), x7 = _mm512_loadu_ps(orow + 112);
                if (w == 128 && !val) {
                    // Values all 1 (spikes): fma(1, g, x) is exactly g + x.
                    for (; p < p1 && rows[p] < tend; p++) {
                        const float *gp = g + (ptrdiff_t)rows[p] * ldg;
                        x0 = _mm512_add_ps(x0, _mm512_loadu_ps(gp));       x1 = _mm512_add_ps(x1, _mm512_loadu_ps(gp + 16));
                        x2 = _mm512_add_ps(x2, _mm512_loadu_ps(gp + 32));  x3 = _mm512_add_ps(x3, _mm512_loadu_ps(gp + 48));
                        x4 = _mm512_add_ps(x4, _mm512_loadu_ps(gp + 64));  x5 = _mm512_add_ps(x5, _mm512_loadu_ps(gp + 80));
                        x6 = _mm512_add_ps(x6, _mm512_loadu_ps(gp + 96));  x7 = _mm512_add_ps(x7, _mm512_loadu_ps(gp + 112));
                    }
                    _mm512_storeu_ps(orow, x0); _mm512_storeu_ps(orow + 16, x1); _mm512_storeu_ps(orow + 32, x2); _mm512_storeu_ps(orow + 48, x3);
                    _mm512_storeu_ps(orow + 64, x4); _mm512_storeu_ps(orow + 80, x5); _mm512_storeu_ps(orow + 96, x6); _mm512_storeu_ps(orow + 112, x7);
                    cursor[kk - k0] = p;
                    continue;
                }
                if (w == 128) {
                    for (; p < p1 && rows[p] < tend; p++) {
                        const float *gp = g + (ptrdiff_t)rows[p] * ldg;
                        const __m512 v = _mm512_set1_ps(val[p]);
                        x0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp), x0);       x1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 16), x1);
                        x2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 32), x2);  x3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 48), x3);
                        x4 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 64), x4);  x5 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 80), x5);
                        x6 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 96), x6);  x7 = _mm512_fmadd_ps(v, _mm512_loadu_ps(gp + 112), x7);
                    }
                    _mm512_storeu_ps(orow, x0); _mm512_storeu_ps(orow + 16, x1); _mm512_storeu_ps(orow + 32, x2); _mm512_storeu_ps(orow + 48, x3);
                    _mm512_storeu_ps(orow + 64, x4); _mm512_storeu_ps(orow + 80, x5); _mm512_storeu_ps(orow + 96, x6); _mm512_storeu_ps(orow + 112, x7);
                    cursor[kk - k0] = p;
                    continue;
                }
            }
            __m512 acc[8];
            for (int u = 0; u < nv; u++) acc[u] = _mm512_maskz_loadu_ps(msk[u], orow + 16 * u);
            for (; p < p1 && rows[p] < tend; p++) {
                const float *gp = g + (ptrdiff_t)rows[p] * ldg;
                const __m512 v = _mm512_set1_ps(val ? val[p] : 1.0f);   // fma(1, g, x) is exactly g + x
                SK_BLOCK_FMA(nv, acc, gp, v);
            }
            for (int u = 0; u < nv; u++) _mm512_mask_storeu_ps(orow + 16 * u, msk[u], acc[u]);
            cursor[kk - k0] = p;
        }
    }
}
#endif

int sk_sparse_blocked_available(void) {
#ifdef SK_X86
    return sk_has_avx512();
#else
    return 0;
#endif
}

void sk_csc_tn_block(const int *col_ptr, const int *rows, const float *val, const float *g, ptrdiff_t ldg, float *out,
                     ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1, ptrdiff_t j0, ptrdiff_t j1,
                     ptrdiff_t total_rows, ptrdiff_t tile, int *cursor) {
#ifdef SK_X86
    if (sk_has_avx512()) { csc_tn_block_avx512(col_ptr, rows, val, g, ldg, out, n, k0, k1, j0, j1, total_rows, tile, cursor); return; }
#endif
    (void)col_ptr; (void)rows; (void)val; (void)g; (void)ldg; (void)out; (void)n; (void)k0; (void)k1; (void)j0; (void)j1;
    (void)total_rows; (void)tile; (void)cursor;
}

#ifdef SK_X86
SK_AVX512 static void pack_columns_avx512(const float *g, ptrdiff_t rows, ptrdiff_t n, float *panels, ptrdiff_t p0, ptrdiff_t p1,
                                          ptrdiff_t r0, ptrdiff_t r1) {
    for (ptrdiff_t p = p0; p < p1; p++) {
        const ptrdiff_t j0 = p * 128, width = n - j0 < 128 ? n - j0 : 128;
        float *dst = panels + j0 * rows;
        if (width == 128) {
            for (ptrdiff_t r = r0; r < r1; r++) {
                const float *src = g + r * n + j0;
                float *d = dst + r * 128;
                for (int u = 0; u < 8; u++) _mm512_storeu_ps(d + 16 * u, _mm512_loadu_ps(src + 16 * u));
            }
        } else {
            for (ptrdiff_t r = r0; r < r1; r++) memcpy(dst + r * width, g + r * n + j0, (size_t)width * sizeof(float));
        }
    }
}
#endif

void sk_pack_columns(const float *g, ptrdiff_t rows, ptrdiff_t n, float *panels, ptrdiff_t p0, ptrdiff_t p1,
                     ptrdiff_t r0, ptrdiff_t r1) {
#ifdef SK_X86
    if (sk_has_avx512()) { pack_columns_avx512(g, rows, n, panels, p0, p1, r0, r1); return; }
#endif
    for (ptrdiff_t p = p0; p < p1; p++) {
        const ptrdiff_t j0 = p * 128, width = n - j0 < 128 ? n - j0 : 128;
        float *dst = panels + j0 * rows;
        for (ptrdiff_t r = r0; r < r1; r++) memcpy(dst + r * width, g + r * n + j0, (size_t)width * sizeof(float));
    }
}

// ---------------------------------------------------------------------------------------------- sum
// Sum of all elements in a fixed order: 64 partial sums (lane j of accumulator u holds the elements
// i = 64 q + 16 u + j), combined pairwise, then the tail in order. The order depends only on the count, so the
// result is the same on every run; the four independent chains avoid the 4-cycle latency of one running sum.
static inline __attribute__((always_inline)) float sum_body(const float *a, ptrdiff_t count) {
    float acc[64];
    for (int j = 0; j < 64; j++) acc[j] = 0.0f;
    ptrdiff_t i = 0;
    for (; i + 64 <= count; i += 64)
        for (int j = 0; j < 64; j++) acc[j] += a[i + j];
    for (int w = 32; w >= 1; w /= 2)
        for (int j = 0; j < w; j++) acc[j] += acc[j + w];
    float s = acc[0];
    for (; i < count; i++) s += a[i];
    return s;
}

static float sum_portable(const float *a, ptrdiff_t count) { return sum_body(a, count); }
#ifdef SK_X86
SK_AVX512 static float sum_avx512(const float *a, ptrdiff_t count) { return sum_body(a, count); }
#endif

float sk_sum(const float *a, ptrdiff_t count) {
#ifdef SK_X86
    if (sk_has_avx512()) return sum_avx512(a, count);
#endif
    return sum_portable(a, count);
}


ptrdiff_t sk_atomic_fetch_add(ptrdiff_t *counter, ptrdiff_t delta) {
    return __atomic_fetch_add(counter, delta, __ATOMIC_RELAXED);
}

void sk_csr_count_columns(const int *row_ptr, const int *col, ptrdiff_t r0, ptrdiff_t r1, int *counts) {
    for (int p = row_ptr[r0]; p < row_ptr[r1]; p++) counts[col[p]]++;
}

void sk_csr_scatter(const int *row_ptr, const int *col, const float *val, ptrdiff_t r0, ptrdiff_t r1,
                    int *cursor, int *rows, float *tval) {
    for (ptrdiff_t r = r0; r < r1; r++) {
        for (int p = row_ptr[r]; p < row_ptr[r + 1]; p++) {
            int q = cursor[col[p]]++;
            rows[q] = (int)r;
            if (tval) tval[q] = val[p];
        }
    }
}

#ifdef SK_X86
_Static_assert(SK_PANEL_WIDTH == 32, "csr_spmm_panel_avx512 holds a panel row in two registers");
// Sums of rows of a 32-column panel of B^T, two registers per row of C (see the header).
SK_AVX512 static void csr_spmm_panel_avx512(const int *row_ptr, const int *col, const float *val, const float *panel,
                                            float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t w, int binary) {
    if (w == 32) {
        // Four rows at once: eight independent sums (each row in its own order: the common length first,
        // interleaved, then each row's remaining entries), then the rows left over one at a time below.
#define SK_ADD(i, q) { const float *bp = panel + (ptrdiff_t)col[q] * 32; a[i][0] = _mm512_add_ps(a[i][0], _mm512_loadu_ps(bp)); \
                       a[i][1] = _mm512_add_ps(a[i][1], _mm512_loadu_ps(bp + 16)); }
#define SK_FMA(i, q) { const float *bp = panel + (ptrdiff_t)col[q] * 32; const __m512 vq = _mm512_set1_ps(val[q]); \
                       a[i][0] = _mm512_fmadd_ps(vq, _mm512_loadu_ps(bp), a[i][0]); \
                       a[i][1] = _mm512_fmadd_ps(vq, _mm512_loadu_ps(bp + 16), a[i][1]); }
        for (; r0 + 4 <= r1; r0 += 4) {
            __m512 a[4][2];
            int st[4], en[4], m = 1 << 30;
            for (int i = 0; i < 4; i++) {
                st[i] = row_ptr[r0 + i]; en[i] = row_ptr[r0 + i + 1];
                if (en[i] - st[i] < m) m = en[i] - st[i];
                a[i][0] = _mm512_setzero_ps(); a[i][1] = _mm512_setzero_ps();
            }
            if (binary) {
                for (int j = 0; j < m; j++) { SK_ADD(0, st[0] + j) SK_ADD(1, st[1] + j) SK_ADD(2, st[2] + j) SK_ADD(3, st[3] + j) }
                for (int i = 0; i < 4; i++) for (int q = st[i] + m; q < en[i]; q++) SK_ADD(i, q)
            } else {
                for (int j = 0; j < m; j++) { SK_FMA(0, st[0] + j) SK_FMA(1, st[1] + j) SK_FMA(2, st[2] + j) SK_FMA(3, st[3] + j) }
                for (int i = 0; i < 4; i++) for (int q = st[i] + m; q < en[i]; q++) SK_FMA(i, q)
            }
            for (int i = 0; i < 4; i++) {
                _mm512_storeu_ps(c + (r0 + i) * n, a[i][0]);
                _mm512_storeu_ps(c + (r0 + i) * n + 16, a[i][1]);
            }
        }
#undef SK_ADD
#undef SK_FMA
    }
    if (w == 32 && binary) {
        // Every value is 1: fma(1, w, x) is exactly w + x, and no value is loaded.
        for (ptrdiff_t i = r0; i < r1; i++) {
            __m512 x0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps();
            for (int q = row_ptr[i]; q < row_ptr[i + 1]; q++) {
                const float *bp = panel + (ptrdiff_t)col[q] * 32;
                x0 = _mm512_add_ps(x0, _mm512_loadu_ps(bp));
                x1 = _mm512_add_ps(x1, _mm512_loadu_ps(bp + 16));
            }
            _mm512_storeu_ps(c + i * n, x0);
            _mm512_storeu_ps(c + i * n + 16, x1);
        }
        return;
    }
    if (w == 32) {
        for (ptrdiff_t i = r0; i < r1; i++) {
            __m512 x0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps();
            for (int q = row_ptr[i]; q < row_ptr[i + 1]; q++) {
                const float *bp = panel + (ptrdiff_t)col[q] * 32;
                const __m512 v = _mm512_set1_ps(val[q]);
                x0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp), x0);
                x1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(bp + 16), x1);
            }
            _mm512_storeu_ps(c + i * n, x0);
            _mm512_storeu_ps(c + i * n + 16, x1);
        }
        return;
    }
    const __mmask16 m0 = w >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << w) - 1);
    const __mmask16 m1 = w >= 32 ? (__mmask16)0xFFFF : (w <= 16 ? (__mmask16)0 : (__mmask16)((1u << (w - 16)) - 1));
    for (ptrdiff_t i = r0; i < r1; i++) {
        __m512 x0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps();
        for (int q = row_ptr[i]; q < row_ptr[i + 1]; q++) {
            const float *bp = panel + (ptrdiff_t)col[q] * w;
            const __m512 v = _mm512_set1_ps(val[q]);
            x0 = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m0, bp), x0);
            x1 = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m1, bp + 16), x1);
        }
        _mm512_mask_storeu_ps(c + i * n, m0, x0);
        _mm512_mask_storeu_ps(c + i * n + 16, m1, x1);
    }
}
#endif

void sk_csr_spmm_panel(const int *row_ptr, const int *col, const float *val, const float *panels, float *c,
                       ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k, ptrdiff_t panel, int binary) {
    const ptrdiff_t j0 = panel * SK_PANEL_WIDTH, w = n - j0 < SK_PANEL_WIDTH ? n - j0 : SK_PANEL_WIDTH;
#ifdef SK_X86
    if (sk_has_avx512()) { csr_spmm_panel_avx512(row_ptr, col, val, panels + j0 * k, c + j0, r0, r1, n, w, binary); return; }
#endif
    (void)row_ptr; (void)col; (void)val; (void)panels; (void)c; (void)r0; (void)r1; (void)n; (void)k; (void)w; (void)binary;
}

int sk_all_ones(const float *val, ptrdiff_t count) {
    int ok = 1;
    for (ptrdiff_t i = 0; i < count; i++) ok &= val[i] == 1.0f;
    return ok;
}
