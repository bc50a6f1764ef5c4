/**
 * The asset store: builds the decorator chain (handle cache → leases → processing → eviction →
 * backend) over the driver the `cache` option selects, and offers the management API
 * (`list`, `delete`, `clear`, `usage`). It runs in the engine worker.
 *
 * How a downloader uses it: `const h = await store.open(url)`; hand `h.resource` to the
 * downloader (it restores what is already held, so only missing bytes are fetched; if
 * `h.resource.status === 'committed'` nothing needs fetching); `await h.release()` when the
 * player or resource closes.
 */
import { mark } from '../platform/trace.js';
import { realClock, type Clock } from '../platform/clock.js';
import { FakeQuota } from '../storage/byte-store.js';
import { AdoptingResource } from '../storage/adopting-resource.js';
import { selectDriver, type CacheMode } from '../storage/select-driver.js';
import type { StorageDriver, StorageEvent, StorageHooks, StorageResource } from '../storage/resource.js';
import { AssetIndex } from './asset-index.js';
import { BackendAssets } from './backend.js';
import { EvictAssets, type EvictReason } from './evict.js';
import { CachedAssets, type AssetHandle } from './handle-cache.js';
import type { AssetMode } from './types.js';
import { LeaseAssets, PinSet } from './leases.js';
import { defaultLocks, localLocks, type KeyLocks } from './locks.js';
import { ProcessingAssets, type ReadProcessor } from './processing.js';
import { assetKey, isAssetKey, type AssetKeyOptions, type AssetRange } from './keys.js';
import { SCRATCH_KEY } from './types.js';

/** Defaults of the asset store. */
export const ASSETS_DEFAULTS = {
  /** Which backend holds the cache. Defaults to `'auto'` (OPFS, else IndexedDB, else memory). */
  cache: 'auto' as CacheMode,
  /** Byte cap of the cache (soft: pinned assets may exceed it). Defaults to 512 MiB (as the public `cacheMaxBytes`). */
  cacheMaxBytes: 512 * 1024 * 1024,
  /**
   * Share of the room the origin's quota leaves (`navigator.storage.estimate`: quota − what
   * others use) the cache caps itself at when that is below `cacheMaxBytes`. Defaults to 0.9:
   * the cache evicts before the browser refuses a write, and leaves the page some room.
   */
  quotaShare: 0.9,
  /** Entry cap of the cache. Defaults to 4096 (an HLS track is one entry per segment). */
  cacheMaxEntries: 4096,
  /** At least this much is evicted after a quota failure. Defaults to 16 MiB. */
  quotaReclaimBytes: 16 * 1024 * 1024,
  /** OPFS directory / IndexedDB database. Defaults to `'kithara-cache'`. */
  name: 'kithara-cache',
} as const;

/** Something the store reports. */
export type AssetEvent =
  | StorageEvent
  | { readonly type: 'evicted'; readonly key: string; readonly url: string; readonly bytes: number; readonly reason: EvictReason }
  | { readonly type: 'store-index-rebuilt'; readonly reason: string }
  | { readonly type: 'backend'; readonly requested: CacheMode; readonly actual: string }
  /** The origin's quota leaves less room than `cacheMaxBytes`: the cache caps itself at `maxBytes`. */
  | { readonly type: 'quota-cap'; readonly maxBytes: number };

/** Options of {@link AssetStore.create}. */
export interface AssetStoreOptions {
  /** Backend. Defaults to {@link ASSETS_DEFAULTS.cache}. `'none'` keeps bytes in memory only while open. */
  cache?: CacheMode;
  /** Defaults to {@link ASSETS_DEFAULTS.cacheMaxBytes}. */
  cacheMaxBytes?: number;
  /** Defaults to {@link ASSETS_DEFAULTS.cacheMaxEntries}. */
  cacheMaxEntries?: number;
  /** URL → key rules. Defaults to the canonical URL with its query. */
  keys?: AssetKeyOptions;
  /** Read-side processor for assets opened with a `ctx`. Defaults to none. */
  process?: ReadProcessor;
  /** Cross-page locks. Defaults to Web Locks where present, else local (always granted). */
  locks?: KeyLocks | 'local';
  /** Simulated storage quota in bytes (tests): writes past it fail as with a full disk. Defaults to none. */
  cacheQuotaBytes?: number;
  /** The origin's storage figures. Defaults to `navigator.storage.estimate` where it exists. */
  estimate?: () => Promise<StorageEstimate>;
  /** Use this driver instead of selecting one from `cache`. */
  driver?: StorageDriver;
  /** OPFS directory / IndexedDB database. Defaults to {@link ASSETS_DEFAULTS.name}. */
  name?: string;
  /** Timers (index saves, coverage updates). Defaults to the real clock. */
  clock?: Clock;
  /** Wall-clock time for last access (epoch ms). Defaults to `Date.now`. */
  now?: () => number;
  /** Coverage update interval in bytes. Defaults to the driver's (1 MiB). */
  indexEveryBytes?: number;
  /** Receives events. A listener that throws is ignored. */
  onEvent?: (event: AssetEvent) => void;
}

/** Options of {@link AssetStore.open}. */
export interface AssetOpenOptions {
  /** A byte range of `url` stored as its own asset (HLS byte-range segments). */
  range?: AssetRange;
  /** The total size, when known. */
  length?: number;
  /** Processing context (e.g. a key): reads go through `options.process`. */
  ctx?: unknown;
}

/** One cached asset, as `list` reports it. */
export interface CacheEntry {
  readonly key: string;
  /** The URL it was stored for ('' when unknown). */
  readonly url: string;
  /** Bytes held. */
  readonly bytes: number;
  /** Total length, when known. */
  readonly length: number | undefined;
  /** `true` when every byte is held. */
  readonly complete: boolean;
  /** Last open (epoch ms; 0 when unknown). */
  readonly lastAccess: number;
  /** `true` while open in this page. */
  readonly pinned: boolean;
}

/** The usage figure. */
export interface CacheUsage {
  /** Bytes held by the cache. */
  readonly bytes: number;
  /** Number of assets. */
  readonly entries: number;
  /** The byte cap in force: `cacheMaxBytes`, or less where the origin's quota leaves less room. */
  readonly maxBytes: number;
  /** The origin's quota (`navigator.storage.estimate`), where known. */
  readonly quota?: number;
  /** The origin's usage (`navigator.storage.estimate`), where known. */
  readonly usage?: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`options.${name}, when provided, must be a non-negative integer.`);
  return value;
}

/** `navigator.storage.estimate`, where the platform has it. */
function browserEstimate(): (() => Promise<StorageEstimate>) | undefined {
  const storage = (globalThis as { navigator?: { storage?: { estimate?: () => Promise<StorageEstimate> } } }).navigator?.storage;
  return storage?.estimate === undefined ? undefined : () => (storage.estimate as () => Promise<StorageEstimate>).call(storage);
}

/**
 * Bytes the cache may hold under the origin's quota: what it holds plus what the quota leaves
 * free, times {@link ASSETS_DEFAULTS.quotaShare}; `undefined` when the platform does not say.
 */
async function roomInQuota(estimate: (() => Promise<StorageEstimate>) | undefined, held: number): Promise<number | undefined> {
  if (estimate === undefined) return undefined;
  try {
    const { quota, usage } = await estimate();
    if (quota === undefined || !Number.isFinite(quota) || quota <= 0) return undefined;
    const free = Math.max(0, quota - (usage ?? 0));
    return (free + held) * ASSETS_DEFAULTS.quotaShare;
  } catch {
    return undefined;
  }
}

/** The asset store. */
export class AssetStore {
  /** The backend in use: `'opfs'`, `'indexeddb'` or `'memory'`. */
  readonly backend: string;
  /** The simulated quota, when `cacheQuotaBytes` was given (tests may change its limit). */
  readonly quota: FakeQuota | undefined;
  /** The byte cap in force (see {@link CacheUsage.maxBytes}). */
  readonly maxBytes: number;
  private readonly cached: CachedAssets;
  private readonly evict: EvictAssets;
  /** The backend layer without the store's hooks, for the scratch asset (see {@link withScratch}). */
  private readonly scratch: BackendAssets;
  private readonly pins = new PinSet();
  private readonly doomed = new Set<string>();

  private constructor(
    private readonly driver: StorageDriver,
    private readonly index: AssetIndex,
    private readonly options: AssetStoreOptions,
    quota: FakeQuota | undefined,
    hooks: StorageHooks,
  ) {
    this.backend = driver.kind;
    this.quota = quota;
    const locks = options.locks === 'local' ? localLocks : (options.locks ?? defaultLocks());
    const now = options.now ?? Date.now;
    this.scratch = new BackendAssets(driver, locks, {});
    this.maxBytes = positiveInt('cacheMaxBytes', options.cacheMaxBytes, ASSETS_DEFAULTS.cacheMaxBytes);
    this.evict = new EvictAssets(new BackendAssets(driver, locks, hooks), {
      index,
      limits: {
        maxBytes: this.maxBytes,
        maxEntries: positiveInt('cacheMaxEntries', options.cacheMaxEntries, ASSETS_DEFAULTS.cacheMaxEntries),
      },
      isPinned: (k) => this.pins.has(k),
      now,
      onEvicted: (key, url, bytes, reason) => this.emit({ type: 'evicted', key, url, bytes, reason }),
    });
    const chain = new LeaseAssets(new ProcessingAssets(this.evict, options.process), this.pins);
    this.cached = new CachedAssets(chain, (key) => this.onIdle(key));
  }

  /** Selects the backend, loads (or rebuilds) the index and builds the chain. */
  static async create(options: AssetStoreOptions = {}): Promise<AssetStore> {
    const clock = options.clock ?? realClock;
    const mode = options.cache ?? ASSETS_DEFAULTS.cache;
    const quota = options.cacheQuotaBytes === undefined ? undefined : new FakeQuota(positiveInt('cacheQuotaBytes', options.cacheQuotaBytes, 0));
    const events: AssetEvent[] = [];
    let driver = options.driver;
    if (driver === undefined) {
      const selected = await selectDriver(mode, {
        name: options.name ?? ASSETS_DEFAULTS.name,
        clock,
        ...(options.now !== undefined && { now: options.now }),
        ...(options.indexEveryBytes !== undefined && { indexEveryBytes: options.indexEveryBytes }),
        ...(quota !== undefined && { quota }),
      });
      driver = selected.driver;
      mark('store:driver');
      if (selected.fellBack) events.push({ type: 'backend', requested: mode, actual: driver.kind });
    }
    const { index, problem } = await AssetIndex.load(driver, clock);
    mark('store:index');
    if (problem !== undefined) events.push({ type: 'store-index-rebuilt', reason: problem });
    const maxBytes = positiveInt('cacheMaxBytes', options.cacheMaxBytes, ASSETS_DEFAULTS.cacheMaxBytes);
    const room = driver.persistent === true ? await roomInQuota(options.estimate ?? browserEstimate(), index.totalBytes) : undefined;
    mark('store:quota');
    const capped = room === undefined || room >= maxBytes ? maxBytes : Math.max(1, Math.floor(room));
    if (capped < maxBytes) events.push({ type: 'quota-cap', maxBytes: capped });
    const hooks: StorageHooks = {};
    const store = new AssetStore(driver, index, { ...options, cacheMaxBytes: capped }, quota, hooks);
    hooks.onEvent = (e) => store.onStorageEvent(e);
    hooks.onQuotaExceeded = (key, n) => store.evict.reclaim(key, n, ASSETS_DEFAULTS.quotaReclaimBytes);
    for (const e of events) store.emit(e);
    return store;
  }

  private emit(event: AssetEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // Listeners never break the cache.
    }
  }

  private onStorageEvent(event: StorageEvent): void {
    if (event.type === 'persisted') this.evict.noteStored(event.key, event.bytes, event.length, event.complete);
    this.emit(event);
  }

  private async onIdle(key: string): Promise<void> {
    if (this.doomed.delete(key) || (this.options.cache === 'none' && this.options.driver === undefined)) {
      await this.evict.remove(key).catch(() => false);
    }
  }

  /** The key of `url` (and `range`) under the store's key rules. */
  key(url: string, range?: AssetRange): Promise<string> {
    return assetKey(url, this.options.keys, range);
  }

  /**
   * Opens the asset of `url`: restored from storage when held, created otherwise. Concurrent
   * opens of one key share one resource. Release the handle when done.
   */
  async open(url: string, options: AssetOpenOptions = {}): Promise<AssetHandle> {
    const key = await this.key(url, options.range);
    mark('assets:key');
    const request = {
      key,
      url,
      ...(options.length !== undefined && { length: options.length }),
      ...(options.ctx !== undefined && { ctx: options.ctx }),
    };
    const shared = this.adopting.get(key);
    if (shared !== undefined) return this.adoptingHandle(key, url, shared, this.cached.open(request));
    if (this.driver.persistent === true && options.ctx === undefined && !this.cached.isOpen(key) && this.index.get(key) === undefined) {
      // Known to hold nothing (the index was reconciled with storage at load): the caller may
      // download at once into memory while the asset opens; the bytes move over when it is
      // open. Every open of the key until the last release shares this resource.
      const resource = new AdoptingResource(key);
      if (options.length !== undefined) resource.setLength(options.length);
      const entry = { resource, refs: 0, mode: undefined as AssetMode | undefined };
      this.adopting.set(key, entry);
      const real = this.cached.open(request);
      real.then(
        (h) => {
          entry.mode = h.mode;
          return resource.adopt(h.resource);
        },
        () => undefined,
      );
      return this.adoptingHandle(key, url, entry, real);
    }
    return this.cached.open(request);
  }

  /** Keys opened as misses, while open: the shared adopting resource and its holders. */
  private readonly adopting = new Map<string, { resource: AdoptingResource; refs: number; mode: AssetMode | undefined }>();

  /** A handle on an adopting resource, released through its own hold on the persistent asset. */
  private adoptingHandle(
    key: string,
    url: string,
    entry: { resource: AdoptingResource; refs: number; mode: AssetMode | undefined },
    real: Promise<AssetHandle>,
  ): AssetHandle {
    real.catch(() => undefined);
    entry.refs++;
    let released = false;
    return {
      key,
      url,
      resource: entry.resource,
      // Until the asset is open it is assumed persistent; then it is what the backend gave.
      get mode(): AssetMode {
        return entry.mode ?? 'persistent';
      },
      release: async () => {
        if (released) return;
        released = true;
        if (--entry.refs === 0 && this.adopting.get(key) === entry) this.adopting.delete(key);
        const h = await real.catch(() => undefined);
        if (h === undefined) return;
        // What was written through this handle reaches storage (and a commit) before the asset closes.
        await entry.resource.settled().catch(() => undefined);
        await h.release();
      },
    };
  }

  private async resolveKey(urlOrKey: string): Promise<string> {
    if (isAssetKey(urlOrKey) && (this.index.get(urlOrKey) !== undefined || this.cached.isOpen(urlOrKey))) return urlOrKey;
    return this.key(urlOrKey);
  }

  /**
   * `true` when the store holds every byte of `url` (per the index; nothing is opened). `false`
   * when its key cannot be made (a user key function that failed): then it is not cached.
   */
  async holdsComplete(url: string, range?: AssetRange): Promise<boolean> {
    const key = await this.key(url, range).catch(() => undefined);
    return key !== undefined && this.index.get(key)?.complete === true;
  }

  /**
   * Runs `use` on a scratch asset holding `bytes`, opened as every asset is (Web Locks, the
   * backend's files and access handles, a coverage record) but outside the index: never listed,
   * counted or evicted, and removed afterwards (a leftover from a closed page is removed by the
   * next call and ignored by the index). The engine's start-up warm-up uses it, so the first real
   * open of a page does not pay for first contact with the storage APIs. `use` gets `undefined`
   * when the scratch cannot be held in storage (another page is writing it, or storage failed).
   */
  async withScratch<T>(bytes: Uint8Array, use: (resource: StorageResource | undefined) => Promise<T>): Promise<T> {
    if (this.driver.persistent !== true) return use(undefined);
    await this.scratch.remove(SCRATCH_KEY).catch(() => false);
    const opened = await this.scratch.open({ key: SCRATCH_KEY, url: '' });
    try {
      let resource: StorageResource | undefined;
      if (opened.mode === 'persistent' && opened.resource.status === 'active') {
        try {
          await opened.resource.writeAt(0, bytes);
          opened.resource.commit(bytes.byteLength);
          resource = opened.resource;
        } catch {
          resource = undefined;
        }
      }
      return await use(resource);
    } finally {
      await opened.close().catch(() => undefined);
      await this.scratch.remove(SCRATCH_KEY).catch(() => false);
    }
  }

  /** Every cached asset. */
  async list(): Promise<CacheEntry[]> {
    await this.cached.idle();
    await this.evict.settled();
    return this.index
      .all()
      .map((e) => ({ key: e.key, url: e.url, bytes: e.bytes, length: e.length, complete: e.complete, lastAccess: e.lastAccess, pinned: this.pins.has(e.key) }))
      .sort((a, b) => b.lastAccess - a.lastAccess);
  }

  /**
   * Deletes the asset of a URL or key. Resolves `true` when it was deleted, or will be when its
   * last handle in this page is released; `false` when another page has it open (kept) or when
   * nothing was stored.
   */
  async delete(urlOrKey: string): Promise<boolean> {
    const key = await this.resolveKey(urlOrKey);
    if (this.cached.isOpen(key)) {
      this.doomed.add(key);
      return true;
    }
    const known = this.index.get(key) !== undefined || (await this.driver.inspect?.(key)) !== undefined;
    if (!known) return false;
    return this.cached.remove(key);
  }

  /** Deletes every asset (those open here go when released; those open in other pages stay). */
  async clear(): Promise<void> {
    const keys = new Set(this.index.all().map((e) => e.key));
    for (const k of (await this.driver.keys?.()) ?? []) if (k !== SCRATCH_KEY) keys.add(k);
    for (const key of keys) {
      if (this.cached.isOpen(key)) this.doomed.add(key);
      else await this.cached.remove(key);
    }
    await this.index.save();
  }

  /** Bytes and entries held, plus the origin's figures from `navigator.storage.estimate`. */
  async usage(): Promise<CacheUsage> {
    await this.cached.idle();
    await this.evict.settled();
    const base = { bytes: this.index.totalBytes, entries: this.index.size, maxBytes: this.maxBytes };
    const estimate = this.options.estimate ?? browserEstimate();
    if (estimate === undefined) return base;
    try {
      const est = await estimate();
      return { ...base, ...(est.quota !== undefined && { quota: est.quota }), ...(est.usage !== undefined && { usage: est.usage }) };
    } catch {
      return base;
    }
  }

  /** Saves the index now (it is also saved shortly after each change). */
  flush(): Promise<void> {
    return this.index.save();
  }

  /** Waits for closes in progress and saves the index. Open handles stay valid. */
  async close(): Promise<void> {
    await this.cached.idle();
    await this.index.save();
  }
}
