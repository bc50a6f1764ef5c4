/**
 * ALAC's adaptive linear predictor ("dynamic predictor" in Apple's format description). Each
 * sample is predicted from the `order` samples before it, relative to the oldest of them (`top`);
 * after each sample the coefficients move by ±1 towards whatever would have shrunk the residual,
 * walking from the oldest tap to the newest until the residual's sign is used up. Order 31
 * means plain first-order prediction; order 0 copies the residuals.
 *
 * Every step is 32-bit integer arithmetic (coefficients are 16-bit and wrap), so the output is
 * bit-exact. Results are sign-extended to `bits` (the channel's width).
 */

/**
 * Reconstructs `count` samples from `residual` into `out` (which may be the same array).
 * `coefs` (16-bit) is adapted in place.
 */
export function predict(residual: Int32Array, out: Int32Array, count: number, coefs: Int16Array, order: number, bits: number, denShift: number): void {
  const shift = 32 - bits;
  if (count <= 0) return;
  out[0] = residual[0] as number;
  if (order === 0) {
    if (out !== residual) out.set(residual.subarray(1, count), 1);
    return;
  }
  if (order === 31) {
    let prev = out[0] as number;
    for (let j = 1; j < count; j++) {
      prev = (((residual[j] as number) + prev) << shift) >> shift;
      out[j] = prev;
    }
    return;
  }
  const warm = Math.min(order + 1, count);
  for (let j = 1; j < warm; j++) out[j] = (((residual[j] as number) + (out[j - 1] as number)) << shift) >> shift;
  const half = denShift > 0 ? 1 << (denShift - 1) : 0;
  for (let j = order + 1; j < count; j++) {
    const top = out[j - order - 1] as number;
    let sum = 0;
    // Tap k weighs out[j - 1 - k] (k = 0 is the newest sample).
    for (let k = 0; k < order; k++) sum = (sum + Math.imul(coefs[k] as number, ((out[j - 1 - k] as number) - top) | 0)) | 0;
    let del = residual[j] as number;
    let rest = del;
    del = (del + top + ((sum + half) >> denShift)) | 0;
    out[j] = (del << shift) >> shift;
    if (rest > 0) {
      for (let k = order - 1; k >= 0; k--) {
        const dd = (top - (out[j - 1 - k] as number)) | 0;
        const sgn = dd > 0 ? 1 : dd < 0 ? -1 : 0;
        coefs[k] = (coefs[k] as number) - sgn;
        rest = (rest - Math.imul(order - k, Math.imul(sgn, dd) >> denShift)) | 0;
        if (rest <= 0) break;
      }
    } else if (rest < 0) {
      for (let k = order - 1; k >= 0; k--) {
        const dd = (top - (out[j - 1 - k] as number)) | 0;
        const sgn = dd > 0 ? 1 : dd < 0 ? -1 : 0;
        coefs[k] = (coefs[k] as number) + sgn;
        rest = (rest - Math.imul(order - k, Math.imul(-sgn, dd) >> denShift)) | 0;
        if (rest >= 0) break;
      }
    }
  }
}
