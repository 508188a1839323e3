#ifndef SPIKE_SIM_KERNELS_H
#define SPIKE_SIM_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Per-step constants of SpikeNeurons' `Brian2CUBA` (the Vogels & Abbott CUBA neuron), as the Swift model
/// computes them: membrane decay `dm`, `1 - dm`, synaptic decays `de`, `di`, synaptic gains `ke`, `ki`, and
/// `max(R - 1, 0)` for R refractory steps.
typedef struct {
    float rest, dm, one_minus_dm, ke, ki, de, di, threshold, reset, refractory_after_spike;
} sk_cuba_params;

/// One simulation step of blocks [block_lo, block_hi) of a CUBA group stored as SpikeSim's `LaneDynamics`
/// does: blocks of eight neurons, each [v x 8, ge x 8, gi x 8, ref x 8]. `x` [n] is the input of every neuron
/// (read, then zeroed); `n` the number of neurons (the last block may be partial). The indices of neurons
/// that fire are written to `spikes` (room for 8 per block) in increasing order; returns their count.
/// The arithmetic is `Brian2CUBA.stepLanes` operation for operation (no fused multiply-adds), so the bits
/// are the same; AVX2 when the CPU has it, else the portable loop.
ptrdiff_t sk_cuba_step(const sk_cuba_params *p, float *blocks, float *x, ptrdiff_t n,
                       ptrdiff_t block_lo, ptrdiff_t block_hi, int32_t *spikes);

/// `sk_cuba_step` always on the portable loop (what CPUs without AVX2 run; exposed so tests cover it).
ptrdiff_t sk_cuba_step_portable(const sk_cuba_params *p, float *blocks, float *x, ptrdiff_t n,
                                ptrdiff_t block_lo, ptrdiff_t block_hi, int32_t *spikes);

#endif
