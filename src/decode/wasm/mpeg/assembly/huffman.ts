// Layer III Huffman decoding: two-level lookup tables built at start-up from the standard's
// (length, codeword) lists (huffman-tables.ts), the big_values pairs with their linbits escapes
// and signs, and the count1 quadruples.
//
// Entry layout (u32): a leaf is (symbol << 8) | bits-to-consume; a link to a second-level table
// is 0x80000000 | (pool index << 5) | index-bits.

import { peekBits, readBits, readBit, skipBits, bitPos, seekBits } from './bits';
import { HUFF_CODES, HUFF_INFO, HUFF_LENS } from './huffman-tables';
import { count, STAT_ESCAPES } from './state';

const ROOT_BITS: i32 = 8;
const POOL_SIZE: i32 = 32768;
const LINK: u32 = 0x80000000;
const TABLES: i32 = 17;

const pool = new StaticArray<u32>(POOL_SIZE);
let poolUsed: i32 = 0;
/** Pool index of each table's root, in HUFF_INFO order (15 pair tables, then quad A and B). */
const roots = new StaticArray<i32>(TABLES);
const maxSub = new StaticArray<i32>(1 << ROOT_BITS);

/** For table_select 0..31: HUFF_INFO row (−1: all zero; tables 0, 4, 14) and linbits. */
const SELECT_ROW: StaticArray<i8> = [-1, 0, 1, 2, -1, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1, 12, 13, 13, 13, 13, 13, 13, 13, 13, 14, 14, 14, 14, 14, 14, 14, 14];
const LINBITS: StaticArray<u8> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 6, 8, 10, 13, 4, 5, 6, 7, 8, 9, 11, 13];

function build(row: i32): void {
  const offset = <i32>unchecked(HUFF_INFO[row * 4 + 1]);
  const n = <i32>unchecked(HUFF_INFO[row * 4 + 2]);
  const size = <i32>unchecked(HUFF_INFO[row * 4 + 3]);
  const start = poolUsed;
  unchecked((roots[row] = start));
  const rootSize = 1 << ROOT_BITS;
  poolUsed += rootSize;
  for (let i = 0; i < rootSize; i++) unchecked((maxSub[i] = 0));
  for (let s = 0; s < n; s++) {
    const len = <i32>unchecked(HUFF_LENS[offset + s]);
    const code = <i32>unchecked(HUFF_CODES[offset + s]);
    // Pairs are stored as (x << 4) | y; quads keep their index (8v + 4w + 2x + y).
    const sym = size == 0 ? s : ((s / size) << 4) | (s % size);
    if (len <= ROOT_BITS) {
      const shift = ROOT_BITS - len;
      const from = code << shift;
      for (let e = from; e < from + (1 << shift); e++) unchecked((pool[start + e] = (<u32>sym << 8) | <u32>len));
    } else {
      const prefix = code >>> (len - ROOT_BITS);
      if (len - ROOT_BITS > unchecked(maxSub[prefix])) unchecked((maxSub[prefix] = len - ROOT_BITS));
    }
  }
  for (let p = 0; p < rootSize; p++) {
    const sub = unchecked(maxSub[p]);
    if (sub == 0) continue;
    unchecked((pool[start + p] = LINK | (<u32>poolUsed << 5) | <u32>sub));
    poolUsed += 1 << sub;
  }
  for (let s = 0; s < n; s++) {
    const len = <i32>unchecked(HUFF_LENS[offset + s]);
    if (len <= ROOT_BITS) continue;
    const code = <i32>unchecked(HUFF_CODES[offset + s]);
    const sym = size == 0 ? s : ((s / size) << 4) | (s % size);
    const rem = len - ROOT_BITS;
    const link = unchecked(pool[start + (code >>> rem)]);
    const sub = <i32>(link & 31);
    const at = <i32>((link & ~LINK) >>> 5);
    const shift = sub - rem;
    const from = (code & ((1 << rem) - 1)) << shift;
    for (let e = from; e < from + (1 << shift); e++) unchecked((pool[at + e] = (<u32>sym << 8) | <u32>rem));
  }
}

/** Builds every table. */
export function initHuffman(): void {
  poolUsed = 0;
  for (let t = 0; t < TABLES; t++) build(t);
}

/** Decodes one symbol of the table whose root is at pool index `root`. */
// @ts-ignore: decorator
@inline function decodeSymbol(root: i32): i32 {
  let e = unchecked(pool[root + <i32>peekBits(ROOT_BITS)]);
  if (e & LINK) {
    skipBits(ROOT_BITS);
    e = unchecked(pool[<i32>((e & ~LINK) >>> 5) + <i32>peekBits(<i32>(e & 31))]);
  }
  skipBits(<i32>(e & 255));
  return <i32>(e >>> 8);
}

/** Index after the last non-zero value written by the last decode call. */
export let lastNonZero: i32 = 0;

/**
 * Decodes the big_values pairs of lines [from, to) with table_select `select` into `out`
 * (i32 per line). Values are signed integers before requantization.
 */
export function decodePairs(out: usize, from: i32, to: i32, select: i32): void {
  const row = <i32>unchecked(SELECT_ROW[select]);
  if (row < 0) {
    for (let i = from; i < to; i++) store<i32>(out + (<usize>i << 2), 0);
    return;
  }
  const root = unchecked(roots[row]);
  const linbits = <i32>unchecked(LINBITS[select]);
  let nz = lastNonZero;
  for (let i = from; i < to; i += 2) {
    const sym = decodeSymbol(root);
    let x = sym >> 4;
    let y = sym & 15;
    if (linbits != 0 && x == 15) {
      x += <i32>readBits(linbits);
      count(STAT_ESCAPES);
    }
    if (x != 0 && readBit()) x = -x;
    if (linbits != 0 && y == 15) {
      y += <i32>readBits(linbits);
      count(STAT_ESCAPES);
    }
    if (y != 0 && readBit()) y = -y;
    store<i32>(out + (<usize>i << 2), x);
    store<i32>(out + (<usize>(i + 1) << 2), y);
    if ((x | y) != 0) nz = y != 0 ? i + 2 : i + 1;
  }
  lastNonZero = nz;
}

/**
 * Decodes count1 quadruples from line `from` with table A (0) or B (1) until `endBit` or line
 * 576; a quadruple that runs past `endBit` is dropped. Zeroes the rest. Returns the end line.
 */
export function decodeQuads(out: usize, from: i32, table: i32, endBit: i32): i32 {
  const root = unchecked(roots[15 + table]);
  let i = from;
  let nz = lastNonZero;
  while (i + 4 <= 576 && bitPos < endBit) {
    const before = bitPos;
    const sym = decodeSymbol(root);
    let v = (sym >> 3) & 1;
    let w = (sym >> 2) & 1;
    let x = (sym >> 1) & 1;
    let y = sym & 1;
    if (v != 0 && readBit()) v = -1;
    if (w != 0 && readBit()) w = -1;
    if (x != 0 && readBit()) x = -1;
    if (y != 0 && readBit()) y = -1;
    if (bitPos > endBit) {
      seekBits(before);
      break;
    }
    store<i32>(out + (<usize>i << 2), v);
    store<i32>(out + (<usize>(i + 1) << 2), w);
    store<i32>(out + (<usize>(i + 2) << 2), x);
    store<i32>(out + (<usize>(i + 3) << 2), y);
    if (sym != 0) nz = y != 0 ? i + 4 : x != 0 ? i + 3 : w != 0 ? i + 2 : i + 1;
    i += 4;
  }
  for (let k = i; k < 576; k++) store<i32>(out + (<usize>k << 2), 0);
  lastNonZero = nz;
  return i;
}

/** Starts a granule's non-zero tracking. */
export function resetNonZero(): void {
  lastNonZero = 0;
}
