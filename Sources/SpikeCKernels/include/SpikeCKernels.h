#ifndef SPIKE_C_KERNELS_H
#define SPIKE_C_KERNELS_H
#include <stddef.h>
#include "SpikeSimKernels.h"
#include "SpikeEquationKernels.h"

/// Whether this CPU runs the AVX2 + FMA versions of the kernels (checked once at run time).
int sk_has_avx2_fma(void);

/// Whether this CPU runs the AVX-512 (F, VL, DQ, BW) versions of the kernels that have one.
int sk_has_avx512(void);

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

/// Number of nonzero elements (NaN counts as nonzero) of `a[0..count)`.
ptrdiff_t sk_count_nonzero(const float *a, ptrdiff_t count);

/// Compressed rows of A [m, k]: row_ptr [m + 1], and for each nonzero in row-major order its column in
/// `col` and its value in `val`; returns the number of nonzeros, or -1 (stopping early) when there are more
/// than `max_nnz`. `col` and `val` need room for `max_nnz` + 16 elements (vector stores).
ptrdiff_t sk_compress_rows(const float *a, ptrdiff_t m, ptrdiff_t k, int *row_ptr, int *col, float *val, ptrdiff_t max_nnz);

/// The compressed columns of a compressed-rows matrix [m, k]: col_ptr [k + 1], rows [nnz] (increasing within
/// each column) and tval [nnz]; `scratch` holds k ints.
void sk_csr_transpose(const int *row_ptr, const int *col, const float *val, ptrdiff_t m, ptrdiff_t k,
                      int *col_ptr, int *rows, float *tval, int *scratch);

/// C[rows r0..r1) += A[rows] B with A [m, k] in compressed rows and B [k, n] dense: each row of C is the sum
/// of the rows of B at A's nonzero columns, in increasing column order, one fused multiply-add per element
/// (the same bits as `sk_spmm_rows` on the dense A). With `overwrite` C's rows are not read: the result is as
/// if they had been zero (C may be uninitialised).
void sk_csr_spmm_rows(const int *row_ptr, const int *col, const float *val, const float *b, float *c,
                      ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, int overwrite);

/// OUT[rows k0..k1) += A^T G for A [R, K] in compressed columns (from `sk_csr_transpose`) and G [R, n]:
/// row k of OUT sums the rows of G at A's nonzero rows in column k, in increasing row order (the same bits
/// as `sk_spmm_tn_rows`).
void sk_csc_tn_rows(const int *col_ptr, const int *rows, const float *val, const float *g, float *out,
                    ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1);

/// `sk_csc_tn_rows` with G [R, n] in compressed rows (`g_ptr`, `g_col`, `g_val`): only G's nonzeros are
/// added, in the same order with the same operations, so the bits are those of `sk_csc_tn_rows` on the
/// dense G (finite values). `val` NULL: A's values are all 1. OUT rows k0..k1 accumulate.
void sk_csc_tn_sparse_rows(const int *col_ptr, const int *rows, const float *val, const int *g_ptr, const int *g_col,
                           const float *g_val, float *out, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1);

/// B = A^T for rows r0..r1 of A [rows, cols] (B is [cols, rows]), in 16 x 16 tiles.
void sk_transpose(const float *a, float *b, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t r0, ptrdiff_t r1);

/// Parameters of the fused integrate-and-fire kernels (`sk_lif_forward`, `sk_lif_backward`): SpikeNeurons'
/// LIF and IF models with shared parameters, the Heaviside forward and a closed-form surrogate.
typedef struct {
    /// 0: LIF with decay_input (H = V + (X - (V - r)) / tau); 1: LIF without (H = V - (V - r) / tau + X);
    /// 2: IF (H = V + X).
    int kind;
    /// 1: hard reset to `reset`; 0: soft reset (subtract the threshold; the leak uses r = 0).
    int hard;
    /// 1: no gradient through the reset (detach_reset).
    int detach;
    /// Surrogate family: 0 sigmoid, 1 atan, 2 fast sigmoid, 3 triangle, 4 erf, 5 piecewise quadratic,
    /// 6 rectangle, 7 straight-through (SpikeNeurons' `Surrogate.Kind` order).
    int surrogate;
    float tau, threshold, reset, alpha;
    /// Surrogate constants as the Swift code computes them first: `(Float.pi / 2) * alpha` for atan,
    /// `alpha / Float.pi.squareRoot()` for erf (k); `-alpha * alpha` for erf (c).
    float k, c;
    /// 1: the backward skips the block-steps where every surrogate derivative and carried gradient is exactly
    /// +0 (compact-support surrogates only; the same bits as without, see lif.c `lif_skip_step`).
    int sparse;
} sk_lif_params;

/// Forward of elements [lo, hi) of a [T, M] input (row-major, time first): spikes to `out` [T, M], the
/// membrane after each step to `states` [T, M] (may be NULL: inference keeps no history), starting from
/// `initial` [M] (NULL: the resting level). Per element the arithmetic is that of the Swift models, in the
/// same order and without contraction into fused multiply-adds, so the bits are the same.
void sk_lif_forward(const sk_lif_params *p, const float *x, float *out, float *states, const float *initial,
                    ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi);

/// Backward through time of elements [lo, hi): from the input `x`, the stored `states` and the gradient of
/// the output `gout` (all [T, M]) and of the final state `gfinal` [M] (may be NULL), writes the gradient of
/// the input `gin` [T, M] and of the initial state `ginit` [M] (may be NULL).
void sk_lif_backward(const sk_lif_params *p, const float *x, const float *states, const float *gout,
                     const float *initial, const float *gfinal, float *gin, float *ginit,
                     ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi);

/// Width of the column panels of W^T that `sk_linear_lif_forward` and `sk_csr_spmm_panel` read (measured
/// on 512 x 512 at input rate 0.1: 32-column panels ran the sums of rows 1.3-1.45x faster than 128-column
/// panels or whole rows of W^T).
#define SK_PANEL_WIDTH 32

/// Forward of a Linear layer followed by a LIF/IF layer in one pass (inference; training with `hout`), for
/// batch elements b0 ..< b1 and the output columns of panel `panel` (columns panel*P ..< min(n, panel*P + P),
/// P = SK_PANEL_WIDTH): for each step t and batch element b the row t * batch + b of the input, compressed
/// (`row_ptr`, `col`, `val` as `sk_compress_rows`), is multiplied by W^T held in P-column panels (`panels`,
/// as `sk_transpose_panels_width` with width P: the panel at column j0 is a [k, width] row-major block at
/// `panels + j0 * k`), `bias` [n] (may be NULL) is added, and the neurons (membranes in registers, from the
/// resting level) integrate, fire and reset. Spikes go to `out` [steps * batch, n] and, where `hout` is not
/// NULL, H (the membrane after integration, before reset) to `hout` (same layout, for `sk_lif_backward_h`).
/// The same bits as `sk_csr_spmm_rows` (then the bias added) followed by `sk_lif_forward`: each product is
/// summed in the same order with the same multiply-add, and the neuron arithmetic is the same. `binary`:
/// every value is 1 (spikes; `sk_all_ones`), so the AVX-512 loop adds without loading values. `isa`: 0 the
/// best this CPU has, 1 portable, 2 AVX2 (if available), 3 AVX-512 (if available); the tests pin each.
void sk_linear_lif_forward(const sk_lif_params *p, const int *row_ptr, const int *col, const float *val,
                           const float *panels, const float *bias, float *out, float *hout, ptrdiff_t steps, ptrdiff_t batch,
                           ptrdiff_t n, ptrdiff_t k, ptrdiff_t b0, ptrdiff_t b1, ptrdiff_t panel, int binary, int isa);

/// Backward through time of elements [lo, hi) of neurons that started at rest, from the trace `hs` [T, M] of
/// H (the membrane after integration, before firing and reset; `sk_linear_lif_forward`'s `hout`) and the
/// gradient of the spikes `gout`: writes the gradient of the input `gin` [T, M]. The same bits as
/// `sk_lif_backward` (which recomputes H from the stored membranes and the input). `isa` as for
/// `sk_linear_lif_forward`.
void sk_lif_backward_h(const sk_lif_params *p, const float *hs, const float *gout, float *gin,
                       ptrdiff_t steps, ptrdiff_t m, ptrdiff_t lo, ptrdiff_t hi, int isa);

/// One step of the neurons on `n` lanes (any n, no block limit): H = charge(v, x) to `h`, spikes to `out`,
/// the membrane `v` updated in place (reset). The same arithmetic as one step of `sk_lif_forward` (a lane
/// started at the resting level gives the same bits); `isa` as for `sk_linear_lif_forward`.
void sk_lif_step(const sk_lif_params *p, float *v, const float *x, float *h, float *out, ptrdiff_t n, int isa);

/// Whether all `count` values are exactly 1.
int sk_all_ones(const float *val, ptrdiff_t count);

/// W [n, k] transposed into column panels of `width`: panel p (columns p*width ..< min(n, (p+1)*width) of
/// W^T) as a [k, panel width] row-major block at `panels + p * width * k`, for panels p0 ..< p1.
void sk_transpose_panels_width(const float *w, float *panels, ptrdiff_t n, ptrdiff_t k, ptrdiff_t width, ptrdiff_t p0, ptrdiff_t p1);

/// Rows r0..r1 of C [m, n] = A B restricted to the columns of panel `panel` of B [k, n], for A compressed
/// (`row_ptr`, `col`, `val`) and B in SK_PANEL_WIDTH-column panels (`sk_transpose_panels_width` of B^T):
/// C is written, not read. The same bits as `sk_csr_spmm_rows` with `overwrite`; `binary` as for
/// `sk_linear_lif_forward` (all values 1: additions, the same bits). Available (and used) where
/// `sk_sparse_blocked_available()`.
void sk_csr_spmm_panel(const int *row_ptr, const int *col, const float *val, const float *panels, float *c,
                       ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k, ptrdiff_t panel, int binary);

/// Per-column entry counts of rows r0..r1 of a compressed [m, k] matrix, added to `counts` [k].
void sk_csr_count_columns(const int *row_ptr, const int *col, ptrdiff_t r0, ptrdiff_t r1, int *counts);

/// Scatters the entries of rows r0..r1 (in row order) to their columns: entry (r, kk) goes to position
/// `cursor[kk]++` of `rows`/`tval` (`tval` may be NULL: rows only). With each chunk of rows given the
/// cursors that follow the chunks before it, chunks run in parallel and give `sk_csr_transpose`'s result.
void sk_csr_scatter(const int *row_ptr, const int *col, const float *val, ptrdiff_t r0, ptrdiff_t r1,
                    int *cursor, int *rows, float *tval);

/// Floats needed to pack B [k, n] for `sk_gemm_packed_rows` (panels of 32 columns).
ptrdiff_t sk_packed_size(ptrdiff_t k, ptrdiff_t n);

/// Packs B [k, n] into contiguous panels of 32 columns, the last one padded with zeros.
void sk_pack_b(const float *b, ptrdiff_t k, ptrdiff_t n, float *packed);

/// Whether `sk_gemm_packed_rows` has a kernel on this CPU (AVX-512); otherwise use `sk_gemm_rows`.
int sk_gemm_packed_available(void);

/// C[rows r0..r1) += A[rows] * B with B packed by `sk_pack_b`: the same bits as `sk_gemm_rows` (every element
/// summed over k in increasing order with fused multiply-adds), faster on wide B.
void sk_gemm_packed_rows(const float *a, const float *packed, float *c, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t n, ptrdiff_t k);

/// Whether `sk_csr_spmm_panel` and `sk_csc_tn_block` have a version on this CPU (AVX-512); otherwise use
/// `sk_csr_spmm_rows` and `sk_csc_tn_rows`.
int sk_sparse_blocked_available(void);

/// `sk_csc_tn_rows` restricted to the columns j0..j1 of OUT (j1 - j0 <= 128), reading row r of that column
/// block of G at `g + r * ldg` (a panel from `sk_pack_columns`: ldg = the panel's width), walking the
/// `total_rows` rows of G in tiles of `tile` rows (each column's list resumed where the last tile stopped;
/// `cursor` holds k1 - k0 ints): the same bits, with G's tile in cache. `val` NULL: every value is 1.
void sk_csc_tn_block(const int *col_ptr, const int *rows, const float *val, const float *g, ptrdiff_t ldg, float *out,
                     ptrdiff_t n, ptrdiff_t k0, ptrdiff_t k1, ptrdiff_t j0, ptrdiff_t j1,
                     ptrdiff_t total_rows, ptrdiff_t tile, int *cursor);

/// G [rows, n] in panels of 128 columns: panel p is the contiguous [rows, width] matrix at
/// `panels + 128 p rows`. Panels p0..p1, rows r0..r1 of each.
void sk_pack_columns(const float *g, ptrdiff_t rows, ptrdiff_t n, float *panels, ptrdiff_t p0, ptrdiff_t p1,
                     ptrdiff_t r0, ptrdiff_t r1);

/// Sum of `a[0..count)` in a fixed order that depends only on `count` (64 partial sums combined pairwise,
/// then the remaining elements in order): the same result on every CPU and run, vectorised.
float sk_sum(const float *a, ptrdiff_t count);

/// glibc only: serve blocks up to 32 MiB from the heap and keep freed memory for reuse (mallopt), so that
/// buffers freed and allocated again every step do not page-fault. Returns 1 when applied, 0 elsewhere.
int sk_keep_freed_memory(void);

/// Atomically adds `delta` to `*counter` and returns the previous value (relaxed order; `Parallel`'s chunk claims).
ptrdiff_t sk_atomic_fetch_add(ptrdiff_t *counter, ptrdiff_t delta);

// ---------------------------------------------------------------------------------------------- conv.c

/// Geometry of a 2-D convolution of one sample: input [ci, h, w], weight [co, ci/groups, kh, kw], output
/// [co, ho, wo]; stride (sh, sw), leading padding (ph, pw) (trailing padding only enters ho, wo), dilation
/// (dh, dw). Output (oy, ox) reads input (oy*sh - ph + ky*dh, ox*sw - pw + kx*dw).
typedef struct { ptrdiff_t ci, h, w, co, kh, kw, sh, sw, ph, pw, dh, dw, groups, ho, wo; } sk_conv_geom;

/// Spike-driven forward of one sample: for each nonzero x[c, y, x] (c, y, x increasing) and each kernel offset
/// (ky, kx) whose output position (oy, ox) exists, adds x * wt[c, ky, kx, :] (wt: the weight as
/// [ci, kh, kw, co/groups]) to the outputs of c's group at (oy, ox) in `scratch` [ho*wo, co] (zeroed here);
/// then writes out [co, ho, wo] = scratch^T + bias (bias may be NULL). `scratch` holds `sk_conv2d_scatter_scratch(g)`
/// floats. With AVX-512 at stride 1, dilation 1, groups 1, each (input, kernel row) computes its range of
/// kernel columns once and adds full vectors and one masked vector per tap (the same taps in the same order: the same
/// bits). `isa`: 0 the best this CPU has, 1 portable, 2 AVX-512 with the general scatter loops only (tests).
void sk_conv2d_scatter(const sk_conv_geom *g, const float *x, const float *wt, const float *bias, float *out, float *scratch, int isa);

/// Floats of scratch `sk_conv2d_scatter` needs for `g`.
ptrdiff_t sk_conv2d_scatter_scratch(const sk_conv_geom *g);

/// Spike-driven weight gradient of one sample: dwt [ci, kh, kw, co/groups] += x[c, y, x] * gyt[oy, ox, group
/// slice] for each nonzero input and each output position it reaches (gyt: the output gradient [ho*wo, co]).
/// With AVX-512 at stride 1, dilation 1, groups 1, co <= 32 and kw <= 5, the same sums run weight-stationary
/// (the kw rows of dwt for one (c, ky) in registers, every term in the same order: the same bits), using
/// `work` (`sk_conv2d_wgrad_scratch(g)` floats; may be NULL: the scatter loop). `isa` as `sk_conv2d_scatter`
/// (2: the scatter loop only).
void sk_conv2d_wgrad_scatter(const sk_conv_geom *g, const float *x, const float *gyt, float *dwt, float *work, int isa);

/// Floats of `work` `sk_conv2d_wgrad_scatter` uses for `g` (0: none).
ptrdiff_t sk_conv2d_wgrad_scratch(const sk_conv_geom *g);

/// Input gradient of one sample scattered from the nonzero output gradients: for each nonzero gy[o, oy, ox],
/// scratch [h*w, ci] += gy * wg[o, ky, kx, :] (wg: the weight as [co, kh, kw, ci/groups]) at each input
/// position the kernel reads; then gx [ci, h, w] = scratch^T (written, not accumulated).
void sk_conv2d_igrad_scatter(const sk_conv_geom *g, const float *gy, const float *wg, float *gx, float *scratch, int isa);

/// im2col of one sample (groups 1): cols [ho*wo, ci*kh*kw], row (oy, ox) holds the input patch in the weight's
/// [ci, kh, kw] order, zeros at padding.
void sk_im2col_rows(const sk_conv_geom *g, const float *x, float *cols);

/// The adjoint of `sk_im2col_rows`: gx [ci, h, w] = sum of the patches of cols at their input positions (written).
void sk_col2im_rows(const sk_conv_geom *g, const float *cols, float *gx);
/// The same sums as `sk_col2im_rows` from the columns transposed, colst [K, Ho*Wo] (K = Ci*kH*kW): walks each
/// (c, ky, kx) row contiguously, kernel offsets descending so that every gx element receives its terms in the
/// same order as `sk_col2im_rows` (the same bits). gx [Ci, H, W] is written.
void sk_col2im_cols(const sk_conv_geom *g, const float *colst, float *gx);

/// dst [c, p] = src [p, c]^T + bias[c] (bias may be NULL).
void sk_transpose_add_bias(const float *src, const float *bias, float *dst, ptrdiff_t p, ptrdiff_t c);

/// Per-channel sums (and sums of squares, `sumsq` may be NULL) of x [n, c, p] for channels c0..c1: each
/// (sample, channel) row summed in float in order, rows added in double in sample order.
void sk_channel_sums(const float *x, ptrdiff_t n, ptrdiff_t c, ptrdiff_t p, ptrdiff_t c0, ptrdiff_t c1, double *sum, double *sumsq);

/// Max pooling of `planes` planes [h, w] -> [ho, wo] (PyTorch's rule: the first maximum in row-major window
/// order, NaN wins); `arg` (may be NULL) gets the flat input index of each maximum within its plane. 2 x 2
/// windows of stride 2 without padding run 16 outputs at a time with AVX-512 (the same comparisons: the same
/// bits); `isa` 1 pins the portable loop (as `sk_conv2d_scatter`).
void sk_maxpool2d(const float *x, float *out, int *arg, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo,
                  ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t ph, ptrdiff_t pw, ptrdiff_t dh, ptrdiff_t dw, int isa);

/// Gradient of max pooling: gx (written) gets each output gradient at its maximum's position.
void sk_maxpool2d_backward(const float *gout, const int *arg, float *gx, ptrdiff_t planes, ptrdiff_t hw, ptrdiff_t howo);

/// Average pooling as PyTorch's avg_pool2d (divisor: the window clipped to the padded input with `count_pad`,
/// else the number of input elements in it); `scale` != 0 multiplies the window sum by `scale` instead (1: sum pooling).
void sk_avgpool2d(const float *x, float *out, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo,
                  ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t ph, ptrdiff_t pw, int count_pad, float scale);

/// Gradient of `sk_avgpool2d` (gx written).
void sk_avgpool2d_backward(const float *gout, float *gx, ptrdiff_t planes, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ho, ptrdiff_t wo,
                           ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t ph, ptrdiff_t pw, int count_pad, float scale);

#endif
