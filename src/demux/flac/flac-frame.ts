/**
 * FLAC frame headers and checksums (RFC 9639 §9.1): sync code 0b11111111111110, blocking
 * strategy, block size / sample rate / channel / bit depth codes, the UTF-8-style coded
 * frame or sample number, optional size fields, then a CRC-8 (poly 0x07) of all of it.
 * Every frame ends with a CRC-16 (poly 0x8005) of the whole frame. Pure functions.
 */
import type { FlacStreamInfo } from './flac-metadata.js';

/** A validated frame header. */
export interface FlacFrameHeader {
  /** Blocking strategy bit: true when the coded number is a sample number. */
  variable: boolean;
  /** Samples (per channel) in the frame. */
  blockSize: number;
  /** First sample of the frame (the frame number times the block size for fixed streams). */
  sample: number;
  /** Bytes of the header, CRC-8 included. */
  headerBytes: number;
}

/** The longest header: 2 + 2 + 7 (coded number) + 2 + 2 + 1. */
export const MAX_FLAC_HEADER_BYTES = 16;

const CRC8 = makeTable(0x07, 8);
const CRC16 = makeTable(0x8005, 16);

function makeTable(poly: number, bits: 8 | 16): Uint16Array {
  const top = 1 << (bits - 1);
  const mask = (1 << bits) - 1;
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << (bits - 8);
    for (let k = 0; k < 8; k++) c = c & top ? ((c << 1) ^ poly) & mask : (c << 1) & mask;
    table[i] = c;
  }
  return table;
}

/** CRC-8 (poly x^8+x^2+x+1, init 0) of `b[from, to)`. */
export function crc8(b: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = CRC8[c ^ (b[i] as number)] as number;
  return c;
}

/**
 * CRC-16 (poly x^16+x^15+x^2+1, init 0) of `b[from, to)`, continuing from `crc`.
 * Over a whole frame including its stored CRC the result is 0.
 */
export function crc16(b: Uint8Array, from: number, to: number, crc = 0): number {
  let c = crc;
  for (let i = from; i < to; i++) c = ((c << 8) & 0xffff) ^ (CRC16[(c >> 8) ^ (b[i] as number)] as number);
  return c;
}

const SAMPLE_RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_BITS = [0, 8, 12, -1, 16, 20, 24, 32];

/** One byte of {@link crc16}. */
export function crc16Byte(crc: number, byte: number): number {
  return ((crc << 8) & 0xffff) ^ (CRC16[(crc >> 8) ^ byte] as number);
}

/** Whether `b[at]`, `b[at+1]` hold a frame sync code. */
export function isFlacSync(b: Uint8Array, at: number): boolean {
  return b[at] === 0xff && ((b[at + 1] as number) & 0xfe) === 0xf8;
}

/**
 * Parses and checks the frame header at `b[at]` against the stream: sync, reserved bits,
 * codes, CRC-8, and that rate, channels and bit depth agree with STREAMINFO. Null when any
 * check fails or the bytes run out.
 */
export function parseFlacFrameHeader(b: Uint8Array, at: number, info: FlacStreamInfo): FlacFrameHeader | null {
  if (at + 6 > b.length || !isFlacSync(b, at)) return null;
  const variable = ((b[at + 1] as number) & 1) === 1;
  const b2 = b[at + 2] as number;
  const b3 = b[at + 3] as number;
  const bsCode = b2 >> 4;
  const srCode = b2 & 0x0f;
  const chCode = b3 >> 4;
  const bitsCode = (b3 >> 1) & 7;
  if (bsCode === 0 || srCode === 15 || chCode > 10 || (b3 & 1) !== 0 || bitsCode === 3) return null;
  // The coded number: like UTF-8, up to 7 bytes (36 bits) for sample numbers.
  let p = at + 4;
  const lead = b[p++] as number;
  let extra: number;
  let num: number;
  if (lead < 0x80) [extra, num] = [0, lead];
  else if (lead >= 0xc0 && lead < 0xe0) [extra, num] = [1, lead & 0x1f];
  else if (lead >= 0xe0 && lead < 0xf0) [extra, num] = [2, lead & 0x0f];
  else if (lead >= 0xf0 && lead < 0xf8) [extra, num] = [3, lead & 0x07];
  else if (lead >= 0xf8 && lead < 0xfc) [extra, num] = [4, lead & 0x03];
  else if (lead >= 0xfc && lead < 0xfe) [extra, num] = [5, lead & 0x01];
  else if (lead === 0xfe && variable) [extra, num] = [6, 0];
  else return null;
  if (p + extra > b.length) return null;
  for (let i = 0; i < extra; i++) {
    const c = b[p++] as number;
    if ((c & 0xc0) !== 0x80) return null;
    num = num * 64 + (c & 0x3f);
  }
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
  else if (bsCode === 6) {
    if (p + 1 > b.length) return null;
    blockSize = (b[p++] as number) + 1;
  } else if (bsCode === 7) {
    if (p + 2 > b.length) return null;
    blockSize = (((b[p] as number) << 8) | (b[p + 1] as number)) + 1;
    p += 2;
  } else blockSize = 256 << (bsCode - 8);
  let rate = SAMPLE_RATES[srCode] ?? 0;
  if (srCode >= 12) {
    const n = srCode === 12 ? 1 : 2;
    if (p + n > b.length) return null;
    const v = n === 1 ? (b[p] as number) : ((b[p] as number) << 8) | (b[p + 1] as number);
    rate = srCode === 12 ? v * 1000 : srCode === 13 ? v : v * 10;
    p += n;
  }
  if (p + 1 > b.length || crc8(b, at, p) !== b[p]) return null;
  p++;
  const channels = chCode < 8 ? chCode + 1 : 2;
  const bits = SAMPLE_BITS[bitsCode] as number;
  if ((srCode !== 0 && rate !== info.sampleRate) || channels !== info.channels || (bits !== 0 && bits !== info.bitsPerSample)) return null;
  if (info.maxBlockSize > 0 && blockSize > info.maxBlockSize) return null;
  const sample = variable ? num : num * (info.maxBlockSize || blockSize);
  return { variable, blockSize, sample, headerBytes: p - at };
}
