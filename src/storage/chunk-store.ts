/**
 * A {@link ByteStore} over a {@link KvBackend} in fixed-size chunks (the IndexedDB layout):
 * chunk `i` of resource `k` holds bytes `[i * chunkSize, (i + 1) * chunkSize)` under
 * `['d', k, i]`, trimmed after its last written byte.
 *
 * Writes are synchronous into dirty chunks in memory (write-back); `flush` stores every dirty
 * chunk in one transaction, first merging partially written chunks with their stored bytes.
 * Reads overlay the dirty chunks on the stored ones. A failed flush keeps its chunks dirty.
 */
import { RangeSet } from './range-set.js';
import type { ByteStore } from './byte-store.js';
import type { KvBackend, KvKey } from './kv.js';

interface Chunk {
  /** Chunk-sized buffer; only bytes in `set` are meaningful. */
  readonly bytes: Uint8Array;
  /** Written local ranges. */
  readonly set: RangeSet;
}

function extentOf(set: RangeSet): number {
  let end = 0;
  for (const r of set) end = r.end;
  return end;
}

/** Chunked byte storage of one resource. */
export class ChunkStore implements ByteStore {
  private dirty = new Map<number, Chunk>();
  private flushing: Map<number, Chunk> | undefined;
  private flushChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KvBackend,
    private readonly key: string,
    private readonly chunkSize: number,
  ) {}

  private chunkKey(index: number): KvKey {
    return ['d', this.key, index];
  }

  write(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.byteLength;
    let pos = offset;
    while (pos < end) {
      const index = Math.floor(pos / this.chunkSize);
      const base = index * this.chunkSize;
      const to = Math.min(end, base + this.chunkSize);
      let chunk = this.dirty.get(index);
      if (chunk === undefined) {
        chunk = { bytes: new Uint8Array(this.chunkSize), set: new RangeSet() };
        this.dirty.set(index, chunk);
      }
      chunk.bytes.set(bytes.subarray(pos - offset, to - offset), pos - base);
      chunk.set.add(pos - base, to - base);
      pos = to;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const end = offset + length;
    const first = Math.floor(offset / this.chunkSize);
    const last = Math.floor((end - 1) / this.chunkSize);
    // Capture the overlays before awaiting: a flush finishing meanwhile must not lose them.
    const plan: { index: number; a: number; b: number; layers: Chunk[] }[] = [];
    const fetch: number[] = [];
    for (let index = first; index <= last && length > 0; index++) {
      const base = index * this.chunkSize;
      const a = Math.max(offset, base) - base;
      const b = Math.min(end, base + this.chunkSize) - base;
      const layers: Chunk[] = [];
      const f = this.flushing?.get(index);
      if (f !== undefined) layers.push(f);
      const d = this.dirty.get(index);
      if (d !== undefined) layers.push(d);
      const covered = RangeSet.of(layers.flatMap((c) => [...c.set].map((r) => [r.start, r.end] as const)));
      if (!covered.has(a, b)) fetch.push(index);
      plan.push({ index, a, b, layers });
    }
    const stored = fetch.length === 0 ? [] : await this.kv.getMany(fetch.map((i) => this.chunkKey(i)));
    for (const p of plan) {
      const base = p.index * this.chunkSize;
      const at = base + p.a - offset;
      const k = fetch.indexOf(p.index);
      const durable = k >= 0 ? stored[k] : undefined;
      if (durable instanceof Uint8Array) out.set(durable.subarray(p.a, Math.min(p.b, durable.length)), at);
      for (const layer of p.layers) {
        for (const r of layer.set) {
          const s = Math.max(r.start, p.a);
          const e = Math.min(r.end, p.b);
          if (e > s) out.set(layer.bytes.subarray(s, e), base + s - offset);
        }
      }
    }
    return out;
  }

  flush(): Promise<void> {
    const run = this.flushChain.then(() => this.flushNow());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = this.dirty;
    this.dirty = new Map();
    this.flushing = batch;
    try {
      const partial = [...batch].filter(([, c]) => !c.set.has(0, this.chunkSize)).map(([i]) => i);
      const existing = partial.length === 0 ? [] : await this.kv.getMany(partial.map((i) => this.chunkKey(i)));
      const entries: [KvKey, unknown][] = [];
      for (const [index, chunk] of batch) {
        const k = partial.indexOf(index);
        const old = k >= 0 ? existing[k] : undefined;
        const oldLen = old instanceof Uint8Array ? old.length : 0;
        const value = new Uint8Array(Math.max(oldLen, extentOf(chunk.set)));
        if (old instanceof Uint8Array) value.set(old);
        for (const r of chunk.set) value.set(chunk.bytes.subarray(r.start, r.end), r.start);
        entries.push([this.chunkKey(index), value]);
      }
      await this.kv.setMany(entries);
    } catch (err) {
      // Keep the batch dirty under anything written since, so a retry stores it all.
      for (const [index, newer] of this.dirty) {
        const older = batch.get(index);
        if (older === undefined) {
          batch.set(index, newer);
          continue;
        }
        for (const r of newer.set) {
          older.bytes.set(newer.bytes.subarray(r.start, r.end), r.start);
          older.set.add(r.start, r.end);
        }
      }
      this.dirty = batch;
      throw err;
    } finally {
      this.flushing = undefined;
    }
  }

  size(): undefined {
    return undefined;
  }

  close(): Promise<void> {
    return this.flushChain;
  }
}
