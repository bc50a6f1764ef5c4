/**
 * The sample table of one track (`stbl`: stts, stsc, stsz/stz2, stco/co64, stss), kept as
 * typed arrays: per-sample sizes, per-chunk offsets and first-sample indices, and the run-length
 * time-to-sample entries. Nothing is materialised per sample beyond its size, so an hour of AAC
 * (~155k samples) costs about 600 KB. Sample indices are 0-based; times are in the media
 * timescale. Pure.
 */
import { KitharaError } from '../../platform/errors.js';
import { BoxCursor, findChild, type BoxHeader } from './box.js';

/** Index of the last element of the ascending `arr[0..n)` that is `<= value` (-1 if none). */
function lastAtOrBelow(arr: ArrayLike<number>, n: number, value: number): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((arr[mid] as number) <= value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Sample index ↔ (chunk, byte offset, size, decode time) for one track. */
export class SampleTable {
  /** Number of samples that have a size, a time and a chunk. */
  readonly count: number;
  /** Sum of all sample durations (media timescale). */
  readonly duration: number;
  /** Number of chunks. */
  readonly chunkCount: number;

  private constructor(
    count: number,
    private readonly constSize: number,
    private readonly sizes: Uint32Array | null,
    private readonly chunkOffsets: Float64Array,
    /** `chunkFirst[c]` = index of chunk c's first sample; `chunkFirst[chunkCount]` = total. */
    private readonly chunkFirst: Float64Array,
    private readonly sttsFirst: Float64Array,
    private readonly sttsTime: Float64Array,
    private readonly sttsDelta: Uint32Array,
    /** Sorted 0-based sync sample indices, or null when every sample is a sync sample. */
    private readonly sync: Uint32Array | null,
  ) {
    this.count = count;
    this.chunkCount = chunkOffsets.length;
    const last = sttsDelta.length - 1;
    this.duration = last < 0 ? 0 : (sttsTime[last] as number) + (count - (sttsFirst[last] as number)) * (sttsDelta[last] as number);
  }

  /**
   * Builds the table from an `stbl` box. `minSampleSize` raises constant sizes below it (legacy
   * QuickTime PCM writes a constant size of 1 meaning "one frame"). Throws `parse` when a
   * required box is missing or malformed.
   */
  static fromStbl(bytes: Uint8Array, stbl: BoxHeader, minSampleSize = 0): SampleTable {
    const start = stbl.start + stbl.headerSize;
    const end = stbl.start + stbl.size;
    const box = (type: string): BoxHeader | undefined => findChild(bytes, start, end, type);
    const need = (type: string, alt?: string): BoxHeader => {
      const b = box(type) ?? (alt ? box(alt) : undefined);
      if (!b) throw new KitharaError('parse', `MP4 sample table has no '${type}' box.`);
      return b;
    };

    // Sizes.
    let count: number;
    let constSize = 0;
    let sizes: Uint32Array | null = null;
    const stszBox = need('stsz', 'stz2');
    const sz = BoxCursor.of(bytes, stszBox);
    sz.fullBox();
    if (stszBox.type === 'stsz') {
      constSize = sz.u32();
      count = sz.u32();
      if (constSize === 0) {
        if (count * 4 > sz.left) throw new KitharaError('parse', 'MP4 stsz is truncated.');
        sizes = new Uint32Array(count);
        for (let i = 0; i < count; i++) sizes[i] = sz.u32();
      }
    } else {
      sz.skip(3);
      const field = sz.u8();
      count = sz.u32();
      if (field !== 4 && field !== 8 && field !== 16) throw new KitharaError('parse', 'MP4 stz2 field size is invalid.');
      if ((count * field) / 8 > sz.left) throw new KitharaError('parse', 'MP4 stz2 is truncated.');
      sizes = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        if (field === 16) sizes[i] = sz.u16();
        else if (field === 8) sizes[i] = sz.u8();
        else {
          const b = sz.u8();
          sizes[i] = b >> 4;
          if (i + 1 < count) sizes[++i] = b & 15;
        }
      }
    }
    if (constSize > 0 && constSize < minSampleSize) constSize = minSampleSize;

    // Chunk offsets.
    const coBox = need('stco', 'co64');
    const co = BoxCursor.of(bytes, coBox);
    co.fullBox();
    const chunkCount = co.u32();
    const wide = coBox.type === 'co64';
    if (chunkCount * (wide ? 8 : 4) > co.left) throw new KitharaError('parse', `MP4 ${coBox.type} is truncated.`);
    const chunkOffsets = new Float64Array(chunkCount);
    for (let i = 0; i < chunkCount; i++) chunkOffsets[i] = wide ? co.u64() : co.u32();

    // Sample-to-chunk, expanded to each chunk's first sample.
    const sc = BoxCursor.of(bytes, need('stsc'));
    sc.fullBox();
    const scCount = sc.u32();
    if (scCount * 12 > sc.left) throw new KitharaError('parse', 'MP4 stsc is truncated.');
    const scFirst = new Uint32Array(scCount);
    const scPer = new Uint32Array(scCount);
    for (let e = 0; e < scCount; e++) {
      scFirst[e] = sc.u32();
      scPer[e] = sc.u32();
      sc.u32(); // sample_description_index
    }
    const chunkFirst = new Float64Array(chunkCount + 1);
    let chunk = 0;
    let total = 0;
    for (let e = 0; e < scCount; e++) {
      const from = (scFirst[e] as number) - 1;
      const to = e + 1 < scCount ? Math.min((scFirst[e + 1] as number) - 1, chunkCount) : chunkCount;
      if (from < chunk && e > 0) throw new KitharaError('parse', 'MP4 stsc entries are out of order.');
      for (; chunk < from && chunk < chunkCount; chunk++) chunkFirst[chunk] = total;
      for (; chunk < to; chunk++) {
        chunkFirst[chunk] = total;
        total += scPer[e] as number;
      }
    }
    for (; chunk < chunkCount; chunk++) chunkFirst[chunk] = total;
    chunkFirst[chunkCount] = total;
    count = Math.min(count, total);

    // Time-to-sample.
    const ts = BoxCursor.of(bytes, need('stts'));
    ts.fullBox();
    const tsCount = ts.u32();
    if (tsCount * 8 > ts.left) throw new KitharaError('parse', 'MP4 stts is truncated.');
    const sttsFirst = new Float64Array(tsCount);
    const sttsTime = new Float64Array(tsCount);
    const sttsDelta = new Uint32Array(tsCount);
    let sample = 0;
    let time = 0;
    for (let i = 0; i < tsCount; i++) {
      const n = ts.u32();
      const delta = ts.u32();
      sttsFirst[i] = sample;
      sttsTime[i] = time;
      sttsDelta[i] = delta;
      sample += n;
      time += n * delta;
    }
    count = Math.min(count, sample);

    // Sync samples.
    let sync: Uint32Array | null = null;
    const ssBox = box('stss');
    if (ssBox) {
      const ss = BoxCursor.of(bytes, ssBox);
      ss.fullBox();
      const n = ss.u32();
      if (n * 4 > ss.left) throw new KitharaError('parse', 'MP4 stss is truncated.');
      sync = new Uint32Array(n);
      for (let i = 0; i < n; i++) sync[i] = ss.u32() - 1;
      sync.sort();
    }
    return new SampleTable(count, constSize, sizes, chunkOffsets, chunkFirst, sttsFirst, sttsTime, sttsDelta, sync);
  }

  /** Size in bytes of sample `i`. */
  size(i: number): number {
    return this.sizes ? (this.sizes[i] as number) : this.constSize;
  }

  /** Decode time of sample `i` (media timescale); `i === count` gives the end time. */
  time(i: number): number {
    const e = lastAtOrBelow(this.sttsFirst, this.sttsFirst.length, i);
    if (e < 0) return 0;
    return (this.sttsTime[e] as number) + (i - (this.sttsFirst[e] as number)) * (this.sttsDelta[e] as number);
  }

  /** The sample whose decode interval contains `t` (clamped to `[0, count - 1]`). */
  sampleAtTime(t: number): number {
    if (this.count === 0) return 0;
    const e = Math.max(0, lastAtOrBelow(this.sttsTime, this.sttsTime.length, t));
    const delta = this.sttsDelta[e] as number;
    const within = delta > 0 ? Math.floor((t - (this.sttsTime[e] as number)) / delta) : 0;
    const next = e + 1 < this.sttsFirst.length ? (this.sttsFirst[e + 1] as number) - 1 : Infinity;
    return Math.max(0, Math.min((this.sttsFirst[e] as number) + Math.max(0, within), next, this.count - 1));
  }

  /** The chunk holding sample `i`. */
  chunkOf(i: number): number {
    // Empty chunks share a first sample with the next one; take the last chunk starting at or before i.
    return Math.max(0, lastAtOrBelow(this.chunkFirst, this.chunkCount, i));
  }

  /** Index of the first sample of chunk `c` (`c === chunkCount` gives the sample total). */
  chunkFirstSample(c: number): number {
    return this.chunkFirst[c] as number;
  }

  /** Absolute byte offset of sample `i`. */
  offset(i: number): number {
    const c = this.chunkOf(i);
    const first = this.chunkFirst[c] as number;
    let off = this.chunkOffsets[c] as number;
    if (!this.sizes) return off + (i - first) * this.constSize;
    for (let s = first; s < i; s++) off += this.sizes[s] as number;
    return off;
  }

  /** Whether decoding can start at sample `i`. */
  isSync(i: number): boolean {
    if (!this.sync) return true;
    const k = lastAtOrBelow(this.sync, this.sync.length, i);
    return k >= 0 && this.sync[k] === i;
  }

  /** The last sync sample at or before `i` (0 when none is). */
  syncAtOrBefore(i: number): number {
    if (!this.sync) return i;
    const k = lastAtOrBelow(this.sync, this.sync.length, i);
    return k < 0 ? 0 : (this.sync[k] as number);
  }
}
