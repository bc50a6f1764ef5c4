/**
 * `Kithara.cache`: the persistent cache's management API on the main thread. It drives the
 * engine worker's one cache (the one every Player and Resource of the page shares) through
 * comlink, and starts that worker on first use, as a Player does.
 *
 * ```js
 * import { cache } from 'kithara';
 * const ctl = new AbortController();
 * await cache.prefetch('/album/track1.m4a', { onProgress: (p) => bar.value = p.loaded / p.total, signal: ctl.signal });
 * console.log(await cache.list(), await cache.usage());
 * cache.addEventListener('fallback', (e) => console.warn('cache full, playing from memory', e.detail));
 * ```
 */
import * as Comlink from 'comlink';
import { KitharaError, isArgumentError } from '../platform/errors.js';
import { checkChoice, checkNetOptions, checkNumber } from './defaults.js';
import { getEngine, type EngineClient } from './engine-client.js';
import type { AbrOptions, CacheEntryInfo, CacheEventDetail, CacheEventMap, CacheSettings, CacheUsageInfo, NetOptions, PrefetchProgress } from './types.js';
import type { EngineCacheSettings } from '../engine/protocol.js';

/** Options of {@link CacheApi.prefetch}. */
export interface PrefetchOptions {
  /** Called as bytes arrive (throttled to about 10 per second for files; once per part for HLS). Defaults to none. */
  onProgress?: (progress: PrefetchProgress) => void;
  /** Aborting it cancels the download; what was stored stays (a later prefetch or playback resumes it). Defaults to none. */
  signal?: AbortSignal;
  /** Network options, as a Player's. Defaults to the {@link NetOptions} defaults. */
  net?: NetOptions;
  /**
   * HLS master playlists: the variant index to store. Defaults to the variant a Player or
   * Resource with the same {@link PrefetchOptions.abr} options starts with.
   */
  variant?: number;
  /**
   * HLS master playlists: the `abr` options of the Player or Resource that will play the stream,
   * so the variant stored is the one it starts with: its `mode` when that pins a variant, else its
   * `startVariant`, else the best fit for `startEstimateBps`. Playing offline stays on that
   * variant (cache hits never feed the throughput estimate). `variant` wins when both are given.
   * Defaults to the {@link AbrOptions} defaults.
   */
  abr?: AbrOptions;
}

/** The cache management API (`Kithara.cache`). Dispatches the events of {@link CacheEventMap}. */
export class CacheApi extends EventTarget {
  private workerUrl: string | URL | undefined;
  private client: EngineClient | undefined;
  private subscribed: Promise<void> | undefined;

  private engine(): EngineClient {
    this.client ??= getEngine(this.workerUrl);
    return this.client;
  }

  /**
   * Sets the engine-wide cache settings (see {@link CacheSettings}). They apply when the cache
   * is created, so call this before the first load or cache call. Resolves `false` when the
   * cache already existed and the settings were ignored.
   */
  async configure(settings: CacheSettings): Promise<boolean> {
    if (typeof settings !== 'object' || settings === null) throw new TypeError('settings must be an object.');
    checkChoice('cache', settings.cache, ['auto', 'opfs', 'indexeddb', 'memory', 'none']);
    checkNumber('cacheMaxBytes', settings.cacheMaxBytes, 0, Number.MAX_SAFE_INTEGER);
    checkNumber('cacheQuotaBytes', settings.cacheQuotaBytes, 0, Number.MAX_SAFE_INTEGER);
    if (settings.cacheKeyIgnoreParams !== undefined && (!Array.isArray(settings.cacheKeyIgnoreParams) || settings.cacheKeyIgnoreParams.some((p) => typeof p !== 'string'))) {
      throw new TypeError('options.cacheKeyIgnoreParams, when provided, must be an array of strings.');
    }
    if (settings.cacheKey !== undefined && typeof settings.cacheKey !== 'function') {
      throw new TypeError('options.cacheKey, when provided, must be a function.');
    }
    const { workerUrl, cacheKey, ...rest } = settings;
    if (workerUrl !== undefined) {
      if (this.client !== undefined) return false;
      this.workerUrl = workerUrl;
    }
    const engine = this.engine();
    if (cacheKey === undefined) return (await engine.api.cacheConfigure(rest)).applied;
    // The function stays here; the worker calls it through a port of its own.
    const port = engine.exposeOnPort(cacheKey);
    const request: EngineCacheSettings = { ...rest, cacheKeyPort: port.remote };
    const r = await engine.api.cacheConfigure(engine.transfer(request, [port.remote])).catch((e: unknown) => {
      port.close();
      throw e;
    });
    if (!r.applied) port.close();
    return r.applied;
  }

  /** Every cached asset, most recently used first (an HLS stream has one entry per part). */
  list(): Promise<CacheEntryInfo[]> {
    return this.engine().api.cacheList();
  }

  /**
   * Deletes the asset of `url` (relative URLs resolve against the page) or of a key from
   * {@link list}. Resolves `true` when deleted (an asset playing here goes when it is closed),
   * `false` when nothing was stored or another page has it open.
   */
  delete(url: string): Promise<boolean> {
    if (typeof url !== 'string' || url.length === 0) return Promise.reject(new TypeError('url must be a non-empty string.'));
    return this.engine().api.cacheDelete(url, globalThis.location?.href ?? '');
  }

  /** Deletes every asset (those playing here go when closed; those open in other pages stay). */
  clear(): Promise<void> {
    return this.engine().api.cacheClear();
  }

  /** Bytes and entries held, the backend, and the origin's quota figures. */
  usage(): Promise<CacheUsageInfo> {
    return this.engine().api.cacheUsage();
  }

  /**
   * Downloads `url` into the cache for offline use without playing it: a progressive file
   * whole, an HLS VOD with its playlists, init segments and every segment of one variant.
   * Only what is missing is fetched. Resolves with the final progress; rejects with an
   * `aborted` KitharaError when `options.signal` aborts, or with the network error; with a
   * `TypeError` for options it cannot use (e.g. a `variant` the master playlist does not list).
   */
  async prefetch(url: string, options: PrefetchOptions = {}): Promise<PrefetchProgress> {
    if (typeof url !== 'string' || url.length === 0) throw new TypeError('url must be a non-empty string.');
    checkNetOptions(options.net);
    if (options.variant !== undefined && (!Number.isSafeInteger(options.variant) || options.variant < 0)) {
      throw new TypeError('options.variant, when provided, must be a non-negative integer.');
    }
    if (options.abr !== undefined && (typeof options.abr !== 'object' || options.abr === null)) {
      throw new TypeError('options.abr, when provided, must be an object.');
    }
    const signal = options.signal;
    if (signal?.aborted) throw new KitharaError('aborted', `Prefetch of ${url} was cancelled.`, { url });
    const engine = this.engine();
    const id = engine.nextId();
    const cancel = (): void => void engine.api.cacheCancel(id).catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    const onProgress = options.onProgress;
    try {
      return await engine.api.cachePrefetch(
        id,
        {
          url,
          baseUrl: globalThis.location?.href ?? '',
          net: options.net ?? {},
          ...(options.variant !== undefined && { variant: options.variant }),
          ...(options.abr !== undefined && { abr: { ...options.abr } }),
        },
        Comlink.proxy((p: PrefetchProgress) => {
          try {
            onProgress?.(p);
          } catch {
            // A listener that throws never breaks the download.
          }
        }),
      );
    } catch (e) {
      throw isArgumentError(e) ? e : KitharaError.from(e, 'network');
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Typed listeners for the cache's events (adding one connects to the engine's cache events). */
  override addEventListener<K extends keyof CacheEventMap>(type: K, listener: (this: CacheApi, ev: CacheEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
    this.subscribe();
  }

  /** Resolves once the engine forwards cache events here (listeners added before a load see every event). */
  ready(): Promise<void> {
    return this.subscribe();
  }

  private subscribe(): Promise<void> {
    if (this.subscribed === undefined) {
      const engine = this.engine();
      const onEvent = (e: CacheEventDetail): void => {
        this.dispatchEvent(new CustomEvent(e.type, { detail: e }));
      };
      this.subscribed = engine.api.cacheSubscribe(Comlink.proxy(onEvent)).catch(() => {
        this.subscribed = undefined;
      });
    }
    return this.subscribed;
  }
}

/** The page's cache API (`Kithara.cache`). */
export const cache = new CacheApi();
