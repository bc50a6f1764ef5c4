/**
 * ALAC's adaptive Golomb-Rice residual coding ("dynamic decompression" in Apple's format
 * description). A running mean of recent magnitudes (`mb`, fixed point with 9 fractional bits)
 * picks the Rice parameter `k` for each value; a value is a unary prefix of up to 8 ones, a
 * zero, and `k` or `k - 1` more bits (the code words `v < 2` use one bit fewer), or 9 ones and
 * the value in `maxBits` raw bits (escape). Values are sign-folded (0, -1, 1, -2, …). When the
 * mean falls low, a run length of zeros follows, coded the same way with a 16-bit escape.
 *
 * Arithmetic is 32-bit unsigned, as in the format description, so results are bit-exact.
 */
import { KitharaError } from '../../../platform/errors.js';
import type { BitReader } from '../bit-reader.js';

const QBSHIFT = 9;
const QB = 1 << QBSHIFT;
const MMULSHIFT = 2;
const MDENSHIFT = QBSHIFT - MMULSHIFT - 1;
const MOFF = 1 << (MDENSHIFT - 2);
const BITOFF = 24;
/** Unary prefixes this long are escapes. */
const MAX_PREFIX = 9;
/** A zero-run length escape is this wide. */
const RUN_ESCAPE_BITS = 16;
const MEAN_CLAMP = 0xffff;

/** Rice parameters of one channel of one element. */
export interface RiceParams {
  /** Initial mean (the cookie's `mb`). */
  mb: number;
  /** History multiplier: the cookie's `pb` × the channel's `pbFactor` / 4. */
  pb: number;
  /** Largest Rice parameter (the cookie's `kb`). */
  kb: number;
}

/**
 * Reads one code word: `prefix * m + v - 1` with `v` the next `k` bits (one bit fewer when
 * `v < 2`), or `escapeBits` raw bits after a prefix of 9 ones.
 */
function readWord(bits: BitReader, m: number, k: number, escapeBits: number): number {
  const prefix = Math.clz32(~bits.peek32() >>> 0);
  if (prefix >= MAX_PREFIX) {
    bits.skip(MAX_PREFIX);
    return bits.read(escapeBits);
  }
  bits.skip(prefix + 1);
  if (k <= 1) return prefix;
  const v = bits.peek32() >>> (32 - k);
  if (v < 2) {
    bits.skip(k - 1);
    return prefix * m;
  }
  bits.skip(k);
  return prefix * m + v - 1;
}

/**
 * Decodes `count` residuals into `out`. `maxBits` is the escape width (the channel's bits per
 * sample). Throws a `decode` error when a zero run overruns the block.
 */
export function decodeResiduals(bits: BitReader, params: RiceParams, out: Int32Array, count: number, maxBits: number): void {
  const pb = params.pb;
  const kb = params.kb;
  const wb = (1 << kb) - 1;
  let mb = params.mb >>> 0;
  let zmode = 0;
  let c = 0;
  while (c < count) {
    let k = 31 - Math.clz32((mb >>> QBSHIFT) + 3);
    if (k > kb) k = kb;
    const n = readWord(bits, (1 << k) - 1, k, maxBits);
    const folded = (n + zmode) >>> 0;
    out[c++] = folded & 1 ? -((folded + 1) / 2) : folded / 2;
    mb = (Math.imul(pb, folded) + mb - (Math.imul(pb, mb) >>> QBSHIFT)) >>> 0;
    if (n > MEAN_CLAMP) mb = MEAN_CLAMP;
    zmode = 0;
    if ((mb << MMULSHIFT) >>> 0 < QB && c < count) {
      zmode = 1;
      const kz = Math.clz32(mb) - BITOFF + ((mb + MOFF) >> MDENSHIFT);
      const run = readWord(bits, ((1 << kz) - 1) & wb, kz, RUN_ESCAPE_BITS);
      if (c + run > count) throw new KitharaError('decode', `An ALAC zero run of ${run} overruns the block.`);
      out.fill(0, c, c + run);
      c += run;
      if (run >= 65535) zmode = 0;
      mb = 0;
    }
  }
}
