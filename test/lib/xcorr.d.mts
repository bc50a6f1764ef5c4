// Types for xcorr.mjs.

/** out[L] += Σ_i x[i]·ref[L + i] for L in [0, out.length), by direct sums. */
export function addCrossCorrelationDirect(x: Float64Array, ref: Float64Array, out: Float64Array): void;
/** Same as addCrossCorrelationDirect, via FFT. */
export function addCrossCorrelationFft(x: Float64Array, ref: Float64Array, out: Float64Array): void;
