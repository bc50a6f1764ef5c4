// The layer III hybrid synthesis (ISO/IEC 11172-3 §2.4.3.4.10): reordering of short blocks,
// alias reduction butterflies, the IMDCT (36 points for long/start/stop blocks, three 12-point
// ones for short blocks, both through a DCT-IV of half the size), windowing, overlap-add with the
// previous granule, and frequency inversion. Writes 18 time slots × 32 subbands per granule.

import { rateIndex } from './header';
import { shortStart } from './l3-tables';
import { blockType, mixed } from './l3-side';
import { nonZero, xr } from './l3-requant';
import { subbands } from './synth';

/** Alias reduction coefficients c_i (Table 3-B.9) as cs_i, ca_i. */
const ALIAS_C: StaticArray<f64> = [-0.6, -0.535, -0.33, -0.185, -0.095, -0.041, -0.0142, -0.0037];
const cs = new StaticArray<f32>(8);
const ca = new StaticArray<f32>(8);
/** DCT-IV kernels cos(π (2n + 1)(2k + 1) / (4N)) for N = 18 and 6, at [k * N + n]. */
const cos18 = new StaticArray<f32>(18 * 18);
const cos6 = new StaticArray<f32>(6 * 6);
/** Windows: block types 0, 1, 3 at [type * 36 + i] (type 2 unused), short at [i]. */
const winLong = new StaticArray<f32>(4 * 36);
const winShort = new StaticArray<f32>(12);

/** Overlap (second half of the last IMDCT) per channel and subband: [ch * 576 + sb * 18 + i]. */
const overlap = new StaticArray<f32>(2 * 576);
/** Per channel: subbands whose overlap may be non-zero. */
const overlapBands = new StaticArray<i32>(2);
const reordered = new StaticArray<f32>(576);
const y = new StaticArray<f32>(18);
const z = new StaticArray<f32>(36);

/** Fills the tables. */
export function initHybrid(): void {
  for (let i = 0; i < 8; i++) {
    const c = unchecked(ALIAS_C[i]);
    const d = Math.sqrt(1.0 + c * c);
    unchecked((cs[i] = <f32>(1.0 / d)));
    unchecked((ca[i] = <f32>(c / d)));
  }
  for (let k = 0; k < 18; k++) {
    for (let n = 0; n < 18; n++) unchecked((cos18[k * 18 + n] = <f32>Math.cos((Math.PI * <f64>((2 * n + 1) * (2 * k + 1))) / 72.0)));
  }
  for (let k = 0; k < 6; k++) {
    for (let n = 0; n < 6; n++) unchecked((cos6[k * 6 + n] = <f32>Math.cos((Math.PI * <f64>((2 * n + 1) * (2 * k + 1))) / 24.0)));
  }
  for (let i = 0; i < 36; i++) {
    const long = <f32>Math.sin((Math.PI / 36.0) * (<f64>i + 0.5));
    unchecked((winLong[i] = long));
    let start: f32 = 0;
    if (i < 18) start = long;
    else if (i < 24) start = 1;
    else if (i < 30) start = <f32>Math.sin((Math.PI / 12.0) * (<f64>(i - 18) + 0.5));
    unchecked((winLong[36 + i] = start));
    let stop: f32 = 0;
    if (i >= 18) stop = long;
    else if (i >= 12) stop = 1;
    else if (i >= 6) stop = <f32>Math.sin((Math.PI / 12.0) * (<f64>(i - 6) + 0.5));
    unchecked((winLong[3 * 36 + i] = stop));
  }
  for (let i = 0; i < 12; i++) unchecked((winShort[i] = <f32>Math.sin((Math.PI / 12.0) * (<f64>i + 0.5))));
  resetHybrid();
}

/** Clears the overlap of both channels. */
export function resetHybrid(): void {
  memory.fill(changetype<usize>(overlap), 0, 2 * 576 * 4);
  unchecked((overlapBands[0] = 0));
  unchecked((overlapBands[1] = 0));
}

/** Long-block IMDCT of the 18 lines at `x`, windowed with `win`, overlap-added into `out`. */
function imdct36(x: usize, win: usize, ov: usize, out: usize): void {
  const yp = changetype<usize>(y);
  for (let n = 0; n < 18; n++) store<f32>(yp + (<usize>n << 2), 0);
  for (let k = 0; k < 18; k++) {
    const v = load<f32>(x + (<usize>k << 2));
    if (v == 0) continue;
    const c = changetype<usize>(cos18) + (<usize>(k * 18) << 2);
    for (let n = 0; n < 18; n++) {
      const o = <usize>n << 2;
      store<f32>(yp + o, load<f32>(yp + o) + v * load<f32>(c + o));
    }
  }
  // x[0..8] = y[9..17], x[9..17] = -y[17..9], x[18..26] = -y[8..0], x[27..35] = -y[0..8].
  for (let i = 0; i < 9; i++) {
    const a = load<f32>(yp + (<usize>(9 + i) << 2));
    const b = -load<f32>(yp + (<usize>(17 - i) << 2));
    store<f32>(out + (<usize>i << 2), a * load<f32>(win + (<usize>i << 2)) + load<f32>(ov + (<usize>i << 2)));
    store<f32>(out + (<usize>(9 + i) << 2), b * load<f32>(win + (<usize>(9 + i) << 2)) + load<f32>(ov + (<usize>(9 + i) << 2)));
    const c = -load<f32>(yp + (<usize>(8 - i) << 2));
    const d = -load<f32>(yp + (<usize>i << 2));
    store<f32>(ov + (<usize>i << 2), c * load<f32>(win + (<usize>(18 + i) << 2)));
    store<f32>(ov + (<usize>(9 + i) << 2), d * load<f32>(win + (<usize>(27 + i) << 2)));
  }
}

/** Short-block IMDCTs of the three interleaved windows at `x` (line 3f + w), overlap-added. */
function imdct12(x: usize, ov: usize, out: usize): void {
  const zp = changetype<usize>(z);
  const yp = changetype<usize>(y);
  for (let i = 0; i < 36; i++) store<f32>(zp + (<usize>i << 2), 0);
  for (let w = 0; w < 3; w++) {
    for (let n = 0; n < 6; n++) {
      let s: f32 = 0;
      for (let k = 0; k < 6; k++) s += load<f32>(x + (<usize>(3 * k + w) << 2)) * unchecked(cos6[k * 6 + n]);
      store<f32>(yp + (<usize>n << 2), s);
    }
    // x[0..2] = y[3..5], x[3..5] = -y[5..3], x[6..8] = -y[2..0], x[9..11] = -y[0..2].
    const at = zp + (<usize>(6 + 6 * w) << 2);
    for (let i = 0; i < 3; i++) {
      const o0 = <usize>i << 2;
      const o1 = <usize>(3 + i) << 2;
      const o2 = <usize>(6 + i) << 2;
      const o3 = <usize>(9 + i) << 2;
      store<f32>(at + o0, load<f32>(at + o0) + load<f32>(yp + (<usize>(3 + i) << 2)) * unchecked(winShort[i]));
      store<f32>(at + o1, load<f32>(at + o1) - load<f32>(yp + (<usize>(5 - i) << 2)) * unchecked(winShort[3 + i]));
      store<f32>(at + o2, load<f32>(at + o2) - load<f32>(yp + (<usize>(2 - i) << 2)) * unchecked(winShort[6 + i]));
      store<f32>(at + o3, load<f32>(at + o3) - load<f32>(yp + o0) * unchecked(winShort[9 + i]));
    }
  }
  for (let i = 0; i < 18; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(zp + o) + load<f32>(ov + o));
    store<f32>(ov + o, load<f32>(zp + (<usize>(18 + i) << 2)));
  }
}

const slot = new StaticArray<f32>(18);

/** Turns channel `ch` of granule-channel `g` (granule `gr`) into subband samples. */
export function hybrid(g: i32, ch: i32, gr: i32): void {
  const x = changetype<usize>(xr) + (<usize>(ch * 576) << 2);
  let nz = unchecked(nonZero[ch]);
  const bt = unchecked(blockType[g]);
  const isMixed = unchecked(mixed[g]);
  const rate = rateIndex;
  let longSubbands = 32;
  if (bt == 2) {
    const first = isMixed ? 3 : 0;
    longSubbands = isMixed ? (shortStart(rate, 3) * 3) / 18 : 0;
    const tmp = changetype<usize>(reordered);
    let end = longSubbands * 18;
    for (let sfb = first; sfb < 13; sfb++) {
      const s = shortStart(rate, sfb);
      if (s * 3 >= nz) break;
      const width = shortStart(rate, sfb + 1) - s;
      for (let w = 0; w < 3; w++) {
        for (let j = 0; j < width; j++) {
          store<f32>(tmp + (<usize>((s + j) * 3 + w) << 2), load<f32>(x + (<usize>(s * 3 + w * width + j) << 2)));
        }
      }
      end = (s + width) * 3;
    }
    const from = longSubbands * 18;
    if (end > from) memory.copy(x + (<usize>from << 2), tmp + (<usize>from << 2), <usize>(end - from) << 2);
    nz = max(nz, end);
  }
  // Alias reduction between long-block subbands.
  const boundaries = bt == 2 ? (isMixed ? 1 : 0) : min(31, (nz + 17) / 18);
  for (let sb = 1; sb <= boundaries; sb++) {
    const at = x + (<usize>(sb * 18) << 2);
    for (let i = 0; i < 8; i++) {
      const up = at - (<usize>(i + 1) << 2);
      const dn = at + (<usize>i << 2);
      const bu = load<f32>(up);
      const bd = load<f32>(dn);
      store<f32>(up, bu * unchecked(cs[i]) - bd * unchecked(ca[i]));
      store<f32>(dn, bd * unchecked(cs[i]) + bu * unchecked(ca[i]));
    }
  }
  if (boundaries > 0) nz = bt == 2 ? max(nz, 26) : min(576, boundaries * 18 + 8);
  const bands = min(32, (nz + 17) / 18);
  const active = max(bands, unchecked(overlapBands[ch]));
  const ovBase = changetype<usize>(overlap) + (<usize>(ch * 576) << 2);
  const sp = changetype<usize>(slot);
  const outBase = changetype<usize>(subbands) + (<usize>(ch * 1152 + gr * 18 * 32) << 2);
  for (let sb = 0; sb < 32; sb++) {
    const ov = ovBase + (<usize>(sb * 18) << 2);
    if (sb >= active) {
      for (let t = 0; t < 18; t++) store<f32>(outBase + (<usize>(t * 32 + sb) << 2), 0);
      continue;
    }
    if (sb >= bands) {
      for (let t = 0; t < 18; t++) {
        const o = <usize>t << 2;
        store<f32>(sp + o, load<f32>(ov + o));
        store<f32>(ov + o, 0);
      }
    } else {
      const lines = x + (<usize>(sb * 18) << 2);
      if (bt == 2 && sb >= longSubbands) imdct12(lines, ov, sp);
      else imdct36(lines, changetype<usize>(winLong) + (<usize>((sb < longSubbands && bt == 2 ? 0 : bt) * 36) << 2), ov, sp);
    }
    const invert = (sb & 1) != 0;
    for (let t = 0; t < 18; t++) {
      let v = load<f32>(sp + (<usize>t << 2));
      if (invert && (t & 1) != 0) v = -v;
      store<f32>(outBase + (<usize>(t * 32 + sb) << 2), v);
    }
  }
  unchecked((overlapBands[ch] = bands));
}
