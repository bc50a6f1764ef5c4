/**
 * The typed main-thread ↔ engine-worker protocol (carried by comlink). Both sides import this
 * file's types, and {@link ENGINE_READY}; nothing here runs.
 */
import type { KeyLoader } from '../player/types.js';
import type { TraceMark } from '../platform/trace.js';
import type { SerializedKitharaError } from '../platform/errors.js';
import type { FormatInfo, NetOptions, ResamplerQuality, DecoderChoice, CacheChoice, VariantInfo, VariantChangeDetail, AbrOptions } from '../player/types.js';
import type { CacheEntryInfo, CacheEventDetail, CacheSettings, CacheUsageInfo, PrefetchProgress } from '../player/types.js';

/**
 * The `type` of the one message the worker posts outside comlink, once its engine is exposed:
 * until then, an `error` event on the Worker means it did not start (its script did not load or
 * threw while loading); after it, an uncaught error in some task does not end the engine.
 */
export const ENGINE_READY = 'kithara-engine-ready';

/** Where a player's PCM goes. */
export type OutputTarget =
  | { kind: 'sab'; sab: SharedArrayBuffer; epochBase: number }
  | { kind: 'port'; port: MessagePort; channels: number; capacityFrames: number; batchFrames: number; epochBase: number };

/** What a new player will ask for, so the engine warms up the same path (see `prepare`). */
export interface PlayerShape {
  outChannels: number;
  decoder: DecoderChoice;
  cache: CacheChoice;
}

/** What to open and how. */
export interface OpenRequest {
  src: string | Blob;
  /** Base URL for relative `src` (the page's URL). */
  baseUrl: string;
  outRate: number;
  /** Output channels; undefined keeps the source's. */
  outChannels: number | undefined;
  decoder: DecoderChoice;
  quality: ResamplerQuality;
  net: NetOptions;
  cache: CacheChoice;
  cacheMaxBytes: number;
  abr: AbrOptions;
  /** Present for players: the ring (or port) the engine writes into. */
  output?: OutputTarget;
}

/** What the engine learned when it opened a source. */
export interface OpenResult {
  duration: number;
  format: FormatInfo;
  outChannels: number;
  outRate: number;
}

/** Events the engine sends about one session. */
export type EngineEvent =
  | { type: 'progress'; loaded: number; total: number; ranges: [number, number][] }
  | { type: 'durationchange'; duration: number }
  | { type: 'formatchange'; format: FormatInfo }
  | { type: 'seeked'; epoch: number; time: number }
  | { type: 'decodeended'; epoch: number }
  | { type: 'variants'; variants: VariantInfo[] }
  | { type: 'variantchange'; detail: VariantChangeDetail }
  | { type: 'stats'; throughputBps: number; variant: number }
  | { type: 'error'; error: SerializedKitharaError };

/** A block of interleaved PCM returned by `read`. */
export interface ReadResult {
  interleaved: Float32Array;
  frames: number;
  epoch: number;
  time: number;
}

/** The engine worker's API. */
export interface EngineApi extends EngineCacheApi {
  /** Opens a session. `onEvent` is a comlink proxy. */
  open(id: number, request: OpenRequest, onEvent: (event: EngineEvent) => void, keyLoader?: KeyLoader): Promise<OpenResult>;
  /** Seeks; resolves with the new epoch once the engine has repositioned. */
  seek(id: number, seconds: number): Promise<number>;
  /** HLS: pins a variant index, or `'auto'` to adapt (applies at the next segment). */
  setVariant(id: number, mode: number | 'auto'): void;
  /**
   * Resource sessions: up to `maxFrames` interleaved frames, or null at the end. `recycle` hands
   * back (transferred) the buffer of a result the caller has used up, for the engine to fill
   * again: fresh memory costs a page fault per 4 KiB on first touch, which at ~1.5 GB/s of PCM
   * was a tenth of a read's time.
   */
  read(id: number, maxFrames: number, recycle?: ArrayBuffer): Promise<ReadResult | null>;
  /** Closes a session and frees everything it holds. */
  close(id: number): Promise<void>;
  /** Engine-wide version check. */
  version(): string;
  /**
   * A player was made for output at `outRate` with `quality`: prepare in idle time what its
   * first `open` would otherwise pay for (resampler tables for the common source rates; with
   * `player`, once per worker, the warm-up of engine/warm-up.ts).
   */
  prepare(outRate: number, quality: ResamplerQuality, player?: PlayerShape): void;
  /** Diagnostics: turns the worker's timeline marks on or off (see `platform/trace.ts`). */
  debugTrace(on: boolean): void;
  /** Diagnostics: the worker's timeline marks so far (then forgotten). */
  debugMarks(): TraceMark[];
  /**
   * Diagnostics, tests only: busy-waits the worker's thread for `ms` (a long task, like a GC pause
   * or a slow decode), to show that the output ring absorbs worker jank.
   */
  debugBlock(ms: number): void;
}

/**
 * Cache settings as sent to the engine: `workerUrl` stays on the main thread, and `cacheKey`
 * (a function, which cannot be cloned) stays there too, exposed by comlink on a port whose other
 * end travels (transferred) as `cacheKeyPort`.
 */
export type EngineCacheSettings = Omit<CacheSettings, 'workerUrl' | 'cacheKey'> & {
  /** The port on which the page answers `cacheKey(url)` calls (see `CacheSettings.cacheKey`). */
  cacheKeyPort?: MessagePort;
};

/** What `cacheConfigure` did. */
export interface CacheConfigureResult {
  /** `false` when the cache already existed: its settings are fixed and these were ignored. */
  applied: boolean;
}

/** What to prefetch and how. */
export interface PrefetchRequest {
  url: string;
  /** Base URL for a relative `url` (the page's URL). */
  baseUrl: string;
  net: NetOptions;
  /** HLS master playlists: the variant to store. Defaults to the one playback with `abr` starts with. */
  variant?: number;
  /** HLS master playlists: the ABR options whose first decision picks the variant. Defaults to the AbrOptions defaults. */
  abr?: AbrOptions;
}

/**
 * The cache half of the engine API (management and prefetch); {@link EngineApi} extends it.
 * Every method creates the engine's cache on first use (see `CacheSettings`).
 */
export interface EngineCacheApi {
  /** Sets the settings the cache is created with; ignored once it exists. */
  cacheConfigure(settings: EngineCacheSettings): Promise<CacheConfigureResult>;
  /** Every cached asset, most recently used first. */
  cacheList(): Promise<CacheEntryInfo[]>;
  /** Deletes the asset of a URL (or key); `false` when nothing was stored or another page has it open. */
  cacheDelete(url: string, baseUrl: string): Promise<boolean>;
  /** Deletes everything (assets open elsewhere stay). */
  cacheClear(): Promise<void>;
  /** Bytes and entries held, with the origin's quota figures. */
  cacheUsage(): Promise<CacheUsageInfo>;
  /** Receives the cache's events (a comlink proxy). Does not create the cache. */
  cacheSubscribe(onEvent: (event: CacheEventDetail) => void): Promise<void>;
  /**
   * Downloads `request.url` (a progressive file, or every part an HLS VOD needs: playlists, init
   * segments and segments of one variant) into the cache without decoding it. `onProgress` is a
   * comlink proxy. Rejects with `aborted` after `cacheCancel(id)`, or with the network error.
   */
  cachePrefetch(id: number, request: PrefetchRequest, onProgress: (progress: PrefetchProgress) => void): Promise<PrefetchProgress>;
  /** Cancels the prefetch `id` (what is already stored stays). */
  cacheCancel(id: number): Promise<void>;
}
