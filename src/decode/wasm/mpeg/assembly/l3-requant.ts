// Layer III requantization (ISO/IEC 11172-3 §2.4.3.4.7): |is|^(4/3) × 2^(gain / 4) per band and
// window, and the joint stereo processing (§2.4.3.4.9, ISO/IEC 13818-3 §2.4.3.2): mid/side and
// intensity stereo, MPEG-1 (tan(is_pos π/12) ratios) and MPEG-2 LSF (powers of 2^-1/4 or
// 2^-1/2, illegal positions at the largest scalefactor value). Works on the spectrum in decode
// order (short bands window by window), before reordering.

import { lsf, mode, modeExtension, rateIndex, MODE_JOINT } from './header';
import { PRETAB, longStart, shortStart } from './l3-tables';
import {
  blockType, globalGain, intensityScale, isMaxLong, isMaxShort, mixed, preflag, sfLong, sfScale, sfShort, subblockGain,
} from './l3-side';
import { count, STAT_INTENSITY, STAT_MS, STAT_PREFLAG } from './state';

const POW43_SIZE: i32 = 8207;
const GAIN_OFFSET: i32 = 400;
const pow43 = new StaticArray<f32>(POW43_SIZE);
/** 2^((q - GAIN_OFFSET) / 4). */
const gains = new StaticArray<f32>(GAIN_OFFSET + 64);
/** MPEG-1 intensity ratios for is_pos 0..6 (left, right). */
const isLeft = new StaticArray<f32>(7);
const isRight = new StaticArray<f32>(7);
/** MPEG-2 intensity factors: [scale * 32 + pos] for left and right. */
const lsfLeft = new StaticArray<f32>(64);
const lsfRight = new StaticArray<f32>(64);

/** The requantized spectrum of both channels, 576 lines each. */
export const xr = new StaticArray<f32>(2 * 576);
/** Per channel: lines from which the spectrum is zero. */
export const nonZero = new StaticArray<i32>(2);

/** Fills the power tables. */
export function initRequant(): void {
  // Powers are built from cbrt, sqrt and exact doublings: no pow() and its tables in the binary.
  for (let i = 0; i < POW43_SIZE; i++) unchecked((pow43[i] = <f32>(<f64>i * Math.cbrt(<f64>i))));
  const quarter = Math.sqrt(Math.sqrt(2.0));
  let octave = 1.0; // 2^(-GAIN_OFFSET / 4), exactly
  for (let k = 0; k < GAIN_OFFSET / 4; k++) octave *= 0.5;
  for (let q = 0; q < GAIN_OFFSET + 64; q += 4) {
    let v = octave;
    for (let k = 0; k < 4; k++) {
      unchecked((gains[q + k] = <f32>v));
      v *= quarter;
    }
    octave *= 2.0;
  }
  for (let p = 0; p < 7; p++) {
    const a = (<f64>p * Math.PI) / 12.0;
    const s = Math.sin(a);
    const c = Math.cos(a);
    unchecked((isLeft[p] = <f32>(s / (s + c))));
    unchecked((isRight[p] = <f32>(c / (s + c))));
  }
  for (let scale = 0; scale < 2; scale++) {
    const i0 = scale == 0 ? 1.0 / Math.sqrt(Math.sqrt(2.0)) : 1.0 / Math.sqrt(2.0);
    let power = 1.0; // i0^((p + 1) >> 1) for odd p, i0^(p >> 1) for even p
    for (let p = 0; p < 32; p++) {
      if (p & 1) power *= i0;
      unchecked((lsfLeft[scale * 32 + p] = <f32>(p & 1 ? power : 1.0)));
      unchecked((lsfRight[scale * 32 + p] = <f32>(p & 1 ? 1.0 : power)));
    }
  }
}

/** Requantizes lines [from, to) of `ix` into `out` with gain index q. */
// @ts-ignore: decorator
@inline function band(ix: usize, out: usize, from: i32, to: i32, q: i32): void {
  const gain = unchecked(gains[max(q + GAIN_OFFSET, 0)]);
  for (let i = from; i < to; i++) {
    const v = load<i32>(ix + (<usize>i << 2));
    let y: f32 = 0;
    if (v > 0) y = unchecked(pow43[v]) * gain;
    else if (v < 0) y = -unchecked(pow43[-v]) * gain;
    store<f32>(out + (<usize>i << 2), y);
  }
}

/** Requantizes granule-channel `g` (channel `ch`) from the Huffman values at `ix`. */
export function requantize(g: i32, ch: i32, ix: usize): void {
  const out = changetype<usize>(xr) + (<usize>(ch * 576) << 2);
  const nz = unchecked(nonZero[ch]);
  const gg = unchecked(globalGain[g]) - 210;
  const shift = 1 + unchecked(sfScale[g]);
  const pre = unchecked(preflag[g]);
  if (pre) count(STAT_PREFLAG);
  const r = rateIndex;
  let end = 0;
  const bt = unchecked(blockType[g]);
  const longBands = bt != 2 ? 22 : unchecked(mixed[g]) ? (lsf ? 6 : 8) : 0;
  for (let sfb = 0; sfb < longBands && end < nz; sfb++) {
    const from = longStart(r, sfb);
    end = min(longStart(r, sfb + 1), nz);
    const sf = unchecked(sfLong[ch * 22 + sfb]) + (pre ? <i32>unchecked(PRETAB[sfb]) : 0);
    band(ix, out, from, end, gg - (sf << shift));
  }
  if (bt == 2) {
    for (let sfb = unchecked(mixed[g]) ? 3 : 0; sfb < 13 && end < nz; sfb++) {
      const start = shortStart(r, sfb);
      const width = shortStart(r, sfb + 1) - start;
      for (let w = 0; w < 3; w++) {
        const from = start * 3 + w * width;
        end = min(from + width, nz);
        if (from >= end) break;
        const q = gg - 8 * unchecked(subblockGain[g * 3 + w]) - (unchecked(sfShort[ch * 39 + sfb * 3 + w]) << shift);
        band(ix, out, from, end, q);
      }
    }
  }
  for (let i = nz; i < 576; i++) store<f32>(out + (<usize>i << 2), 0);
}

const INV_SQRT2: f32 = 0.70710678118654752;

// @ts-ignore: decorator
@inline function midSide(l: usize, r: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const o = <usize>i << 2;
    const m = load<f32>(l + o);
    const s = load<f32>(r + o);
    store<f32>(l + o, (m + s) * INV_SQRT2);
    store<f32>(r + o, (m - s) * INV_SQRT2);
  }
}

/** Whether any of lines [from, to) of the right channel is non-zero. */
function anyNonZero(r: usize, from: i32, to: i32): bool {
  for (let i = from; i < to; i++) if (load<f32>(r + (<usize>i << 2)) != 0) return true;
  return false;
}

/** Intensity-codes lines [from, to) at position `pos` (or mid/side / nothing when illegal). */
function intensity(l: usize, r: usize, from: i32, to: i32, pos: i32, maxPos: i32, ms: bool): void {
  let kl: f32;
  let kr: f32;
  if (lsf) {
    if (pos == maxPos) {
      if (ms) midSide(l, r, from, to);
      return;
    }
    kl = unchecked(lsfLeft[intensityScale * 32 + (pos & 31)]);
    kr = unchecked(lsfRight[intensityScale * 32 + (pos & 31)]);
  } else {
    if (pos >= 7) {
      if (ms) midSide(l, r, from, to);
      return;
    }
    kl = unchecked(isLeft[pos]);
    kr = unchecked(isRight[pos]);
  }
  for (let i = from; i < to; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(l + o);
    store<f32>(l + o, x * kl);
    store<f32>(r + o, x * kr);
  }
}

const shortIsStart = new StaticArray<i32>(3);

/** Joint stereo processing of granule `gr` (both channels requantized). */
export function jointStereo(gr: i32): void {
  if (mode != MODE_JOINT || modeExtension == 0) return;
  const ms = (modeExtension & 2) != 0;
  const l = changetype<usize>(xr);
  const r = l + 576 * 4;
  const top = max(unchecked(nonZero[0]), unchecked(nonZero[1]));
  if (ms) count(STAT_MS);
  if ((modeExtension & 1) == 0) {
    midSide(l, r, 0, top);
    unchecked((nonZero[0] = top));
    unchecked((nonZero[1] = top));
    return;
  }
  count(STAT_INTENSITY);
  const g1 = gr * 2 + 1;
  const rate = rateIndex;
  const bt = unchecked(blockType[g1]);
  const isMixed = unchecked(mixed[g1]);
  const longBands = bt != 2 ? 22 : isMixed ? (lsf ? 6 : 8) : 0;
  const firstShort = isMixed ? 3 : 0;
  let longIsStart = longBands;
  if (bt == 2) {
    let none = true;
    for (let w = 0; w < 3; w++) {
      let start = firstShort;
      for (let sfb = 12; sfb >= firstShort; sfb--) {
        const s = shortStart(rate, sfb);
        const width = shortStart(rate, sfb + 1) - s;
        const from = s * 3 + w * width;
        if (anyNonZero(r, from, from + width)) {
          start = sfb + 1;
          none = false;
          break;
        }
      }
      unchecked((shortIsStart[w] = start));
    }
    if (isMixed && none) {
      longIsStart = 0;
      for (let sfb = longBands - 1; sfb >= 0; sfb--) {
        if (anyNonZero(r, longStart(rate, sfb), longStart(rate, sfb + 1))) {
          longIsStart = sfb + 1;
          break;
        }
      }
    }
  } else {
    const nzR = unchecked(nonZero[1]);
    longIsStart = 0;
    // Bands above the one holding the right channel's last non-zero line are intensity coded.
    while (longIsStart < 22 && longStart(rate, longIsStart) < nzR) longIsStart++;
  }
  for (let sfb = 0; sfb < longBands; sfb++) {
    const from = longStart(rate, sfb);
    const to = longStart(rate, sfb + 1);
    if (sfb >= longIsStart) {
      const k = min(sfb, 20);
      intensity(l, r, from, to, unchecked(sfLong[22 + k]), unchecked(isMaxLong[k]), ms);
    } else if (ms) {
      midSide(l, r, from, to);
    }
  }
  if (bt == 2) {
    for (let sfb = firstShort; sfb < 13; sfb++) {
      const s = shortStart(rate, sfb);
      const width = shortStart(rate, sfb + 1) - s;
      const k = min(sfb, 11);
      for (let w = 0; w < 3; w++) {
        const from = s * 3 + w * width;
        if (sfb >= unchecked(shortIsStart[w])) {
          intensity(l, r, from, from + width, unchecked(sfShort[39 + k * 3 + w]), unchecked(isMaxShort[k * 3 + w]), ms);
        } else if (ms) {
          midSide(l, r, from, from + width);
        }
      }
    }
  }
  unchecked((nonZero[0] = top));
  unchecked((nonZero[1] = top));
}
