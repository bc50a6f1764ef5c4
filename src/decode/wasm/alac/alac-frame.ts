/**
 * One ALAC packet: a sequence of syntax elements (a 3-bit tag, then, except for FIL, a 4-bit
 * instance tag) ending with END. SCE and LFE elements carry one channel, CPE a channel pair;
 * DSE and FIL are skipped.
 *
 * A channel element: 12 reserved bits, a partial-frame flag (then a 32-bit frame length), the
 * shifted byte count (0-2: the low 8/16 bits of each sample are stored raw, after the
 * parameters) and an escape flag (samples stored verbatim). A compressed element carries the
 * pair's mixing parameters (`mixBits`, `mixRes`), then per channel the prediction mode,
 * quantisation shift, Rice multiplier factor, predictor order and 16-bit coefficients, then the
 * raw low bits, then each channel's residuals. A pair is un-mixed as
 * `left = u + v - ((mixRes * v) >> mixBits)`, `right = left - v`.
 */
import { KitharaError } from '../../../platform/errors.js';
import { BitReader } from '../bit-reader.js';
import type { AlacConfig } from './alac-config.js';
import { decodeResiduals } from './alac-entropy.js';
import { predict } from './alac-predictor.js';

const ID_SCE = 0;
const ID_CPE = 1;
const ID_CCE = 2;
const ID_LFE = 3;
const ID_DSE = 4;
const ID_PCE = 5;
const ID_FIL = 6;
const ID_END = 7;

/** Work buffers sized once per decoder (the cookie's frame length). */
export class AlacScratch {
  readonly residual: [Int32Array, Int32Array];
  readonly shifted: Int32Array;
  readonly coefs: [Int16Array, Int16Array];
  constructor(frameLength: number) {
    this.residual = [new Int32Array(frameLength), new Int32Array(frameLength)];
    this.shifted = new Int32Array(frameLength * 2);
    this.coefs = [new Int16Array(32), new Int16Array(32)];
  }
}

function broken(message: string): KitharaError {
  return new KitharaError('decode', `Corrupt ALAC packet: ${message}.`);
}

/**
 * Decodes one packet into planar Float32 (`sample / 2^(bitDepth-1)`), `config.channels` planes.
 * Throws a `decode` KitharaError for a malformed packet.
 */
export function decodeAlacPacket(data: Uint8Array, config: AlacConfig, scratch: AlacScratch): Float32Array[] {
  const bits = new BitReader(data);
  const planes: Float32Array[] = [];
  let frames = -1;
  for (;;) {
    if (bits.left < 3) throw broken('it ends without an END element');
    const tag = bits.read(3);
    if (tag === ID_END) break;
    if (tag !== ID_FIL) bits.skip(4); // element instance tag
    if (tag === ID_SCE || tag === ID_LFE || tag === ID_CPE) {
      const pair = tag === ID_CPE;
      if (planes.length + (pair ? 2 : 1) > config.channels) throw broken('more channels than the magic cookie declares');
      const out = decodeElement(bits, config, scratch, pair);
      if (frames >= 0 && out[0]?.length !== frames) throw broken('elements of different lengths');
      frames = out[0]?.length ?? 0;
      planes.push(...out);
    } else if (tag === ID_DSE) {
      const align = bits.bit();
      let count = bits.read(8);
      if (count === 255) count += bits.read(8);
      if (align) bits.align();
      bits.skip(count * 8);
    } else if (tag === ID_FIL) {
      let count = bits.read(4);
      if (count === 15) count += bits.read(8) - 1;
      bits.skip(count * 8);
    } else if (tag === ID_CCE || tag === ID_PCE) {
      throw new KitharaError('unsupported', 'ALAC coupling and program configuration elements are not supported.');
    }
    if (bits.overrun) throw broken('it is truncated');
  }
  if (planes.length !== config.channels) throw broken(`${planes.length} channels instead of ${config.channels}`);
  return planes;
}

/** Decodes one SCE/LFE (one channel) or CPE (two channels) element. */
function decodeElement(bits: BitReader, config: AlacConfig, scratch: AlacScratch, pair: boolean): Float32Array[] {
  if (bits.read(12) !== 0) throw broken('reserved element bits are set');
  const partial = bits.bit();
  const bytesShifted = bits.read(2);
  const escape = bits.bit();
  let frames = config.frameLength;
  if (partial) frames = bits.read(32);
  if (frames < 1 || frames > config.frameLength) throw broken(`a frame length of ${frames}`);
  if (bytesShifted === 3) throw broken('3 shifted bytes');
  const channels = pair ? 2 : 1;
  const depth = config.bitDepth;
  const [u, v] = scratch.residual;
  let mixBits = 0;
  let mixRes = 0;
  let shift = 0;

  if (!escape) {
    shift = bytesShifted * 8;
    const chanBits = depth - shift + (pair ? 1 : 0);
    if (chanBits > 32 || shift >= depth) throw broken(`${chanBits}-bit channels`);
    mixBits = bits.read(8);
    mixRes = bits.readSigned(8);
    const modes: number[] = [];
    const denShifts: number[] = [];
    const pbFactors: number[] = [];
    const orders: number[] = [];
    for (let ch = 0; ch < channels; ch++) {
      modes.push(bits.read(4));
      denShifts.push(bits.read(4));
      pbFactors.push(bits.read(3));
      const order = bits.read(5);
      orders.push(order);
      const coefs = scratch.coefs[ch] as Int16Array;
      for (let k = 0; k < order; k++) coefs[k] = bits.readSigned(16);
    }
    if (shift > 0) {
      const n = frames * channels;
      for (let i = 0; i < n; i++) scratch.shifted[i] = bits.read(shift);
    }
    for (let ch = 0; ch < channels; ch++) {
      const buf = ch === 0 ? u : v;
      const params = { mb: config.mb, pb: (config.pb * (pbFactors[ch] as number)) >> 2, kb: config.kb };
      decodeResiduals(bits, params, buf, frames, chanBits);
      if (bits.overrun) throw broken('it is truncated');
      if (modes[ch] !== 0) predict(buf, buf, frames, scratch.coefs[ch] as Int16Array, 31, chanBits, 0);
      predict(buf, buf, frames, scratch.coefs[ch] as Int16Array, orders[ch] as number, chanBits, denShifts[ch] as number);
    }
  } else {
    // Verbatim samples, interleaved; the shifted-bytes field does not apply.
    for (let i = 0; i < frames; i++) {
      u[i] = bits.readSigned(depth);
      if (pair) v[i] = bits.readSigned(depth);
    }
  }

  const scale = 1 / 2 ** (depth - 1);
  const left = new Float32Array(frames);
  const right = pair ? new Float32Array(frames) : undefined;
  const low = scratch.shifted;
  for (let i = 0; i < frames; i++) {
    let a = u[i] as number;
    let b = 0;
    if (right !== undefined) {
      const d = v[i] as number;
      if (mixRes !== 0) {
        a = (a + d - (Math.imul(mixRes, d) >> mixBits)) | 0;
        b = (a - d) | 0;
      } else {
        b = d;
      }
    }
    if (shift > 0) {
      a = (a * 2 ** shift) + (low[i * channels] as number);
      if (right !== undefined) b = (b * 2 ** shift) + (low[i * 2 + 1] as number);
    }
    left[i] = a * scale;
    if (right !== undefined) right[i] = b * scale;
  }
  return right === undefined ? [left] : [left, right];
}
