// Floor type 1 (Vorbis I §7): the setup, the per-packet amplitude values (step 1), and the
// curve (step 2) rendered as line segments and multiplied into the channel's spectrum.

import { overrun, readBit, readBits } from './bits';
import { Codebook, decodeScalar } from './codebook';
import { ERR_MALFORMED, fail, hostExp, ilog } from './state';

/** Most X values a floor may have (2 + 63). */
export const MAX_POSTS: i32 = 65;
const RANGES: StaticArray<i32> = [256, 128, 86, 64];

/** floor1_inverse_dB_table (§10.1): 256 steps of 140 dB / 256 up to 1.0. */
const INVERSE_DB = new StaticArray<f32>(256);

/** Fills the dB table. Called once. */
export function initFloor1(): void {
  for (let i = 0; i < 256; i++) {
    unchecked((INVERSE_DB[i] = <f32>hostExp(Math.LN10 * 7.0 * <f64>(i - 255) / 256.0)));
  }
}

/** One floor 1 configuration. */
export class Floor1 {
  partitions: i32 = 0;
  partitionClass: StaticArray<u8> = new StaticArray<u8>(32);
  classDims: StaticArray<i32> = new StaticArray<i32>(16);
  classSubclasses: StaticArray<i32> = new StaticArray<i32>(16);
  classMaster: StaticArray<i32> = new StaticArray<i32>(16);
  /** Book of subclass j of class c at [c * 8 + j]; −1 = none. */
  subclassBooks: StaticArray<i32> = new StaticArray<i32>(128);
  multiplier: i32 = 1;
  range: i32 = 256;
  posts: i32 = 0;
  x: StaticArray<i32> = new StaticArray<i32>(MAX_POSTS);
  /** Post indices in increasing X. */
  order: StaticArray<i32> = new StaticArray<i32>(MAX_POSTS);
  low: StaticArray<i32> = new StaticArray<i32>(MAX_POSTS);
  high: StaticArray<i32> = new StaticArray<i32>(MAX_POSTS);
}

/** Reads a floor 1 header (after its type). Returns null after recording an error. */
export function readFloor1(books: StaticArray<Codebook>): Floor1 | null {
  const f = new Floor1();
  const bookCount = books.length;
  f.partitions = <i32>readBits(5);
  let maxClass = -1;
  for (let i = 0; i < f.partitions; i++) {
    const c = <i32>readBits(4);
    unchecked((f.partitionClass[i] = <u8>c));
    if (c > maxClass) maxClass = c;
  }
  for (let c = 0; c <= maxClass; c++) {
    unchecked((f.classDims[c] = <i32>readBits(3) + 1));
    const sub = <i32>readBits(2);
    unchecked((f.classSubclasses[c] = sub));
    let master = -1;
    if (sub != 0) {
      master = <i32>readBits(8);
      if (master >= bookCount) return nullFail(20);
    }
    unchecked((f.classMaster[c] = master));
    for (let j = 0; j < 1 << sub; j++) {
      const book = <i32>readBits(8) - 1;
      if (book >= bookCount) return nullFail(21);
      unchecked((f.subclassBooks[c * 8 + j] = book));
    }
  }
  f.multiplier = <i32>readBits(2) + 1;
  f.range = unchecked(RANGES[f.multiplier - 1]);
  const rangeBits = <i32>readBits(4);
  unchecked((f.x[0] = 0));
  unchecked((f.x[1] = 1 << rangeBits));
  let posts = 2;
  for (let i = 0; i < f.partitions; i++) {
    const dims = unchecked(f.classDims[<i32>unchecked(f.partitionClass[i])]);
    if (posts + dims > MAX_POSTS) return nullFail(22);
    for (let j = 0; j < dims; j++) unchecked((f.x[posts++] = <i32>readBits(rangeBits)));
  }
  f.posts = posts;
  if (overrun()) return nullFail(23);
  // Sorted order (the X values must differ), and each post's neighbours among the earlier posts.
  for (let i = 0; i < posts; i++) {
    let k = i;
    const xi = unchecked(f.x[i]);
    while (k > 0 && unchecked(f.x[unchecked(f.order[k - 1])]) > xi) {
      unchecked((f.order[k] = f.order[k - 1]));
      k--;
    }
    unchecked((f.order[k] = i));
  }
  for (let i = 1; i < posts; i++) {
    if (unchecked(f.x[unchecked(f.order[i])]) == unchecked(f.x[unchecked(f.order[i - 1])])) return nullFail(24);
  }
  for (let i = 2; i < posts; i++) {
    const xi = unchecked(f.x[i]);
    let low = 0;
    let high = 1;
    let lowX = -1;
    let highX = 0x7fffffff;
    for (let j = 0; j < i; j++) {
      const xj = unchecked(f.x[j]);
      if (xj < xi && xj > lowX) {
        lowX = xj;
        low = j;
      }
      if (xj > xi && xj < highX) {
        highX = xj;
        high = j;
      }
    }
    unchecked((f.low[i] = low));
    unchecked((f.high[i] = high));
  }
  return f;
}

function nullFail(detail: i32): Floor1 | null {
  fail(ERR_MALFORMED, detail);
  return null;
}

/** render_point (§9.2.6). */
// @ts-ignore: decorator
@inline function renderPoint(x0: i32, y0: i32, x1: i32, y1: i32, x: i32): i32 {
  const dy = y1 - y0;
  const ady = dy < 0 ? -dy : dy;
  const off = (ady * (x - x0)) / (x1 - x0);
  return dy < 0 ? y0 - off : y0 + off;
}

/**
 * Decodes a channel's floor 1 values (step 1) into `ys` (final Y, bit 16 set where step 2
 * draws the post). Returns false when the floor is unused in this packet (the channel is
 * silent), also when the packet ends inside it.
 */
export function decodeFloor1(f: Floor1, books: StaticArray<Codebook>, ys: usize): bool {
  if (readBit() == 0) return false;
  const range = f.range;
  const yBits = ilog(range - 1);
  store<i32>(ys, <i32>readBits(yBits));
  store<i32>(ys, <i32>readBits(yBits), 4);
  let offset = 2;
  for (let i = 0; i < f.partitions; i++) {
    const c = <i32>unchecked(f.partitionClass[i]);
    const dims = unchecked(f.classDims[c]);
    const bits = unchecked(f.classSubclasses[c]);
    const mask = (1 << bits) - 1;
    let cval = 0;
    if (bits > 0) {
      cval = decodeScalar(unchecked(books[unchecked(f.classMaster[c])]));
      if (cval < 0) return false;
    }
    for (let j = 0; j < dims; j++) {
      const book = unchecked(f.subclassBooks[c * 8 + (cval & mask)]);
      cval >>= bits;
      let y = 0;
      if (book >= 0) {
        y = decodeScalar(unchecked(books[book]));
        if (y < 0) return false;
      }
      store<i32>(ys + (<usize>(offset + j) << 2), y);
    }
    offset += dims;
  }
  if (overrun()) return false;
  // Step 1: amplitude values from the predictions of the neighbouring posts.
  const STEP2: i32 = 0x10000;
  store<i32>(ys, load<i32>(ys) | STEP2);
  store<i32>(ys, load<i32>(ys, 4) | STEP2, 4);
  for (let i = 2; i < f.posts; i++) {
    const lo = unchecked(f.low[i]);
    const hi = unchecked(f.high[i]);
    const loY = load<i32>(ys + (<usize>lo << 2)) & 0xffff;
    const hiY = load<i32>(ys + (<usize>hi << 2)) & 0xffff;
    const predicted = renderPoint(unchecked(f.x[lo]), loY, unchecked(f.x[hi]), hiY, unchecked(f.x[i]));
    const val = load<i32>(ys + (<usize>i << 2));
    const highRoom = range - predicted;
    const lowRoom = predicted;
    const room = (highRoom < lowRoom ? highRoom : lowRoom) * 2;
    let y: i32;
    if (val != 0) {
      store<i32>(ys + (<usize>lo << 2), load<i32>(ys + (<usize>lo << 2)) | STEP2);
      store<i32>(ys + (<usize>hi << 2), load<i32>(ys + (<usize>hi << 2)) | STEP2);
      if (val >= room) {
        y = highRoom > lowRoom ? val - lowRoom + predicted : predicted - val + highRoom - 1;
      } else {
        y = (val & 1) != 0 ? predicted - ((val + 1) >> 1) : predicted + (val >> 1);
      }
      y = (y & 0xffff) | STEP2;
    } else {
      y = predicted & 0xffff;
    }
    store<i32>(ys + (<usize>i << 2), y);
  }
  return true;
}

// @ts-ignore: decorator
@inline function clampY(y: i32): i32 {
  return y < 0 ? 0 : y > 255 ? 255 : y;
}

/** Multiplies `out[x0..x1)` (x < n) by the floor along the line (x0, y0)–(x1, y1) (render_line, §9.2.7). */
function renderLine(x0: i32, y0: i32, x1: i32, y1: i32, out: usize, n: i32): void {
  const dy = y1 - y0;
  const adx = x1 - x0;
  const base = dy / adx;
  const sy = dy < 0 ? base - 1 : base + 1;
  const ady = (dy < 0 ? -dy : dy) - (base < 0 ? -base : base) * adx;
  const end = x1 < n ? x1 : n;
  let y = y0;
  let err = 0;
  const table = changetype<usize>(INVERSE_DB);
  for (let x = x0; x < end; x++) {
    if (x > x0) {
      err += ady;
      if (err >= adx) {
        err -= adx;
        y += sy;
      } else {
        y += base;
      }
    }
    const p = out + (<usize>x << 2);
    store<f32>(p, load<f32>(p) * load<f32>(table + (<usize>(y & 255) << 2)));
  }
}

/** Step 2: renders the floor curve of decoded values `ys` and multiplies it into `out[0..n)`. */
export function applyFloor1(f: Floor1, ys: usize, out: usize, n: i32): void {
  const mult = f.multiplier;
  let lx = 0;
  let ly = clampY((load<i32>(ys) & 0xffff) * mult);
  for (let j = 1; j < f.posts; j++) {
    const i = unchecked(f.order[j]);
    const v = load<i32>(ys + (<usize>i << 2));
    if ((v & 0x10000) == 0) continue;
    const hx = unchecked(f.x[i]);
    const hy = clampY((v & 0xffff) * mult);
    if (hx > lx) renderLine(lx, ly, hx, hy, out, n);
    lx = hx;
    ly = hy;
  }
  if (lx < n) {
    const g = unchecked(INVERSE_DB[ly]);
    for (let x = lx; x < n; x++) {
      const p = out + (<usize>x << 2);
      store<f32>(p, load<f32>(p) * g);
    }
  }
}
