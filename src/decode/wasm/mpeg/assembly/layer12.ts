// Layers I and II (ISO/IEC 11172-3 §2.4.1.5-6, §2.4.3.2-3; ISO/IEC 13818-3 for the low
// sampling frequencies): bit allocation, scalefactors and (grouped) samples, dequantized into
// the subband samples of both channels. Joint stereo shares one allocation and one sample per
// subband above the bound; each channel keeps its own scalefactors.

import { readBits, bitPos } from './bits';
import { channels, bitrate, frameBytes, lsf, mode, modeExtension, sampleRate, MODE_JOINT } from './header';
import { subbands } from './synth';
import { fail, ERR_SYNTAX, ERR_TRUNCATED } from './state';

/** Scalefactors 2^(1 - i/3), i = 0..63 (Table 3-B.1; 63 is reserved). */
const SCALE = new StaticArray<f32>(64);
/** Per quantization class (Table 3-B.4): levels, and the code width (negative when grouped by 3). */
const CLASS_LEVELS: StaticArray<i32> = [3, 5, 7, 9, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095, 8191, 16383, 32767, 65535];
const CLASS_BITS: StaticArray<i8> = [-5, -7, 3, -10, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

// Allocation rows: the quantization class of allocation values 1.. (Tables 3-B.2a-d and the
// LSF table of ISO/IEC 13818-3 Annex B), 16 entries each, and their allocation widths.
const ROWS: StaticArray<u8> = [
  0, 0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // A: 3, 7, 15, 31 ... 65535
  0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, //   B: 3, 5, 7, 9, 15 ... 8191, 65535
  0, 0, 1, 2, 3, 4, 5, 16, 0, 0, 0, 0, 0, 0, 0, 0, //       C: 3, 5, 7, 9, 15, 31, 65535
  0, 0, 1, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //       D: 3, 5, 65535
  0, 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //  E: 3, 5, 9, 15 ... 32767
  0, 0, 1, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, //        F: 3, 5, 9, 15, 31, 63, 127
  0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, //   G: 3, 5, 7, 9, 15 ... 16383
  0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //        H: 3, 5, 9
];
const ROW_BITS: StaticArray<u8> = [4, 4, 3, 2, 4, 3, 4, 2];
// The five tables as (row, subband count) runs.
const TABLES: StaticArray<u8> = [
  0, 3, 1, 8, 2, 12, 3, 4, 0, 0, // a: 27 subbands
  0, 3, 1, 8, 2, 12, 3, 7, 0, 0, // b: 30
  4, 2, 5, 6, 0, 0, 0, 0, 0, 0, //  c: 8
  4, 2, 5, 10, 0, 0, 0, 0, 0, 0, // d: 12
  6, 4, 5, 7, 7, 19, 0, 0, 0, 0, // LSF: 30
];

const alloc = new StaticArray<u8>(64); // [ch * 32 + sb]: class + 1, 0 = none
const scfsi = new StaticArray<u8>(64);
const scale = new StaticArray<f32>(2 * 32 * 3); // [(ch * 32 + sb) * 3 + part]
const rowOf = new StaticArray<u8>(32);
const values = new StaticArray<i32>(3);

/** Fills the scalefactor table. */
export function initLayer12(): void {
  const third = 1.0 / Math.cbrt(2.0);
  let v = 2.0;
  for (let i = 0; i < 64; i++) {
    unchecked((SCALE[i] = <f32>v));
    v *= third;
  }
}

/** The dequantized value of code `v` of a class with `levels` levels: (2v - levels + 1) / levels. */
// @ts-ignore: decorator
@inline function dequant(v: i32, levels: i32): f32 {
  const n: i32 = 2 * v - levels + 1;
  return <f32>n / <f32>levels;
}

/** Reads the three samples of one subband granule into `values`; false for a reserved code. */
function readTriple(cls: i32): bool {
  const bits = <i32>unchecked(CLASS_BITS[cls]);
  const levels = unchecked(CLASS_LEVELS[cls]);
  if (bits < 0) {
    let c = <i32>readBits(-bits);
    const n = levels;
    for (let k = 0; k < 3; k++) {
      unchecked((values[k] = c % n));
      c /= n;
    }
    return c == 0;
  }
  for (let k = 0; k < 3; k++) {
    const v = <i32>readBits(bits);
    if (v == levels) return false;
    unchecked((values[k] = v));
  }
  return true;
}

/** Decodes the audio data of a layer I frame (the bit reader is past header and CRC). */
export function decodeLayer1(): bool {
  const nch = channels;
  const bound = mode == MODE_JOINT ? (modeExtension + 1) * 4 : 32;
  for (let sb = 0; sb < 32; sb++) {
    for (let ch = 0; ch < nch; ch++) {
      if (ch > 0 && sb >= bound) {
        unchecked((alloc[32 + sb] = alloc[sb]));
        continue;
      }
      const a = <i32>readBits(4);
      if (a == 15) return fail(ERR_SYNTAX, 20);
      unchecked((alloc[ch * 32 + sb] = <u8>a));
    }
  }
  for (let sb = 0; sb < 32; sb++) {
    for (let ch = 0; ch < nch; ch++) {
      if (unchecked(alloc[ch * 32 + sb]) != 0) unchecked((scale[(ch * 32 + sb) * 3] = SCALE[readBits(6)]));
    }
  }
  for (let s = 0; s < 12; s++) {
    for (let sb = 0; sb < 32; sb++) {
      let v = 0;
      for (let ch = 0; ch < nch; ch++) {
        const a = <i32>unchecked(alloc[ch * 32 + sb]);
        let out: f32 = 0;
        if (a != 0) {
          const levels = (2 << a) - 1;
          if (ch == 0 || sb < bound) {
            v = <i32>readBits(a + 1);
            if (v == levels) return fail(ERR_SYNTAX, 21);
          }
          out = dequant(v, levels) * unchecked(scale[(ch * 32 + sb) * 3]);
        }
        unchecked((subbands[ch * 1152 + s * 32 + sb] = out));
      }
    }
  }
  return bitPos <= frameBytes * 8 || fail(ERR_TRUNCATED, 22);
}

/** The allocation table of this frame (index into TABLES) and its subband limit. */
function selectTable(): i32 {
  if (lsf) return 4;
  const perChannel = bitrate / channels;
  if ((sampleRate == 48000 && perChannel >= 56) || (perChannel >= 56 && perChannel <= 80)) return 0;
  if (sampleRate != 48000 && perChannel >= 96) return 1;
  if (sampleRate != 32000 && perChannel <= 48) return 2;
  return 3;
}

/** Decodes the audio data of a layer II frame (the bit reader is past header and CRC). */
export function decodeLayer2(): bool {
  const nch = channels;
  const table = selectTable();
  let sblimit = 0;
  for (let r = 0; r < 10; r += 2) {
    const row = <i32>unchecked(TABLES[table * 10 + r]);
    const n = <i32>unchecked(TABLES[table * 10 + r + 1]);
    for (let k = 0; k < n; k++) unchecked((rowOf[sblimit++] = <u8>row));
  }
  let bound = mode == MODE_JOINT ? (modeExtension + 1) * 4 : sblimit;
  if (bound > sblimit) bound = sblimit;
  for (let sb = 0; sb < sblimit; sb++) {
    const row = <i32>unchecked(rowOf[sb]);
    const width = <i32>unchecked(ROW_BITS[row]);
    for (let ch = 0; ch < nch; ch++) {
      if (ch > 0 && sb >= bound) {
        unchecked((alloc[32 + sb] = alloc[sb]));
        continue;
      }
      const a = <i32>readBits(width);
      unchecked((alloc[ch * 32 + sb] = a == 0 ? 0 : <u8>(unchecked(ROWS[row * 16 + a]) + 1)));
    }
  }
  for (let sb = 0; sb < sblimit; sb++) {
    for (let ch = 0; ch < nch; ch++) {
      if (unchecked(alloc[ch * 32 + sb]) != 0) unchecked((scfsi[ch * 32 + sb] = <u8>readBits(2)));
    }
  }
  for (let sb = 0; sb < sblimit; sb++) {
    for (let ch = 0; ch < nch; ch++) {
      if (unchecked(alloc[ch * 32 + sb]) == 0) continue;
      const p = (ch * 32 + sb) * 3;
      const sel = <i32>unchecked(scfsi[ch * 32 + sb]);
      const s0 = unchecked(SCALE[readBits(6)]);
      let s1 = s0;
      let s2 = s0;
      if (sel == 0) {
        s1 = unchecked(SCALE[readBits(6)]);
        s2 = unchecked(SCALE[readBits(6)]);
      } else if (sel == 1) {
        s2 = unchecked(SCALE[readBits(6)]);
      } else if (sel == 3) {
        s1 = unchecked(SCALE[readBits(6)]);
        s2 = s1;
      }
      unchecked((scale[p] = s0));
      unchecked((scale[p + 1] = s1));
      unchecked((scale[p + 2] = s2));
    }
  }
  memory.fill(changetype<usize>(subbands), 0, 2 * 1152 * 4);
  for (let gr = 0; gr < 12; gr++) {
    const part = gr >> 2;
    for (let sb = 0; sb < sblimit; sb++) {
      for (let ch = 0; ch < nch; ch++) {
        const cls = <i32>unchecked(alloc[ch * 32 + sb]) - 1;
        if (cls < 0) continue;
        if (ch == 0 || sb < bound) {
          if (!readTriple(cls)) return fail(ERR_SYNTAX, 30);
        }
        const levels = unchecked(CLASS_LEVELS[cls]);
        const f = unchecked(scale[(ch * 32 + sb) * 3 + part]);
        const at = ch * 1152 + gr * 96 + sb;
        for (let k = 0; k < 3; k++) unchecked((subbands[at + k * 32] = dequant(unchecked(values[k]), levels) * f));
      }
    }
  }
  return bitPos <= frameBytes * 8 || fail(ERR_TRUNCATED, 31);
}
