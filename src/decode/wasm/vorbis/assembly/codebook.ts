// Codebooks (Vorbis I §3): the packed format in the setup header, the Huffman tree built from
// the codeword lengths (each entry takes the lowest-valued free codeword of its length, in entry
// order), a table of the first FAST_BITS bits for decoding, and the VQ lookup (types 1 and 2)
// expanded into one vector of floats per entry.

import { overrun, peekBits, readBit, readBits } from './bits';
import { ERR_MALFORMED, ERR_TRUNCATED, ERR_UNSUPPORTED, fail, ilog } from './state';

/** Bits resolved by one table lookup. */
const FAST_BITS: i32 = 10;
/** Largest dimensions × entries accepted (a VQ table of this many floats). */
const MAX_VALUES: i32 = 1 << 24;
/** Marks a tree slot that is full in `minFree`. */
const FULL: u8 = 255;

/** One codebook. */
export class Codebook {
  dims: i32 = 0;
  entries: i32 = 0;
  /** Bits of the first-level table (≤ FAST_BITS, ≤ the longest codeword). */
  fastBits: i32 = 0;
  /**
   * First-level table, indexed by the next `fastBits` bits as read: ≥ 0 is (entry << 6) | length;
   * −1 is no codeword; below −1 the code is longer, and −value − 1 is the tree node to walk on from.
   */
  fast: StaticArray<i32> = new StaticArray<i32>(0);
  /** Tree: node k's children are slots 2k (bit 0) and 2k+1 (bit 1); 0 = none, < 0 = ~entry, > 0 = node. */
  tree: StaticArray<i32> = new StaticArray<i32>(0);
  /** The entry of a single-entry book (which always decodes to it), else −1. */
  single: i32 = -1;
  singleLength: i32 = 0;
  /** Whether the book has a VQ lookup (lookup type 1 or 2). */
  hasValues: bool = false;
  /** `dims` floats per entry. */
  values: StaticArray<f32> = new StaticArray<f32>(0);
}

/** 2^e as an f64, for −1022 ≤ e ≤ 1023. */
function pow2(e: i32): f64 {
  return reinterpret<f64>(<u64>(e + 1023) << 52);
}

/** float32_unpack (§9.2.2): 21-bit mantissa, 10-bit exponent biased by 788, sign. */
function unpackFloat(x: u32): f64 {
  const mantissa = <f64>(x & 0x1fffff);
  const exponent = <i32>((x >>> 21) & 0x3ff);
  const v = mantissa * pow2(exponent - 788);
  return (x & 0x80000000) != 0 ? -v : v;
}

/** lookup1_values (§9.2.3): the largest r with r^dims ≤ entries. */
function lookup1Values(entries: i32, dims: i32): i32 {
  let lo = 1;
  let hi = entries;
  while (lo < hi) {
    const mid = lo + ((hi - lo + 1) >> 1);
    let p: f64 = 1;
    for (let i = 0; i < dims && p <= <f64>entries; i++) p *= <f64>mid;
    if (p <= <f64>entries) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Tree construction scratch: the free depth below each node (relative; FULL = none).
let minFree = new StaticArray<u8>(0);
const path = new StaticArray<i32>(34);

function recomputeFree(tree: StaticArray<i32>, node: i32): void {
  let best: i32 = FULL;
  for (let b = 0; b < 2; b++) {
    const c = unchecked(tree[2 * node + b]);
    if (c == 0) best = 1;
    else if (c > 0) {
      const f = <i32>unchecked(minFree[c]);
      if (f != FULL && f + 1 < best) best = f + 1;
    }
  }
  unchecked((minFree[node] = <u8>best));
}

/**
 * Builds the tree from codeword lengths (0 = unused). Each entry gets the lowest-valued free
 * codeword of its length: the leftmost free node at that depth. Returns false when the lengths
 * overspecify the tree.
 */
function buildTree(book: Codebook, lengths: StaticArray<u8>, used: i32): bool {
  let cap = 2 * used + 64;
  let tree = new StaticArray<i32>(2 * cap);
  if (minFree.length < cap) minFree = new StaticArray<u8>(cap);
  unchecked((minFree[0] = 1));
  let nodes = 1;
  for (let e = 0; e < book.entries; e++) {
    const len = <i32>unchecked(lengths[e]);
    if (len == 0) continue;
    if (<i32>unchecked(minFree[0]) > len) return fail(ERR_MALFORMED, 10); // overspecified
    let node = 0;
    let depth = 0;
    let top = 0;
    while (true) {
      unchecked((path[top++] = node));
      const remaining = len - depth;
      let slot = -1;
      for (let b = 0; b < 2; b++) {
        const c = unchecked(tree[2 * node + b]);
        if (c == 0 || (c > 0 && remaining > 1 && <i32>unchecked(minFree[c]) <= remaining - 1)) {
          slot = 2 * node + b;
          break;
        }
      }
      if (slot < 0) return fail(ERR_MALFORMED, 11);
      if (remaining == 1) {
        unchecked((tree[slot] = ~e));
        break;
      }
      let child = unchecked(tree[slot]);
      if (child == 0) {
        if (nodes == cap) {
          const bigger = new StaticArray<i32>(4 * cap);
          memory.copy(changetype<usize>(bigger), changetype<usize>(tree), <usize>(2 * cap) << 2);
          tree = bigger;
          const free = new StaticArray<u8>(2 * cap);
          memory.copy(changetype<usize>(free), changetype<usize>(minFree), <usize>cap);
          minFree = free;
          cap *= 2;
        }
        child = nodes++;
        unchecked((tree[slot] = child));
        unchecked((minFree[child] = 1));
      }
      node = child;
      depth++;
    }
    while (top > 0) recomputeFree(tree, unchecked(path[--top]));
  }
  book.tree = tree;
  return true;
}

/** Fills the first-level table by walking the tree for every `fastBits`-bit prefix. */
function buildFast(book: Codebook, maxLength: i32): void {
  const bits = maxLength < FAST_BITS ? maxLength : FAST_BITS;
  book.fastBits = bits;
  const size = 1 << bits;
  const fast = new StaticArray<i32>(size);
  const tree = book.tree;
  for (let i = 0; i < size; i++) {
    let node = 0;
    let value = -1;
    for (let s = 0; s < bits; s++) {
      const c = unchecked(tree[2 * node + ((i >> s) & 1)]);
      if (c < 0) {
        value = (~c << 6) | (s + 1);
        break;
      }
      if (c == 0) break;
      node = c;
      if (s == bits - 1) value = -node - 1;
    }
    unchecked((fast[i] = value));
  }
  book.fast = fast;
}

/** Reads one codebook from the setup header. Returns null after recording an error. */
export function readCodebook(): Codebook | null {
  if (readBits(24) != 0x564342) {
    fail(ERR_MALFORMED, 1);
    return null;
  }
  const book = new Codebook();
  const dims = <i32>readBits(16);
  const entries = <i32>readBits(24);
  if (dims == 0 || entries == 0 || ilog(dims) + ilog(entries) > 24) {
    fail(ERR_MALFORMED, 2);
    return null;
  }
  book.dims = dims;
  book.entries = entries;
  const lengths = new StaticArray<u8>(entries);
  let used = 0;
  let maxLength = 0;
  if (readBit() == 0) {
    const sparse = readBit() != 0;
    for (let e = 0; e < entries; e++) {
      if (!sparse || readBit() != 0) {
        const len = <i32>readBits(5) + 1;
        unchecked((lengths[e] = <u8>len));
        used++;
        if (len > maxLength) maxLength = len;
      }
      if (overrun()) {
        fail(ERR_TRUNCATED, 3);
        return null;
      }
    }
  } else {
    let e = 0;
    let len = <i32>readBits(5) + 1;
    while (e < entries) {
      const n = <i32>readBits(ilog(entries - e));
      if (len > 32 || n > entries - e || overrun()) {
        fail(ERR_MALFORMED, 4);
        return null;
      }
      for (let k = 0; k < n; k++) unchecked((lengths[e + k] = <u8>len));
      if (n > 0) maxLength = len;
      e += n;
      used += n;
      len++;
    }
  }
  if (used == 0) {
    fail(ERR_MALFORMED, 5);
    return null;
  }
  if (used == 1) {
    // A single used entry (errata 20150226): it always decodes to that entry.
    for (let e = 0; e < entries; e++) {
      if (unchecked(lengths[e]) != 0) {
        book.single = e;
        book.singleLength = <i32>unchecked(lengths[e]);
      }
    }
  } else {
    if (!buildTree(book, lengths, used)) return null;
    buildFast(book, maxLength);
  }
  const lookupType = <i32>readBits(4);
  if (lookupType == 1 || lookupType == 2) {
    const minimum = unpackFloat(readBits(32));
    const delta = unpackFloat(readBits(32));
    const valueBits = <i32>readBits(4) + 1;
    const sequence = readBit() != 0;
    const count = lookupType == 1 ? lookup1Values(entries, dims) : entries * dims;
    if (<i64>count * <i64>valueBits > <i64>(0x7fffffff)) {
      fail(ERR_MALFORMED, 6);
      return null;
    }
    const multiplicands = new StaticArray<u32>(count);
    for (let i = 0; i < count; i++) unchecked((multiplicands[i] = readBits(valueBits)));
    if (overrun()) {
      fail(ERR_TRUNCATED, 7);
      return null;
    }
    if (dims * entries > MAX_VALUES) {
      fail(ERR_UNSUPPORTED, 8);
      return null;
    }
    const values = new StaticArray<f32>(dims * entries);
    for (let e = 0; e < entries; e++) {
      let last: f64 = 0;
      let divisor = 1;
      for (let i = 0; i < dims; i++) {
        const offset = lookupType == 1 ? (e / divisor) % count : e * dims + i;
        const v = <f64>unchecked(multiplicands[offset]) * delta + minimum + last;
        unchecked((values[e * dims + i] = <f32>v));
        if (sequence) last = v;
        divisor *= count;
      }
    }
    book.hasValues = true;
    book.values = values;
  } else if (lookupType != 0) {
    fail(ERR_MALFORMED, 9);
    return null;
  }
  return book;
}

/**
 * Decodes one codeword: the entry number, or −1 at the end of the packet or for a bit pattern
 * that is no codeword.
 */
export function decodeScalar(book: Codebook): i32 {
  if (book.single >= 0) {
    readBits(book.singleLength);
    return overrun() ? -1 : book.single;
  }
  const fastBits = book.fastBits;
  const t = unchecked(book.fast[<i32>peekBits(fastBits)]);
  if (t >= 0) {
    readBits(t & 63);
    return overrun() ? -1 : t >> 6;
  }
  if (t == -1) return -1;
  readBits(fastBits);
  const tree = book.tree;
  let node = -t - 1;
  while (true) {
    const c = unchecked(tree[2 * node + <i32>readBit()]);
    if (c < 0) return overrun() ? -1 : ~c;
    if (c == 0) return -1;
    node = c;
  }
  return -1;
}
