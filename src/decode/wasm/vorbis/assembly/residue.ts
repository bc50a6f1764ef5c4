// Residue types 0, 1 and 2 (Vorbis I §8): the setup, and the per-packet decode of the spectral
// residue vectors of one submap's channels. Type 2 decodes one interleaved vector of all the
// channels and de-interleaves it. An end of packet inside the residue ends decoding; what was
// decoded stays (§8.6.2), the rest is zero.

import { overrun, readBits } from './bits';
import { Codebook, decodeScalar } from './codebook';
import { count, ERR_MALFORMED, fail, STAT_END_OF_PACKET } from './state';

/** One residue configuration. */
export class Residue {
  type: i32 = 0;
  begin: i32 = 0;
  end: i32 = 0;
  partitionSize: i32 = 0;
  classifications: i32 = 0;
  classbook: i32 = 0;
  /** Book of class c in pass p at [c * 8 + p]; −1 = none. */
  books: StaticArray<i32> = new StaticArray<i32>(0);
}

/** Reads a residue header (after its type). Returns null after recording an error. */
export function readResidue(type: i32, books: StaticArray<Codebook>): Residue | null {
  const r = new Residue();
  r.type = type;
  r.begin = <i32>readBits(24);
  r.end = <i32>readBits(24);
  r.partitionSize = <i32>readBits(24) + 1;
  r.classifications = <i32>readBits(6) + 1;
  r.classbook = <i32>readBits(8);
  if (r.classbook >= books.length || r.end < r.begin) return nullFail(30);
  const cascade = new StaticArray<i32>(r.classifications);
  for (let c = 0; c < r.classifications; c++) {
    let bits = <i32>readBits(3);
    if (readBits(1) != 0) bits |= <i32>readBits(5) << 3;
    unchecked((cascade[c] = bits));
  }
  r.books = new StaticArray<i32>(r.classifications * 8);
  for (let c = 0; c < r.classifications; c++) {
    for (let p = 0; p < 8; p++) {
      let book = -1;
      if ((unchecked(cascade[c]) & (1 << p)) != 0) {
        book = <i32>readBits(8);
        if (book >= books.length || !unchecked(books[book]).hasValues) return nullFail(31);
      }
      unchecked((r.books[c * 8 + p] = book));
    }
  }
  if (overrun()) return nullFail(32);
  return r;
}

function nullFail(detail: i32): Residue | null {
  fail(ERR_MALFORMED, detail);
  return null;
}

/** Classifications of the vectors being decoded: [vector * stride + partition]. */
let classes = new StaticArray<i32>(0);
let stride = 0;

/** Sizes the classification scratch for `vectors` vectors of up to `partitions` partitions. */
export function reserveClasses(vectors: i32, partitions: i32): void {
  stride = partitions + 64;
  if (classes.length < vectors * stride) classes = new StaticArray<i32>(vectors * stride);
}

/** Adds one partition of VQ vectors into `v` at `offset` (format 0 interleaves them, 1 and 2 concatenate). */
function decodePartition(book: Codebook, interleaved: bool, v: usize, offset: i32, size: i32): bool {
  const dims = book.dims;
  const values = changetype<usize>(book.values);
  if (interleaved) {
    const step = size / dims;
    for (let i = 0; i < step; i++) {
      const e = decodeScalar(book);
      if (e < 0) return false;
      const src = values + (<usize>(e * dims) << 2);
      for (let j = 0; j < dims; j++) {
        const p = v + (<usize>(offset + i + j * step) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>j << 2)));
      }
    }
  } else {
    let i = 0;
    while (i < size) {
      const e = decodeScalar(book);
      if (e < 0) return false;
      const src = values + (<usize>(e * dims) << 2);
      for (let j = 0; j < dims && i < size; j++) {
        const p = v + (<usize>(offset + i) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>j << 2)));
        i++;
      }
    }
  }
  return true;
}

/**
 * Decodes residue vectors of `length` floats (zeroed by the caller) at `vectors[j]` for
 * `n` vectors, skipping those with `skip[j]` set. Format 0 or 1 (type 2 calls it with one vector).
 */
export function decodeVectors(r: Residue, books: StaticArray<Codebook>, vectors: StaticArray<usize>, skip: StaticArray<u8>, n: i32, length: i32): void {
  const begin = r.begin < length ? r.begin : length;
  const end = r.end < length ? r.end : length;
  const size = r.partitionSize;
  const partitions = (end - begin) / size;
  if (partitions <= 0) return;
  const classbook = unchecked(books[r.classbook]);
  const perWord = classbook.dims;
  const classCount = r.classifications;
  const interleaved = r.type == 0;
  const cls = changetype<usize>(classes);
  for (let pass = 0; pass < 8; pass++) {
    let partition = 0;
    while (partition < partitions) {
      if (pass == 0) {
        for (let j = 0; j < n; j++) {
          if (unchecked(skip[j])) continue;
          let word = decodeScalar(classbook);
          if (word < 0) {
            count(STAT_END_OF_PACKET);
            return;
          }
          const row = cls + (<usize>(j * stride + partition) << 2);
          for (let i = perWord - 1; i >= 0; i--) {
            store<i32>(row + (<usize>i << 2), word % classCount);
            word /= classCount;
          }
        }
      }
      for (let i = 0; i < perWord && partition < partitions; i++) {
        for (let j = 0; j < n; j++) {
          if (unchecked(skip[j])) continue;
          const c = load<i32>(cls + (<usize>(j * stride + partition) << 2));
          const book = unchecked(r.books[c * 8 + pass]);
          if (book < 0) continue;
          if (!decodePartition(unchecked(books[book]), interleaved, unchecked(vectors[j]), begin + partition * size, size)) {
            count(STAT_END_OF_PACKET);
            return;
          }
        }
        partition++;
      }
    }
  }
}
