/**
 * A persistent {@link StorageDriver} over a {@link KvBackend}: bytes in fixed-size chunks
 * (see chunk-store.ts), one coverage record per resource under `['m', key]`, the assets index
 * under `['x', 'index']`. With {@link idbKv} it is the IndexedDB driver; with {@link MapKv} it
 * runs in Node for tests.
 *
 * The key-value store's transactions are atomic, so each record is written in one piece; the
 * coverage is still written only after the chunks it describes were stored (coverage-index.ts).
 */
import { KitharaError } from '../platform/errors.js';
import { QuotaStore, type ByteStore, type FakeQuota, type MetaStore } from './byte-store.js';
import { ChunkStore } from './chunk-store.js';
import { decodeFrame, encodeFrame, pickNewest, type CoverageRecord } from './coverage-index.js';
import type { KvBackend, KvKey } from './kv.js';
import type { JsonSlot, ResourceOpenOptions, StorageDriver, StoredEntryInfo } from './resource.js';
import { StoredResource, type StoredResourceOptions } from './stored-resource.js';
import type { Clock } from '../platform/clock.js';

/** Defaults of the chunked driver. */
export const CHUNKED_DEFAULTS = {
  /** Bytes per stored chunk. Defaults to 256 KiB. */
  chunkSize: 256 * 1024,
} as const;

/** Options shared by the persistent drivers (OPFS, IndexedDB). */
export interface PersistentDriverOptions {
  /** Schedules coverage updates. Defaults to the real clock. */
  clock?: Clock;
  /** Wall-clock time for records (epoch ms). Defaults to `Date.now`. */
  now?: () => number;
  /** Persist the coverage after this many bytes. Defaults to `STORED_DEFAULTS.indexEveryBytes` (1 MiB). */
  indexEveryBytes?: number;
  /** Persist the coverage at most this long after a write. Defaults to `STORED_DEFAULTS.indexEveryMs` (250 ms). */
  indexEveryMs?: number;
  /** A simulated quota (tests): writes past it throw `QuotaExceededError`. Defaults to none. */
  quota?: FakeQuota;
}

/** Options of {@link ChunkedDriver}. */
export interface ChunkedDriverOptions extends PersistentDriverOptions {
  /** Defaults to {@link CHUNKED_DEFAULTS.chunkSize}. */
  chunkSize?: number;
  /** The driver's name. Defaults to `'indexeddb'`. */
  kind?: string;
}

class KvMetaStore implements MetaStore {
  constructor(
    private readonly kv: KvBackend,
    private readonly key: KvKey,
  ) {}

  async load(): Promise<{ record: CoverageRecord | undefined; damaged: number }> {
    const raw = await this.kv.get(this.key);
    return pickNewest([raw === undefined ? undefined : raw instanceof Uint8Array ? raw : new Uint8Array([0])]);
  }

  save(record: CoverageRecord): Promise<void> {
    return this.kv.setMany([[this.key, encodeFrame(record)]]);
  }

  close(): void {}
}

/** A {@link JsonSlot} in one key-value record. */
export class KvJsonSlot implements JsonSlot {
  constructor(
    private readonly kv: KvBackend,
    private readonly key: KvKey,
  ) {}

  async load(): Promise<unknown> {
    const raw = await this.kv.get(this.key);
    if (raw === undefined) return undefined;
    const value = raw instanceof Uint8Array ? decodeFrame(raw) : undefined;
    if (value === undefined) throw new KitharaError('storage', 'The stored index is corrupt.', { fatal: false });
    return value;
  }

  save(value: unknown): Promise<void> {
    return this.kv.setMany([[this.key, encodeFrame(value)]]);
  }
}

/** Reads what a coverage record says about a key, for `inspect`. */
export function entryInfo(key: string, record: CoverageRecord | undefined): StoredEntryInfo | undefined {
  if (record === undefined) return undefined;
  let bytes = 0;
  for (const [s, e] of record.ranges) bytes += e - s;
  return { key, bytes, length: record.length, complete: record.committed, label: record.label, modified: record.time || undefined };
}

/** The chunked persistent driver (IndexedDB in browsers). */
export class ChunkedDriver implements StorageDriver {
  readonly kind: string;
  readonly persistent = true;
  readonly index: JsonSlot;
  private readonly chunkSize: number;

  constructor(
    private readonly kv: KvBackend,
    private readonly options: ChunkedDriverOptions = {},
  ) {
    this.kind = options.kind ?? 'indexeddb';
    this.chunkSize = options.chunkSize ?? CHUNKED_DEFAULTS.chunkSize;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 1024) {
      throw new TypeError('options.chunkSize, when provided, must be an integer of at least 1024.');
    }
    this.index = new KvJsonSlot(kv, ['x', 'index']);
  }

  async open(key: string, options: ResourceOpenOptions = {}): Promise<StoredResource> {
    let store: ByteStore = new ChunkStore(this.kv, key, this.chunkSize);
    const quota = this.options.quota;
    if (quota !== undefined) store = new QuotaStore(store, quota, key);
    const res = await StoredResource.open(key, store, new KvMetaStore(this.kv, ['m', key]), this.resourceOptions(options));
    let end = 0;
    for (const r of res.available) end = r.end;
    quota?.track(key, end);
    return res;
  }

  private resourceOptions(o: ResourceOpenOptions): StoredResourceOptions {
    const d = this.options;
    return {
      ...(d.clock !== undefined && { clock: d.clock }),
      ...(d.now !== undefined && { now: d.now }),
      ...(d.indexEveryBytes !== undefined && { indexEveryBytes: d.indexEveryBytes }),
      ...(d.indexEveryMs !== undefined && { indexEveryMs: d.indexEveryMs }),
      ...(o.hooks !== undefined && { hooks: o.hooks }),
      ...(o.label !== undefined && { label: o.label }),
      ...(o.readOnly !== undefined && { readOnly: o.readOnly }),
      ...(o.length !== undefined && { length: o.length }),
    };
  }

  async remove(key: string): Promise<void> {
    await this.kv.removePrefixes([['m', key], ['d', key]]);
    this.options.quota?.release(key);
  }

  async keys(): Promise<string[]> {
    const keys = await this.kv.keys(['m']);
    return keys.map((k) => k[1]).filter((k): k is string => typeof k === 'string');
  }

  async inspect(key: string): Promise<StoredEntryInfo | undefined> {
    const { record } = await new KvMetaStore(this.kv, ['m', key]).load();
    return entryInfo(key, record);
  }
}
