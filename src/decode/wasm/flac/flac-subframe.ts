/**
 * FLAC subframes (RFC 9639 §9.2): constant, verbatim, fixed prediction (orders 0-4) and linear
 * prediction (orders 1-32, quantised coefficients and shift), with wasted bits, and the
 * partitioned Rice residual (4- or 5-bit parameters, escape to raw bits).
 *
 * Integer exact: prediction sums stay below 2^53 for up to 24-bit audio (a side channel of 25
 * bits × 15-bit coefficients × 32 taps < 2^45), so plain doubles hold them; 32-bit streams with
 * large LPC coefficients could exceed that and are rejected where they do.
 */
import { KitharaError } from '../../../platform/errors.js';
import type { BitReader } from '../bit-reader.js';

function broken(message: string): KitharaError {
  return new KitharaError('decode', `Corrupt FLAC frame: ${message}.`);
}

/** Decodes one subframe of `count` samples, `width` bits wide, into `out` (integers). */
export function decodeSubframe(bits: BitReader, out: Float64Array, count: number, width: number): void {
  if (bits.bit() !== 0) throw broken('a subframe padding bit is set');
  const type = bits.read(6);
  let wasted = 0;
  if (bits.bit()) wasted = bits.unaryZeros() + 1;
  const w = width - wasted;
  if (w < 1) throw broken(`${wasted} wasted bits in a ${width}-bit subframe`);
  if (type === 0) {
    out.fill(readSigned(bits, w), 0, count);
  } else if (type === 1) {
    for (let i = 0; i < count; i++) out[i] = readSigned(bits, w);
  } else if (type >= 8 && type <= 12) {
    const order = type - 8;
    if (order > count) throw broken('a predictor order above the block size');
    for (let i = 0; i < order; i++) out[i] = readSigned(bits, w);
    decodeResidual(bits, out, count, order);
    restoreFixed(out, count, order);
  } else if (type >= 32) {
    const order = type - 31;
    if (order > count) throw broken('a predictor order above the block size');
    for (let i = 0; i < order; i++) out[i] = readSigned(bits, w);
    const precision = bits.read(4) + 1;
    if (precision === 16) throw broken('an invalid coefficient precision');
    const shift = bits.readSigned(5);
    if (shift < 0) throw broken('a negative prediction shift');
    const coefs = new Float64Array(order);
    for (let i = 0; i < order; i++) coefs[i] = bits.readSigned(precision);
    decodeResidual(bits, out, count, order);
    restoreLpc(out, count, coefs, shift);
  } else {
    throw broken(`reserved subframe type ${type}`);
  }
  if (wasted > 0) {
    const m = 2 ** wasted;
    for (let i = 0; i < count; i++) out[i] = (out[i] as number) * m;
  }
}

/** Reads an `n`-bit (1..33: a side channel of 32-bit audio) two's complement number. */
function readSigned(bits: BitReader, n: number): number {
  if (n <= 32) return bits.readSigned(n);
  const hi = bits.readSigned(n - 32);
  return hi * 2 ** 32 + bits.read(32);
}

/** Reads the partitioned Rice residual into `out[order, count)`. */
function decodeResidual(bits: BitReader, out: Float64Array, count: number, order: number): void {
  const method = bits.read(2);
  if (method > 1) throw broken(`reserved residual coding method ${method}`);
  const paramBits = method === 0 ? 4 : 5;
  const escape = method === 0 ? 15 : 31;
  const partitionOrder = bits.read(4);
  const partitions = 1 << partitionOrder;
  const size = count >> partitionOrder;
  if (size << partitionOrder !== count || size < order) throw broken('a residual partition does not fit the block');
  let i = order;
  for (let p = 0; p < partitions; p++) {
    const end = (p + 1) * size;
    const k = bits.read(paramBits);
    if (k === escape) {
      const n = bits.read(5);
      for (; i < end; i++) out[i] = n === 0 ? 0 : bits.readSigned(n);
    } else {
      for (; i < end; i++) {
        const q = bits.unaryZeros();
        const u = q * 2 ** k + bits.read(k);
        out[i] = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      }
    }
    if (bits.overrun) throw broken('the residual is truncated');
  }
}

/** Fixed predictors: out[i] += the order-`order` polynomial extrapolation. */
function restoreFixed(s: Float64Array, count: number, order: number): void {
  switch (order) {
    case 0:
      return;
    case 1:
      for (let i = 1; i < count; i++) s[i] = (s[i] as number) + (s[i - 1] as number);
      return;
    case 2:
      for (let i = 2; i < count; i++) s[i] = (s[i] as number) + 2 * (s[i - 1] as number) - (s[i - 2] as number);
      return;
    case 3:
      for (let i = 3; i < count; i++) {
        s[i] = (s[i] as number) + 3 * (s[i - 1] as number) - 3 * (s[i - 2] as number) + (s[i - 3] as number);
      }
      return;
    default:
      for (let i = 4; i < count; i++) {
        s[i] = (s[i] as number) + 4 * (s[i - 1] as number) - 6 * (s[i - 2] as number) + 4 * (s[i - 3] as number) - (s[i - 4] as number);
      }
  }
}

/** Linear prediction: out[i] += (Σ coefs[j] · out[i-1-j]) >> shift. */
function restoreLpc(s: Float64Array, count: number, coefs: Float64Array, shift: number): void {
  const order = coefs.length;
  const div = 2 ** shift;
  for (let i = order; i < count; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += (coefs[j] as number) * (s[i - 1 - j] as number);
    if (!Number.isSafeInteger(sum)) throw new KitharaError('unsupported', 'FLAC prediction beyond 53 bits is not supported.');
    s[i] = (s[i] as number) + Math.floor(sum / div);
  }
}
