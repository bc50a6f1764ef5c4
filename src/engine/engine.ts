/** The engine: every session of the page, keyed by id. Exposed to the main thread by comlink. */
import * as Comlink from 'comlink';
import { KitharaError, isArgumentError } from '../platform/errors.js';
import { setTracing, takeMarks, type TraceMark } from '../platform/trace.js';
import { realClock } from '../platform/clock.js';
import type { KeyLoader } from '../player/types.js';
import type { EngineApi, EngineEvent, OpenRequest, OpenResult, PlayerShape, ReadResult } from './protocol.js';
import type { CacheConfigureResult, EngineCacheSettings, PrefetchRequest } from './protocol.js';
import type { CacheEntryInfo, CacheEventDetail, CacheUsageInfo, PrefetchProgress } from '../player/types.js';
import { engineCache, persists } from './cache.js';
import { resolveUrl } from './sources.js';
import { Session } from './session.js';
import { prepareResampling } from '../audio/resampler-prepare.js';
import type { ResamplerQuality } from '../player/types.js';

/** Version of the engine worker. Keep it equal to `version` in src/version.ts (no test checks this one). */
export const ENGINE_VERSION = '0.1.0';

/** The worker-side API implementation. */
export class Engine implements EngineApi {
  private readonly sessions = new Map<number, Session>();
  /** Sessions being opened now. */
  private opening = 0;

  /** Starts preparing the persistent cache at once (see `EngineCache.prewarm`). */
  constructor() {
    engineCache.prewarm();
  }

  async open(id: number, request: OpenRequest, onEvent: (event: EngineEvent) => void, keyLoader?: KeyLoader): Promise<OpenResult> {
    const emit = (e: EngineEvent): void => {
      // A listener on the other side that throws must never break the pipeline.
      Promise.resolve(onEvent(e)).catch(() => undefined);
    };
    this.opening++;
    try {
      const session = await Session.open(request, emit, keyLoader);
      this.sessions.set(id, session);
      return session.info;
    } finally {
      this.opening--;
    }
  }

  /** HLS: pins variant `mode` or returns to `'auto'`. */
  setVariant(id: number, mode: number | 'auto'): void {
    this.get(id).setVariant(mode);
  }

  seek(id: number, seconds: number): Promise<number> {
    return this.get(id).seek(seconds);
  }

  async read(id: number, maxFrames: number, recycle?: ArrayBuffer): Promise<ReadResult | null> {
    const result = await this.get(id).read(maxFrames, recycle);
    return result === null ? null : Comlink.transfer(result, [result.interleaved.buffer]);
  }

  async close(id: number): Promise<void> {
    this.sessions.get(id)?.close();
    this.sessions.delete(id);
  }

  version(): string {
    return ENGINE_VERSION;
  }

  prepare(outRate: number, quality: ResamplerQuality, player?: PlayerShape): void {
    prepareResampling(outRate, quality);
    if (player === undefined || this.warmedUp) return;
    this.warmedUp = true;
    const store = persists(player.cache) ? engineCache.current() : Promise.resolve(undefined);
    void import('./warm-up.js')
      .then((m) => m.warmUpEngine({ outRate, quality, outChannels: player.outChannels, decoder: player.decoder, store, idle: () => this.opening === 0 && this.sessions.size === 0 }))
      .catch(() => undefined);
  }

  /** `true` once a player started the warm-up (it runs once per worker). */
  private warmedUp = false;

  debugTrace(on: boolean): void {
    setTracing(on);
  }

  debugMarks(): TraceMark[] {
    return takeMarks();
  }

  debugBlock(ms: number): void {
    const until = realClock.now() + ms;
    while (realClock.now() < until) {
      // Spin: the thread does nothing else until `until`, on purpose.
    }
  }

  // ---- cache (management and prefetch; see engine/cache.ts) ----

  private readonly prefetches = new Map<number, AbortController>();

  async cacheConfigure(settings: EngineCacheSettings): Promise<CacheConfigureResult> {
    return { applied: engineCache.configure(settings) };
  }

  cacheList(): Promise<CacheEntryInfo[]> {
    return engineCache.list();
  }

  async cacheDelete(url: string, baseUrl: string): Promise<boolean> {
    const store = await engineCache.store();
    return store.delete(/^[0-9a-f]{32}$/.test(url) ? url : resolveUrl(url, baseUrl));
  }

  async cacheClear(): Promise<void> {
    await (await engineCache.store()).clear();
  }

  cacheUsage(): Promise<CacheUsageInfo> {
    return engineCache.usage();
  }

  async cacheSubscribe(onEvent: (event: CacheEventDetail) => void): Promise<void> {
    engineCache.subscribe(onEvent);
  }

  async cachePrefetch(id: number, request: PrefetchRequest, onProgress: (p: PrefetchProgress) => void): Promise<PrefetchProgress> {
    const ctl = new AbortController();
    this.prefetches.set(id, ctl);
    try {
      const store = await engineCache.store();
      const { prefetchToCache } = await import('./prefetch.js');
      const report = (p: PrefetchProgress): void => {
        Promise.resolve(onProgress(p)).catch(() => undefined);
      };
      return await prefetchToCache(store, engineCache.hls(store), request, ctl.signal, report);
    } catch (e) {
      if (ctl.signal.aborted) throw new KitharaError('aborted', `Prefetch of ${request.url} was cancelled.`, { url: request.url });
      throw isArgumentError(e) ? e : KitharaError.from(e, 'network');
    } finally {
      this.prefetches.delete(id);
    }
  }

  async cacheCancel(id: number): Promise<void> {
    this.prefetches.get(id)?.abort(new KitharaError('aborted', 'The prefetch was cancelled.'));
  }

  private get(id: number): Session {
    const s = this.sessions.get(id);
    if (s === undefined) throw new KitharaError('aborted', `No open session ${id}: it was closed.`);
    return s;
  }
}
