/**
 * Initialisation vectors of HLS AES-128 segments (RFC 8216 §5.2): the `IV` attribute of
 * `#EXT-X-KEY` when present, else the segment's media sequence number as a 128-bit big-endian
 * integer.
 */
import { KitharaError } from '../platform/errors.js';

const HEX_IV = /^0[xX]([0-9a-fA-F]{32})$/;

/**
 * The IV of a segment without an explicit `IV`: `mediaSequence` as a 128-bit big-endian integer.
 * The full 64 bits go into bytes 8..15; bytes 0..7 are zero. Accepts a `bigint` for sequence
 * numbers beyond 2^53. Throws `RangeError` for a negative, fractional or too large number.
 */
export function ivFromSequence(mediaSequence: number | bigint): Uint8Array {
  let value: bigint;
  if (typeof mediaSequence === 'bigint') value = mediaSequence;
  else if (Number.isSafeInteger(mediaSequence)) value = BigInt(mediaSequence);
  else throw new RangeError(`mediaSequence must be an integer from 0 to 2^53 - 1 (or a bigint); got ${mediaSequence}.`);
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`mediaSequence must fit in 64 unsigned bits; got ${value}.`);
  }
  const iv = new Uint8Array(16);
  new DataView(iv.buffer).setBigUint64(8, value, false);
  return iv;
}

/**
 * Parses the `IV` attribute of `#EXT-X-KEY`: `0x` or `0X` followed by exactly 32 hex digits.
 * Anything else → `parse` KitharaError.
 */
export function parseHexIv(text: string): Uint8Array {
  const match = HEX_IV.exec(text);
  const digits = match?.[1];
  if (digits === undefined) {
    throw new KitharaError('parse', `EXT-X-KEY IV "${text}" must be 0x followed by 32 hex digits.`);
  }
  const iv = new Uint8Array(16);
  for (let i = 0; i < 16; i++) iv[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return iv;
}

/** The IV of one segment: the explicit `IV` attribute when given, else from the media sequence. */
export function segmentIv(ivAttribute: string | undefined, mediaSequence: number | bigint): Uint8Array {
  return ivAttribute === undefined ? ivFromSequence(mediaSequence) : parseHexIv(ivAttribute);
}
