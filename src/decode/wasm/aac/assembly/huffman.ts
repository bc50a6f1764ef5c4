// Two-level lookup tables for the AAC Huffman codebooks, built once at start-up from the
// (length, codeword) lists of the standard (huffman-tables.ts).
//
// Entry layout (u32): a leaf is (symbol << 8) | bits-to-consume; a link to a second-level table
// is 0x80000000 | (offset << 5) | index-bits, the offset counted from the codebook's first entry.

import { peekBits, skipBits } from './bits';
import {
  HCB1_BITS, HCB1_CODES, HCB2_BITS, HCB2_CODES, HCB3_BITS, HCB3_CODES, HCB4_BITS, HCB4_CODES,
  HCB5_BITS, HCB5_CODES, HCB6_BITS, HCB6_CODES, HCB7_BITS, HCB7_CODES, HCB8_BITS, HCB8_CODES,
  HCB9_BITS, HCB9_CODES, HCB10_BITS, HCB10_CODES, HCB11_BITS, HCB11_CODES, HCB_SF_BITS, HCB_SF_CODES,
} from './huffman-tables';

const ROOT_BITS: i32 = 9;
const POOL_SIZE: i32 = 24576;
const LINK: u32 = 0x80000000;

const pool = new StaticArray<u32>(POOL_SIZE);
const poolBase: usize = changetype<usize>(pool);
let poolUsed: i32 = 0;
/** Byte address of each codebook's root table; index 0 is the scalefactor book. */
const roots = new StaticArray<usize>(12);
const maxSub = new StaticArray<i32>(1 << ROOT_BITS);

function build(bits: StaticArray<u8>, codes: StaticArray<u32>): usize {
  const start = poolUsed;
  const rootSize = 1 << ROOT_BITS;
  poolUsed += rootSize;
  const n = bits.length;
  for (let i = 0; i < rootSize; i++) unchecked((maxSub[i] = 0));
  for (let s = 0; s < n; s++) {
    const len = <i32>unchecked(bits[s]);
    const code = unchecked(codes[s]);
    if (len <= ROOT_BITS) {
      const shift = ROOT_BITS - len;
      const from = <i32>(code << <u32>shift);
      const to = from + (1 << shift);
      for (let e = from; e < to; e++) unchecked((pool[start + e] = (<u32>s << 8) | <u32>len));
    } else {
      const prefix = <i32>(code >>> <u32>(len - ROOT_BITS));
      const rem = len - ROOT_BITS;
      if (rem > unchecked(maxSub[prefix])) unchecked((maxSub[prefix] = rem));
    }
  }
  for (let p = 0; p < rootSize; p++) {
    const sub = unchecked(maxSub[p]);
    if (sub == 0) continue;
    unchecked((pool[start + p] = LINK | (<u32>(poolUsed - start) << 5) | <u32>sub));
    poolUsed += 1 << sub;
  }
  assert(poolUsed <= POOL_SIZE);
  for (let s = 0; s < n; s++) {
    const len = <i32>unchecked(bits[s]);
    if (len <= ROOT_BITS) continue;
    const code = unchecked(codes[s]);
    const rem = len - ROOT_BITS;
    const link = unchecked(pool[start + <i32>(code >>> <u32>rem)]);
    const sub = <i32>(link & 31);
    const off = start + <i32>((link & 0x7fffffff) >>> 5);
    const low = <i32>(code & ((1 << rem) - 1));
    const shift = sub - rem;
    const from = low << shift;
    const to = from + (1 << shift);
    for (let e = from; e < to; e++) unchecked((pool[off + e] = (<u32>s << 8) | <u32>rem));
  }
  return poolBase + (<usize>start << 2);
}

/** Builds every table. Called once. */
export function initHuffman(): void {
  poolUsed = 0;
  unchecked((roots[0] = build(HCB_SF_BITS, HCB_SF_CODES)));
  unchecked((roots[1] = build(HCB1_BITS, HCB1_CODES)));
  unchecked((roots[2] = build(HCB2_BITS, HCB2_CODES)));
  unchecked((roots[3] = build(HCB3_BITS, HCB3_CODES)));
  unchecked((roots[4] = build(HCB4_BITS, HCB4_CODES)));
  unchecked((roots[5] = build(HCB5_BITS, HCB5_CODES)));
  unchecked((roots[6] = build(HCB6_BITS, HCB6_CODES)));
  unchecked((roots[7] = build(HCB7_BITS, HCB7_CODES)));
  unchecked((roots[8] = build(HCB8_BITS, HCB8_CODES)));
  unchecked((roots[9] = build(HCB9_BITS, HCB9_CODES)));
  unchecked((roots[10] = build(HCB10_BITS, HCB10_CODES)));
  unchecked((roots[11] = build(HCB11_BITS, HCB11_CODES)));
}

/** Decodes one codeword of codebook `cb` (0 = scalefactors, 1..11 = spectral) and returns its index. */
// @ts-ignore: decorator
@inline export function huffDecode(cb: i32): i32 {
  const root = unchecked(roots[cb]);
  let e = load<u32>(root + (<usize>peekBits(ROOT_BITS) << 2));
  if (e & LINK) {
    skipBits(ROOT_BITS);
    const sub = <i32>(e & 31);
    e = load<u32>(root + ((<usize>((e & 0x7fffffff) >>> 5) + <usize>peekBits(sub)) << 2));
  }
  skipBits(<i32>(e & 0xff));
  return <i32>(e >>> 8);
}
