#ifndef SPIKE_EQUATION_KERNELS_H
#define SPIKE_EQUATION_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// One instruction of SpikeEquations' lane program: `regs[d] = op(regs[x], regs[y], regs[z])`, each register
/// `width` blocks of eight floats (register r, block j at `regs + (r * width + j) * 8`); a negative operand
/// -(u + 1) reads uniform u (`uniforms + u * 8`, eight equal lanes, the same for every block); an operand
/// `SK_EQ_STATE + k` reads state variable k of block j in place at `states + j * state_stride + k * 8`; `flag` 1 makes
/// `SK_EQ_FIRE` fire at a margin >= 0 instead of > 0.
typedef struct { int32_t op, d, x, y, z; float flag; } sk_eq_instr;

/// Operation codes (the subset the kernel runs; programs with others stay on the Swift path).
enum { SK_EQ_STATE = 0x40000000 };
enum {
    SK_EQ_ADD = 1, SK_EQ_SUB, SK_EQ_MUL, SK_EQ_DIV, SK_EQ_NEG, SK_EQ_MIN, SK_EQ_MAX, SK_EQ_SQRT, SK_EQ_ABS,
    SK_EQ_FLOOR, SK_EQ_CEIL, SK_EQ_TRUNC, SK_EQ_LT, SK_EQ_LE, SK_EQ_GT, SK_EQ_GE, SK_EQ_EQ, SK_EQ_NE,
    SK_EQ_AND, SK_EQ_OR, SK_EQ_NOT, SK_EQ_SELECT, SK_EQ_FIRE
};

/// Runs `count` instructions over `width` blocks of eight lanes, with AVX2 when the CPU has it; returns 0 when it
/// did not run (no AVX2: the caller runs its own loop). The arithmetic is the Swift lane path's, operation for
/// operation (IEEE single precision, no fused multiply-adds, Swift's min/max/comparison semantics), so the bits
/// are the same.
int sk_eq_run(const sk_eq_instr *ins, ptrdiff_t count, float *regs, const float *uniforms, const float *states,
              ptrdiff_t state_stride, ptrdiff_t width);

#endif
