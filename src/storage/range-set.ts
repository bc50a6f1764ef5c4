/**
 * A set of half-open byte ranges `[start, end)`, kept normalized: sorted, disjoint and
 * never touching (adjacent ranges are merged). It tracks which bytes of a resource are held
 * (the reference's `RangeSet<u64>` / `Coverage`).
 *
 * All offsets are non-negative integers (safe integers; files may exceed 4 GiB).
 */

/** A half-open integer range `[start, end)`. `end` may be `Infinity` only where a method says so. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The persisted form of a {@link RangeSet}: `[start, end]` pairs, sorted and disjoint. */
export type RangeSetJSON = [number, number][];

/** The read-only view of a {@link RangeSet} that a resource hands to its readers. */
export interface ReadonlyRangeSet extends Iterable<ByteRange> {
  /** Number of disjoint ranges. */
  readonly size: number;
  /** Total bytes covered. */
  readonly coveredBytes: number;
  /** `true` when every byte of `[start, end)` is covered (an empty range is always covered). */
  has(start: number, end: number): boolean;
  /** End of the covered run that contains `pos`, or `pos` itself when `pos` is not covered. */
  coveredEnd(pos: number): number;
  /** First uncovered range in `[from, to)`; `to` defaults to `Infinity`. */
  firstGap(from: number, to?: number): ByteRange | undefined;
  /** Every uncovered range in `[from, to)`, in order. */
  gaps(from: number, to: number): ByteRange[];
  /** A mutable copy. */
  clone(): RangeSet;
  /** The persisted form. */
  toJSON(): RangeSetJSON;
}

function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !(Number.isSafeInteger(end) || end === Infinity) || end < start) {
    throw new RangeError(`invalid byte range [${start}, ${end})`);
  }
}

/** Normalized set of half-open integer ranges. */
export class RangeSet implements ReadonlyRangeSet {
  /** Flat `[s0, e0, s1, e1, …]`, sorted, with `e_i < s_{i+1}` (ranges never touch). */
  private bounds: number[] = [];

  /** Builds a set from ranges in any order, overlapping or not. */
  static of(ranges: Iterable<readonly [number, number]>): RangeSet {
    const set = new RangeSet();
    for (const [s, e] of ranges) set.add(s, e);
    return set;
  }

  /** Rebuilds a set from {@link RangeSet.toJSON} output. Throws a RangeError on malformed data. */
  static fromJSON(json: unknown): RangeSet {
    if (!Array.isArray(json)) throw new RangeError('RangeSet JSON must be an array');
    const set = new RangeSet();
    for (const pair of json) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'number') {
        throw new RangeError('RangeSet JSON entries must be [start, end] number pairs');
      }
      set.add(pair[0], pair[1]);
    }
    return set;
  }

  get size(): number {
    return this.bounds.length / 2;
  }

  get coveredBytes(): number {
    let total = 0;
    for (let i = 0; i < this.bounds.length; i += 2) total += this.bounds[i + 1]! - this.bounds[i]!;
    return total;
  }

  /** Index (even) of the first range whose end is >= pos, i.e. that contains or follows pos. */
  private seekIndex(pos: number): number {
    let lo = 0;
    let hi = this.bounds.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bounds[mid * 2 + 1]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo * 2;
  }

  /** Adds `[start, end)`, merging with every range it overlaps or touches. */
  add(start: number, end: number): void {
    checkRange(start, end);
    if (start === end) return;
    const first = this.seekIndex(start); // first range with end >= start: touches or follows
    let last = first;
    let newStart = start;
    let newEnd = end;
    while (last < this.bounds.length && this.bounds[last]! <= end) {
      newStart = Math.min(newStart, this.bounds[last]!);
      newEnd = Math.max(newEnd, this.bounds[last + 1]!);
      last += 2;
    }
    this.bounds.splice(first, last - first, newStart, newEnd);
  }

  /** Removes every range. */
  clear(): void {
    this.bounds = [];
  }

  has(start: number, end: number): boolean {
    checkRange(start, end);
    if (start === end) return true;
    const i = this.seekIndex(start);
    return i < this.bounds.length && this.bounds[i]! <= start && this.bounds[i + 1]! >= end;
  }

  coveredEnd(pos: number): number {
    const i = this.seekIndex(pos);
    if (i < this.bounds.length && this.bounds[i]! <= pos) return this.bounds[i + 1]!;
    return pos;
  }

  firstGap(from: number, to = Infinity): ByteRange | undefined {
    checkRange(from, to);
    let pos = from;
    const i = this.seekIndex(pos);
    if (i < this.bounds.length && this.bounds[i]! <= pos) pos = this.bounds[i + 1]!;
    if (pos >= to) return undefined;
    const next = i < this.bounds.length && this.bounds[i]! > from ? i : i + 2;
    const gapEnd = next < this.bounds.length ? Math.min(this.bounds[next]!, to) : to;
    return { start: pos, end: gapEnd };
  }

  gaps(from: number, to: number): ByteRange[] {
    checkRange(from, to);
    const out: ByteRange[] = [];
    let pos = from;
    for (;;) {
      const gap = this.firstGap(pos, to);
      if (gap === undefined) return out;
      out.push(gap);
      if (gap.end === Infinity) return out;
      pos = gap.end;
    }
  }

  clone(): RangeSet {
    const copy = new RangeSet();
    copy.bounds = this.bounds.slice();
    return copy;
  }

  toJSON(): RangeSetJSON {
    const out: RangeSetJSON = [];
    for (let i = 0; i < this.bounds.length; i += 2) out.push([this.bounds[i]!, this.bounds[i + 1]!]);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<ByteRange> {
    for (let i = 0; i < this.bounds.length; i += 2) yield { start: this.bounds[i]!, end: this.bounds[i + 1]! };
  }
}
