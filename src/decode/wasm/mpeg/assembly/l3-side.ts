// Layer III side information (ISO/IEC 11172-3 §2.4.1.7, ISO/IEC 13818-3 §2.4.1.7) and the
// scalefactors of part 2 of each granule, MPEG-1 (with scfsi reuse) and MPEG-2 LSF (with the
// intensity-stereo variant of scalefac_compress for the right channel).

import { readBit, readBits } from './bits';
import { channels, lsf, mode, modeExtension, rateIndex, MODE_JOINT } from './header';
import { LSF_COUNTS, SLEN1, SLEN2, longStart, shortStart } from './l3-tables';
import { count, fail, ERR_SYNTAX, STAT_SCFSI } from './state';

/** Side information, per granule-channel g = gr * 2 + ch. */
export let mainDataBegin: i32 = 0;
export const scfsi = new StaticArray<u8>(8); // [ch * 4 + band group]
export const part23 = new StaticArray<i32>(4);
export const bigValues = new StaticArray<i32>(4);
export const globalGain = new StaticArray<i32>(4);
export const sfCompress = new StaticArray<i32>(4);
export const blockType = new StaticArray<i32>(4);
export const mixed = new StaticArray<bool>(4);
export const tableSelect = new StaticArray<i32>(12);
export const subblockGain = new StaticArray<i32>(12);
/** First line of regions 1 and 2 of the big_values part. */
export const region1 = new StaticArray<i32>(4);
export const region2 = new StaticArray<i32>(4);
export const preflag = new StaticArray<bool>(4);
export const sfScale = new StaticArray<i32>(4);
export const count1Table = new StaticArray<i32>(4);

/**
 * Scalefactors of the granule being decoded, per channel: long bands [ch * 22 + sfb] and short
 * bands [ch * 39 + sfb * 3 + window]. `isMax*` hold the largest value a band's scalefactor can
 * take (MPEG-2 intensity stereo: that value marks an illegal position).
 */
export const sfLong = new StaticArray<i32>(44);
export const sfShort = new StaticArray<i32>(78);
export const isMaxLong = new StaticArray<i32>(22);
export const isMaxShort = new StaticArray<i32>(39);
/** MPEG-2 intensity_scale of the right channel. */
export let intensityScale: i32 = 0;

/** Reads the side information (the bit reader is past header and CRC). */
export function readSideInfo(): bool {
  const nch = channels;
  const ngr = lsf ? 1 : 2;
  if (lsf) {
    mainDataBegin = <i32>readBits(8);
    readBits(nch == 1 ? 1 : 2);
  } else {
    mainDataBegin = <i32>readBits(9);
    readBits(nch == 1 ? 5 : 3);
    for (let ch = 0; ch < nch; ch++) for (let b = 0; b < 4; b++) unchecked((scfsi[ch * 4 + b] = <u8>readBit()));
  }
  for (let gr = 0; gr < ngr; gr++) {
    for (let ch = 0; ch < nch; ch++) {
      const g = gr * 2 + ch;
      unchecked((part23[g] = <i32>readBits(12)));
      const bv = <i32>readBits(9);
      if (bv > 288) return fail(ERR_SYNTAX, 40);
      unchecked((bigValues[g] = bv));
      unchecked((globalGain[g] = <i32>readBits(8)));
      unchecked((sfCompress[g] = <i32>readBits(lsf ? 9 : 4)));
      const limit = bv * 2;
      let r1 = 0;
      let r2 = 0;
      if (readBit()) {
        const bt = <i32>readBits(2);
        if (bt == 0) return fail(ERR_SYNTAX, 41);
        unchecked((blockType[g] = bt));
        unchecked((mixed[g] = readBit() != 0));
        for (let r = 0; r < 2; r++) unchecked((tableSelect[g * 3 + r] = <i32>readBits(5)));
        unchecked((tableSelect[g * 3 + 2] = 0));
        for (let w = 0; w < 3; w++) unchecked((subblockGain[g * 3 + w] = <i32>readBits(3)));
        // Implicit regions: 36 lines (short or mixed blocks), else up to long band 8.
        r1 = bt == 2 ? shortStart(rateIndex, 3) * 3 : longStart(rateIndex, 8);
        r2 = 576;
      } else {
        unchecked((blockType[g] = 0));
        unchecked((mixed[g] = false));
        for (let r = 0; r < 3; r++) unchecked((tableSelect[g * 3 + r] = <i32>readBits(5)));
        for (let w = 0; w < 3; w++) unchecked((subblockGain[g * 3 + w] = 0));
        const r0 = <i32>readBits(4);
        const r1c = <i32>readBits(3);
        r1 = longStart(rateIndex, min(r0 + 1, 22));
        r2 = longStart(rateIndex, min(r0 + r1c + 2, 22));
      }
      unchecked((region1[g] = min(r1, limit)));
      unchecked((region2[g] = min(max(r2, r1), limit)));
      unchecked((preflag[g] = lsf ? false : readBit() != 0));
      unchecked((sfScale[g] = <i32>readBit()));
      unchecked((count1Table[g] = <i32>readBit()));
    }
  }
  return true;
}

/** Reads the MPEG-1 scalefactors of granule `gr`, channel `ch`. */
export function readScalefactors(gr: i32, ch: i32): void {
  const g = gr * 2 + ch;
  const slen1 = <i32>unchecked(SLEN1[unchecked(sfCompress[g])]);
  const slen2 = <i32>unchecked(SLEN2[unchecked(sfCompress[g])]);
  const L = ch * 22;
  const S = ch * 39;
  if (unchecked(blockType[g]) == 2) {
    let sfb = 0;
    if (unchecked(mixed[g])) {
      for (; sfb < 8; sfb++) unchecked((sfLong[L + sfb] = <i32>readBits(slen1)));
      sfb = 3;
    }
    for (; sfb < 12; sfb++) {
      const len = sfb < 6 ? slen1 : slen2;
      for (let w = 0; w < 3; w++) unchecked((sfShort[S + sfb * 3 + w] = <i32>readBits(len)));
    }
    for (let w = 0; w < 3; w++) unchecked((sfShort[S + 36 + w] = 0));
    return;
  }
  for (let b = 0; b < 4; b++) {
    const from = b == 0 ? 0 : b == 1 ? 6 : b == 2 ? 11 : 16;
    const to = b == 0 ? 6 : b == 1 ? 11 : b == 2 ? 16 : 21;
    if (gr == 1 && unchecked(scfsi[ch * 4 + b]) != 0) {
      count(STAT_SCFSI);
      continue; // the values of granule 0 stay
    }
    const len = b < 2 ? slen1 : slen2;
    for (let sfb = from; sfb < to; sfb++) unchecked((sfLong[L + sfb] = <i32>readBits(len)));
  }
  unchecked((sfLong[L + 21] = 0));
}

const slen = new StaticArray<i32>(4);
const flat = new StaticArray<i32>(39);
const flatMax = new StaticArray<i32>(39);

/** Reads the MPEG-2 LSF scalefactors of channel `ch` (one granule). */
export function readLsfScalefactors(ch: i32): void {
  const g = ch;
  let sfc = unchecked(sfCompress[g]);
  const intensityRight = ch == 1 && mode == MODE_JOINT && (modeExtension & 1) != 0;
  let table = 0;
  let pre = false;
  if (!intensityRight) {
    if (sfc < 400) {
      slen[0] = (sfc >> 4) / 5; slen[1] = (sfc >> 4) % 5; slen[2] = (sfc & 15) >> 2; slen[3] = sfc & 3;
      table = 0;
    } else if (sfc < 500) {
      sfc -= 400;
      slen[0] = (sfc >> 2) / 5; slen[1] = (sfc >> 2) % 5; slen[2] = sfc & 3; slen[3] = 0;
      table = 1;
    } else {
      sfc -= 500;
      slen[0] = sfc / 3; slen[1] = sfc % 3; slen[2] = 0; slen[3] = 0;
      table = 2;
      pre = true;
    }
  } else {
    intensityScale = sfc & 1;
    sfc >>= 1;
    if (sfc < 180) {
      slen[0] = sfc / 36; slen[1] = (sfc % 36) / 6; slen[2] = (sfc % 36) % 6; slen[3] = 0;
      table = 3;
    } else if (sfc < 244) {
      sfc -= 180;
      slen[0] = (sfc & 63) >> 4; slen[1] = (sfc & 15) >> 2; slen[2] = sfc & 3; slen[3] = 0;
      table = 4;
    } else {
      sfc -= 244;
      slen[0] = sfc / 3; slen[1] = sfc % 3; slen[2] = 0; slen[3] = 0;
      table = 5;
    }
  }
  unchecked((preflag[g] = pre));
  const bt = unchecked(blockType[g]);
  const kind = bt == 2 ? (unchecked(mixed[g]) ? 2 : 1) : 0;
  let k = 0;
  for (let p = 0; p < 4; p++) {
    const n = <i32>unchecked(LSF_COUNTS[table * 12 + kind * 4 + p]);
    const len = unchecked(slen[p]);
    for (let j = 0; j < n; j++) {
      unchecked((flat[k] = <i32>readBits(len)));
      unchecked((flatMax[k] = (1 << len) - 1));
      k++;
    }
  }
  const L = ch * 22;
  const S = ch * 39;
  if (kind == 0) {
    for (let sfb = 0; sfb < 21; sfb++) {
      unchecked((sfLong[L + sfb] = flat[sfb]));
      if (ch == 1) unchecked((isMaxLong[sfb] = flatMax[sfb]));
    }
    unchecked((sfLong[L + 21] = 0));
    if (ch == 1) unchecked((isMaxLong[21] = isMaxLong[20]));
    return;
  }
  let at = 0;
  let sfb = 0;
  if (kind == 2) {
    for (; sfb < 6; sfb++) {
      unchecked((sfLong[L + sfb] = flat[at]));
      if (ch == 1) unchecked((isMaxLong[sfb] = flatMax[at]));
      at++;
    }
    sfb = 3;
  }
  for (; sfb < 12; sfb++) {
    for (let w = 0; w < 3; w++) {
      unchecked((sfShort[S + sfb * 3 + w] = flat[at]));
      if (ch == 1) unchecked((isMaxShort[sfb * 3 + w] = flatMax[at]));
      at++;
    }
  }
  for (let w = 0; w < 3; w++) {
    unchecked((sfShort[S + 36 + w] = 0));
    if (ch == 1) unchecked((isMaxShort[33 + w + 3] = isMaxShort[33 + w]));
  }
}

/** Line where the short-block part of granule-channel `g` starts (0 unless mixed). */
export function shortPartStart(g: i32): i32 {
  if (!unchecked(mixed[g])) return 0;
  return shortStart(rateIndex, 3) * 3;
}
