/**
 * The engine worker's persistent cache: one {@link AssetStore} per worker, shared by every
 * session, created lazily.
 *
 * Which settings win: the store is created by the first session whose `cache` choice persists
 * (`'auto' | 'opfs' | 'indexeddb'`), or by the first management call, from the settings of
 * `cacheConfigure` where given and else from that first session's `cache` and `cacheMaxBytes`.
 * Settings are then fixed for the life of the worker: a later session passing another
 * persistent backend or another `cacheMaxBytes` shares the existing store (one cache per
 * page keeps one LRU, one index and one set of locks; two stores over one OPFS directory
 * would fight over both). A session with `'memory'` or `'none'` never touches the store: its
 * bytes live in a private memory resource for the life of the load.
 *
 * The store's `process` hook decrypts HLS segments stored encrypted (loaded lazily with the
 * HLS code). Keys only travel in memory, in the open context.
 *
 * A page's `cacheKey` function arrives as a MessagePort on which the page exposes it (comlink);
 * the store calls it through {@link memoizeKeyFn}, so each URL costs one round trip for the
 * life of the worker (up to {@link KEY_FN_MEMO_URLS} URLs), made when its asset is opened.
 */
import * as Comlink from 'comlink';
import { KitharaError } from '../platform/errors.js';
import { AssetStore, type AssetEvent } from '../assets/asset-store.js';
import { memoizeKeyFn } from '../assets/keys.js';
import type { ProcessInput } from '../assets/processing.js';
import type { CacheMode } from '../storage/select-driver.js';
import type { HlsCache } from '../hls/segment-loader.js';
import type { CacheChoice, CacheEntryInfo, CacheEventDetail, CacheUsageInfo } from '../player/types.js';
import type { EngineCacheSettings } from './protocol.js';

/** Defaults of the engine cache (the public ones are in PLAYER_DEFAULTS, repeated here to keep layers apart). */
export const ENGINE_CACHE_DEFAULTS = {
  /** Defaults to `'auto'`. */
  cache: 'auto' as CacheChoice,
  /** Defaults to 512 MiB, as `PLAYER_DEFAULTS.cacheMaxBytes`. */
  cacheMaxBytes: 512 * 1024 * 1024,
} as const;

/**
 * URLs whose `cacheKey` answer is kept in the worker. Defaults to 4096, the asset store's entry
 * cap (an HLS track is one entry per segment).
 */
export const KEY_FN_MEMO_URLS = 4096;

/** The page's key function, called over its port, checked, with one answer kept per URL. */
export function remoteKeyFn(port: MessagePort): (url: string) => Promise<string> {
  const remote = Comlink.wrap<(url: string) => string | Promise<string>>(port);
  return memoizeKeyFn(async (url) => {
    let id: unknown;
    try {
      id = await remote(url);
    } catch (e) {
      throw new KitharaError('storage', `options.cacheKey failed for ${url}.`, { url, cause: e });
    }
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('options.cacheKey, when provided, must return a non-empty string.');
    return id;
  }, KEY_FN_MEMO_URLS);
}

/** Events kept for the first listener when nobody listens yet. */
export const EARLY_EVENTS = 32;

/** `true` for the choices that use the shared persistent store. */
export function persists(choice: CacheChoice): boolean {
  return choice === 'auto' || choice === 'opfs' || choice === 'indexeddb';
}

function decryptLazily(input: ProcessInput): Promise<Uint8Array> {
  return import('../hls/segment-decrypt.js').then((m) => m.decryptOnRead(input));
}

/** The worker's cache. */
export class EngineCache {
  private settings: EngineCacheSettings = {};
  private keyFn: ((url: string) => Promise<string>) | undefined;
  private creating: Promise<AssetStore> | undefined;
  private storeDecrypted = false;
  private readonly listeners = new Set<(event: CacheEventDetail) => void>();
  private readonly urls = new Map<string, string>();

  /**
   * A store made ahead of use with the default settings (see {@link prewarm}), and the
   * settings it was made with. It is replaced when the first real use asks for other settings.
   */
  private speculative: { choice: CacheChoice; maxBytes: number } | undefined;

  /**
   * Starts making the store with the default settings while the worker is idle (at start-up),
   * so the first load from the cache does not wait for the backend probe and the index. Until
   * the store is first used, `configure` and the first session may still change the settings
   * (the early store is then closed and made again).
   */
  prewarm(): void {
    if (this.creating !== undefined) return;
    this.speculative = { choice: ENGINE_CACHE_DEFAULTS.cache, maxBytes: ENGINE_CACHE_DEFAULTS.cacheMaxBytes };
    this.creating = this.create(ENGINE_CACHE_DEFAULTS.cache, ENGINE_CACHE_DEFAULTS.cacheMaxBytes);
    this.creating.catch(() => undefined);
  }

  /**
   * The store as it is now (made or being made, speculative or not) without fixing its
   * settings; `undefined` when none was started or it could not be made.
   */
  current(): Promise<AssetStore | undefined> {
    return (this.creating ?? Promise.resolve(undefined)).catch(() => undefined);
  }

  /** Sets the settings the store is created with. `false` when it already exists (nothing changes). */
  configure(settings: EngineCacheSettings): boolean {
    if (this.creating !== undefined && this.speculative === undefined) return false;
    checkSettings(settings);
    const { cacheKeyPort, ...rest } = settings;
    if (cacheKeyPort !== undefined) this.keyFn = remoteKeyFn(cacheKeyPort);
    this.settings = { ...this.settings, ...rest };
    if (this.speculative !== undefined && Object.keys(settings).length > 0) this.discardSpeculative();
    return true;
  }

  private discardSpeculative(): void {
    const early = this.creating;
    this.creating = undefined;
    this.speculative = undefined;
    void early?.then((s) => s.close()).catch(() => undefined);
  }

  /** The store, created on first use from the settings (and `first`, the first session's choices). */
  store(first: { cache?: CacheChoice; cacheMaxBytes?: number } = {}): Promise<AssetStore> {
    const s = this.settings;
    const choice = s.cache ?? (first.cache !== undefined && persists(first.cache) ? first.cache : ENGINE_CACHE_DEFAULTS.cache);
    const maxBytes = s.cacheMaxBytes ?? first.cacheMaxBytes ?? ENGINE_CACHE_DEFAULTS.cacheMaxBytes;
    const early = this.speculative;
    if (early !== undefined && (early.choice !== choice || early.maxBytes !== maxBytes)) this.discardSpeculative();
    this.speculative = undefined;
    this.creating ??= this.create(choice, maxBytes);
    return this.creating;
  }

  private create(choice: CacheChoice, maxBytes: number): Promise<AssetStore> {
    const s = this.settings;
    this.storeDecrypted = s.cacheDecrypted === true;
    return AssetStore.create({
      cache: choice as CacheMode,
      cacheMaxBytes: maxBytes,
      keys: {
        ...(s.cacheKeyIgnoreParams !== undefined && { dropQueryParams: s.cacheKeyIgnoreParams }),
        ...(this.keyFn !== undefined && { keyFn: this.keyFn }),
      },
      ...(s.cacheQuotaBytes !== undefined && { cacheQuotaBytes: s.cacheQuotaBytes }),
      process: decryptLazily,
      onEvent: (e) => this.onStoreEvent(e),
    });
  }

  /**
   * The store for a session with these options, or `undefined` when the session keeps its bytes
   * to itself (`'memory' | 'none'`) or the store cannot be created (then bytes stay in memory).
   */
  async forSession(choice: CacheChoice, cacheMaxBytes: number): Promise<AssetStore | undefined> {
    if (!persists(choice)) return undefined;
    try {
      return await this.store({ cache: choice, cacheMaxBytes });
    } catch {
      return undefined;
    }
  }

  /** The store as the HLS segment loader uses it. */
  hls(store: AssetStore): HlsCache {
    return {
      storeDecrypted: this.storeDecrypted,
      open: (url, options) => {
        const opened = store.open(url, options);
        void opened.then((h) => this.urls.set(h.key, url), () => undefined);
        return opened;
      },
    };
  }

  /** Notes the URL of a key (for events). */
  remember(key: string, url: string): void {
    this.urls.set(key, url);
  }

  /**
   * Adds an event listener (it may be a comlink proxy; what it throws or rejects is ignored).
   * The first listener also receives what happened before it came (up to
   * {@link EARLY_EVENTS} events, e.g. an index rebuilt while the store was made at start-up).
   */
  subscribe(listener: (event: CacheEventDetail) => void): void {
    this.listeners.add(listener);
    const early = this.early.splice(0);
    for (const e of early) this.emit(e);
  }

  private readonly early: CacheEventDetail[] = [];

  /** Every entry in the public form. */
  async list(): Promise<CacheEntryInfo[]> {
    const entries = await (await this.store()).list();
    return entries.map((e) => ({ key: e.key, url: e.url, bytes: e.bytes, length: e.length ?? NaN, complete: e.complete, lastAccess: e.lastAccess, pinned: e.pinned }));
  }

  /** Usage in the public form. */
  async usage(): Promise<CacheUsageInfo> {
    const store = await this.store();
    const u = await store.usage();
    return { bytes: u.bytes, entries: u.entries, maxBytes: u.maxBytes, backend: store.backend, quota: u.quota ?? NaN, usage: u.usage ?? NaN };
  }

  private emit(event: CacheEventDetail): void {
    if (this.listeners.size === 0) {
      if (this.early.length < EARLY_EVENTS) this.early.push(event);
      return;
    }
    for (const l of this.listeners) {
      try {
        Promise.resolve(l(event)).catch(() => this.listeners.delete(l));
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  private onStoreEvent(e: AssetEvent): void {
    const url = (key: string): string => this.urls.get(key) ?? '';
    switch (e.type) {
      case 'fallback':
        this.emit({ type: 'fallback', key: e.key, url: url(e.key), reason: e.reason });
        break;
      case 'evicted':
        this.emit({ type: 'evicted', key: e.key, url: e.url || url(e.key), bytes: e.bytes, reason: e.reason });
        break;
      case 'index-rebuilt':
        this.emit({ type: 'indexrebuilt', key: e.key, url: url(e.key), reason: e.reason });
        break;
      case 'store-index-rebuilt':
        this.emit({ type: 'indexrebuilt', key: '', url: '', reason: e.reason });
        break;
      case 'backend':
        this.emit({ type: 'backend', requested: e.requested, actual: e.actual });
        break;
      default:
        break;
    }
  }
}

function checkSettings(s: EngineCacheSettings): void {
  const choices: CacheChoice[] = ['auto', 'opfs', 'indexeddb', 'memory', 'none'];
  if (s.cache !== undefined && !choices.includes(s.cache)) throw new TypeError(`options.cache, when provided, must be one of ${choices.join(', ')}.`);
  for (const name of ['cacheMaxBytes', 'cacheQuotaBytes'] as const) {
    const v = s[name];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new TypeError(`options.${name}, when provided, must be a non-negative integer.`);
  }
  if (s.cacheKeyIgnoreParams !== undefined && (!Array.isArray(s.cacheKeyIgnoreParams) || s.cacheKeyIgnoreParams.some((p) => typeof p !== 'string'))) {
    throw new TypeError('options.cacheKeyIgnoreParams, when provided, must be an array of strings.');
  }
  if (s.cacheKeyPort !== undefined && !(typeof MessagePort !== 'undefined' && s.cacheKeyPort instanceof MessagePort)) {
    throw new TypeError('options.cacheKeyPort, when provided, must be a MessagePort.');
  }
}

/** The cache of this worker. */
export const engineCache = new EngineCache();
