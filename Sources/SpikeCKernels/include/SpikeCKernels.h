#ifndef SPIKE_C_KERNELS_H
#define SPIKE_C_KERNELS_H
#include <stddef.h>

/// Whether this CPU runs the AVX2 + FMA versions of the kernels (checked once at run time).
int sk_has_avx2_fma(void);

/// C[rows r0..r1) += A[rows] * B for row-major A [m, k], B [k, n], C [m, n] (dense operands).
/// Every element of C is summed over k in increasing order, so the result does not depend on how rows are
/// split between threads.
void sk_gemm_rows(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k);

/// The spike-driven product: C[rows] += A[rows] * B using only the nonzero entries of each row of A
/// (gathered first), so the work is proportional to the number of active inputs.
void sk_spmm_rows(const float *a, const float *b, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k,
                  int *index_scratch, float *value_scratch);

/// The weight gradient of a spike-driven layer: OUT[k0..k1) += A^T G restricted to those rows of OUT, where A
/// [R, K] is sparse and given in compressed rows (row_ptr [R+1], col [nnz], val [nnz]) and G is [R, N]
/// dense. For every nonzero A[r, k] with k0 <= k < k1 it adds A[r, k] G[r, :] to OUT[k, :] (rows of G are
/// read in order r = 0, 1, ...), so each thread owns disjoint rows of OUT and the sums keep their order.
void sk_spmm_tn_rows(const int *row_ptr, const int *col, const float *val, ptrdiff_t rows,
                     const float *g, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1);

#endif
