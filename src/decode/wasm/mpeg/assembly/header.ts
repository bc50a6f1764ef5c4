// The 32-bit MPEG audio frame header (ISO/IEC 11172-3 §2.4.2.3, ISO/IEC 13818-3 §2.4.2.3 and the
// MPEG-2.5 extension): parsed into module globals for the layer decoders.

import { input } from './bits';
import {
  count, fail, ERR_SYNTAX, ERR_TRUNCATED,
  STAT_CRC, STAT_DUAL, STAT_FREE_FORMAT, STAT_JOINT, STAT_MONO, STAT_MPEG1, STAT_MPEG2, STAT_MPEG25, STAT_STEREO,
} from './state';

/** Bitrates in kbit/s: [lsf][layer - 1][index], index 0 = free format, 15 invalid. */
const BITRATES: StaticArray<u16> = [
  0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
  0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
  0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
  0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
  0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
  0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
];

/** Sampling rates by rate index (MPEG-1: 0..2, MPEG-2: 3..5, MPEG-2.5: 6..8). */
export const RATES: StaticArray<i32> = [44100, 48000, 32000, 22050, 24000, 16000, 11025, 12000, 8000];

/** Channel modes. */
export const MODE_STEREO: i32 = 0;
export const MODE_JOINT: i32 = 1;
export const MODE_DUAL: i32 = 2;
export const MODE_MONO: i32 = 3;

/** 1, 2 or 3. */
export let layer: i32 = 3;
/** MPEG-2 or MPEG-2.5 (low sampling frequencies): one granule in layer III, other tables. */
export let lsf: bool = false;
export let mpeg25: bool = false;
/** Index into RATES. */
export let rateIndex: i32 = 0;
export let sampleRate: i32 = 44100;
/** kbit/s; for free format derived from the frame's length. */
export let bitrate: i32 = 0;
export let mode: i32 = 0;
export let modeExtension: i32 = 0;
export let channels: i32 = 2;
/** Bytes of this frame (header included). */
export let frameBytes: i32 = 0;
/** Bytes before the audio data: the header and the CRC when present. */
export let headerBytes: i32 = 4;
/** PCM samples per channel. */
export let samples: i32 = 1152;

/** Parses the header at the start of `input`, checking it against the frame's `bytes`. */
export function parseHeader(bytes: i32): bool {
  if (bytes < 4) return fail(ERR_TRUNCATED, 1);
  const h = (<u32>unchecked(input[0]) << 24) | (<u32>unchecked(input[1]) << 16) | (<u32>unchecked(input[2]) << 8) | <u32>unchecked(input[3]);
  if ((h >>> 21) != 0x7ff) return fail(ERR_SYNTAX, 2);
  const version = <i32>((h >>> 19) & 3);
  const layerBits = <i32>((h >>> 17) & 3);
  const brIndex = <i32>((h >>> 12) & 15);
  const srIndex = <i32>((h >>> 10) & 3);
  if (version == 1 || layerBits == 0 || brIndex == 15 || srIndex == 3) return fail(ERR_SYNTAX, 3);
  layer = 4 - layerBits;
  lsf = version != 3;
  mpeg25 = version == 0;
  rateIndex = srIndex + (version == 3 ? 0 : version == 2 ? 3 : 6);
  sampleRate = unchecked(RATES[rateIndex]);
  const padding = <i32>((h >>> 9) & 1);
  mode = <i32>((h >>> 6) & 3);
  modeExtension = <i32>((h >>> 4) & 3);
  channels = mode == MODE_MONO ? 1 : 2;
  headerBytes = (h & 0x10000) != 0 ? 4 : 6;
  samples = layer == 1 ? 384 : layer == 2 || !lsf ? 1152 : 576;
  const slot = layer == 1 ? 4 : 1;
  if (brIndex == 0) {
    count(STAT_FREE_FORMAT);
    frameBytes = bytes;
    bitrate = <i32>((<i64>bytes * 8 * <i64>sampleRate) / (<i64>samples * 1000));
  } else {
    bitrate = <i32>unchecked(BITRATES[((lsf ? 3 : 0) + layer - 1) * 15 + brIndex]);
    frameBytes = ((samples / 8 / slot) * bitrate * 1000 / sampleRate + padding) * slot;
    if (bytes < frameBytes) return fail(ERR_TRUNCATED, 4);
  }
  count(lsf ? (mpeg25 ? STAT_MPEG25 : STAT_MPEG2) : STAT_MPEG1);
  count(mode == MODE_MONO ? STAT_MONO : mode == MODE_JOINT ? STAT_JOINT : mode == MODE_DUAL ? STAT_DUAL : STAT_STEREO);
  if (headerBytes == 6) count(STAT_CRC);
  return true;
}
