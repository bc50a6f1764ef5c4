/**
 * Public types of the Player and Resource facades: options, events and stats.
 * Defaults live in {@link PLAYER_DEFAULTS} (src/player/defaults.ts).
 */
import type { KitharaError } from '../platform/errors.js';

/**
 * Which decoder implementation to use.
 * - `'auto'`: WebCodecs where the browser has an `AudioDecoder` that accepts the track, else the
 *   software (WASM / TypeScript) decoder suite, loaded lazily, one chunk per codec. One exception:
 *   a `Resource` (bulk PCM reading) decodes MPEG audio (MP1/2/3) with the WASM decoder first,
 *   which is faster there than WebCodecs (Chromium decodes one MP3 frame per round trip); a
 *   `Player` keeps WebCodecs first for the quickest start.
 * - `'webcodecs'`: WebCodecs only; a track it cannot decode fails with `unsupported`.
 * - `'wasm'`: the software decoders only (AAC-LC, MP1/2/3, FLAC, ALAC, Vorbis, Opus).
 * PCM needs no decoder whatever the choice. `FormatInfo.decoder` says which one is in use.
 */
export type DecoderChoice = 'auto' | 'webcodecs' | 'wasm';

/**
 * Where downloaded bytes are kept.
 * - `'auto'`: OPFS where available (the engine worker writes through `FileSystemSyncAccessHandle`),
 *   else IndexedDB, else memory. Persists across reloads.
 * - `'opfs'`, `'indexeddb'`: that backend, degrading to the next one when it is unavailable
 *   (a `backend` event on the `cache` API says so).
 * - `'memory'`, `'none'`: nothing persists; the bytes live in memory for the life of the load and
 *   the shared cache is neither read nor written.
 */
export type CacheChoice = 'auto' | 'opfs' | 'indexeddb' | 'memory' | 'none';

/** Resampler quality, fastest to best. */
export type ResamplerQuality = 'fast' | 'normal' | 'good' | 'high';

/** Retry policy for network requests. */
export interface RetryOptions {
  /** Retries after the first attempt. Defaults to 4. */
  maxRetries?: number;
  /** First backoff delay in ms; doubles each retry, with full jitter. Defaults to 200. */
  baseDelayMs?: number;
  /** Largest backoff delay (also caps Retry-After) in ms. Defaults to 5000. */
  maxDelayMs?: number;
}

/** Network options. */
export interface NetOptions {
  /** Retry policy for 5xx, 408, 429 and network errors. */
  retry?: RetryOptions;
  /** Time allowed until response headers arrive, in ms. Defaults to 10000. */
  connectTimeoutMs?: number;
  /** Time allowed between two body chunks, in ms. Defaults to 15000. */
  inactivityTimeoutMs?: number;
  /** Extra request headers (e.g. Authorization). Defaults to none. */
  headers?: Record<string, string>;
  /** fetch credentials mode. Defaults to 'same-origin'. */
  credentials?: RequestCredentials;
}

/** Adaptive bitrate and HLS buffering options. Each field's default is in `ABR_DEFAULTS` (src/abr/abr-options.ts), with the reasoning. */
export interface AbrOptions {
  /** 'auto' adapts; a number pins that variant index. Defaults to 'auto'. */
  mode?: 'auto' | number;
  /** Estimate is divided by this before choosing. Defaults to 1.25. */
  safetyFactor?: number;
  /** Throughput must reach candidate × this to switch up. Defaults to 1.3. */
  upHysteresis?: number;
  /** Throughput at or below current × this switches down. Defaults to 0.8. */
  downHysteresis?: number;
  /** Seconds of media downloaded ahead needed before switching up. Defaults to 6. */
  minBufferForUpSwitchSec?: number;
  /** Buffer (s) at or below which a down-switch is urgent (ignores the minimum interval). Defaults to 3. */
  urgentDownSwitchBufferSec?: number;
  /** Minimum seconds between two switches. Defaults to 4 (about one segment). */
  minSwitchIntervalSec?: number;
  /**
   * Initial variant index, or 'auto': the best fit for the throughput estimate (a measured one,
   * else `startEstimateBps`). Defaults to 'auto'.
   */
  startVariant?: 'auto' | number;
  /**
   * The throughput (bit/s) assumed for the first decision before anything was measured. Defaults to
   * 500000 (hls.js's default estimate): a typical ladder then starts near 320–400 kbit/s, which
   * Kithara can afford because it plays a segment as it arrives. 0 starts on the lowest variant.
   */
  startEstimateBps?: number;
  /** Half-life (s of download time) of the fast throughput average. Defaults to 2. */
  fastHalfLifeSec?: number;
  /** Half-life (s of download time) of the slow throughput average. Defaults to 10. */
  slowHalfLifeSec?: number;
  /** Downloads smaller than this many bytes never feed the estimate (latency dominates them). Defaults to 16000. */
  minSampleBytes?: number;
  /** Seconds of media downloaded ahead of playback before the download waits. Defaults to 30. */
  lookAheadSec?: number;
  /**
   * After an up-switch with more than this many seconds downloaded ahead, the segments playback
   * has not started are fetched again from the better variant. Defaults to 8.
   */
  upCatchUpSec?: number;
  /**
   * Length (ms) of the crossfade where a variant switch needs a new decoder (another rate, channel
   * count or codec). 0 joins without a fade. Defaults to 8.
   */
  switchCrossfadeMs?: number;
}

/** Options of `new Player(options)`. */
export interface PlayerOptions {
  /** Use this AudioContext instead of creating one. Defaults to a new context. */
  audioContext?: BaseAudioContext;
  /** Where `output` is connected; `null` leaves it unconnected. Defaults to `audioContext.destination`. */
  destination?: AudioNode | null;
  /** Decoder choice (see {@link DecoderChoice}). Defaults to 'auto' (WebCodecs, then the WASM fallback). */
  decoder?: DecoderChoice;
  /**
   * Cache backend (see {@link CacheChoice}). Defaults to 'auto'. The engine worker keeps one
   * persistent cache for every player and resource of the page: the first load with a persistent
   * choice (`'auto' | 'opfs' | 'indexeddb'`), or `cache.configure()` before it, creates it;
   * later loads share it whatever persistent choice they pass. `'memory'` and `'none'` keep the
   * load's bytes to itself and never touch the shared cache.
   */
  cache?: CacheChoice;
  /**
   * Cache size limit in bytes, enforced by evicting the least recently used assets (what is
   * playing is never evicted, so the limit is soft while it plays). Defaults to 512 MiB. Fixed
   * when the shared cache is created (see {@link PlayerOptions.cache}); `cache.configure()`
   * sets it for the whole page.
   */
  cacheMaxBytes?: number;
  /** ABR options for HLS. Defaults to the {@link AbrOptions} defaults. */
  abr?: AbrOptions;
  /**
   * HLS AES-128: supplies each key instead of fetching its URI (a licence service, keys kept by
   * the app). Receives the key URI (absolute) and returns the 16 key bytes. It runs on the page;
   * the engine worker calls it over the worker boundary. A throw or a wrong length fails the
   * stream with a `decrypt` error. Defaults to none: keys are fetched with `net`'s headers and
   * credentials.
   */
  keyLoader?: KeyLoader;
  /** Network options. Defaults to the {@link NetOptions} defaults. */
  net?: NetOptions;
  /** URL of the engine worker script. Defaults to `kithara.worker.js` next to the module. */
  workerUrl?: string | URL;
  /** URL of the output worklet script. Defaults to `kithara.worklet.js` next to the module. */
  workletUrl?: string | URL;
  /** Resampler quality. Defaults to 'high'. */
  resamplerQuality?: ResamplerQuality;
  /** Seconds of decoded audio kept ahead of the speakers. Defaults to 0.5 (absorbs worker jank). */
  bufferAheadSec?: number;
  /** Initial volume 0..1. Defaults to 1. */
  volume?: number;
  /** Starts muted. Defaults to false. */
  muted?: boolean;
  /** Autoplay once loaded. Defaults to false. */
  autoplay?: boolean;
  /** Loop at the end. Defaults to false. */
  loop?: boolean;
}

/** Options of `Resource.open(src, options)`. */
export interface ResourceOptions extends Omit<PlayerOptions, 'audioContext' | 'destination' | 'workletUrl' | 'bufferAheadSec' | 'volume' | 'muted' | 'autoplay' | 'loop'> {
  /** Output sample rate. Defaults to 48000. */
  sampleRate?: number;
  /** Output channel count. Defaults to the source's. */
  channels?: number;
}

/** Supplies an HLS AES-128 key for its URI (see `PlayerOptions.keyLoader`). */
export type KeyLoader = (uri: string) => Promise<ArrayBuffer | Uint8Array>;

/** One HLS variant. */
export interface VariantInfo {
  /** Position in `Player.variants`, the value `Player.variant` takes. */
  index: number;
  /** Peak bandwidth from the playlist, in bits/s. */
  bandwidth: number;
  /** The playlist's CODECS attribute. */
  codecs: string;
  /** A display name. */
  name: string;
}

/** Detail of `variantchange`. */
export interface VariantChangeDetail {
  /** Previous variant index. */
  from: number;
  /** New variant index. */
  to: number;
  /** Why it switched, e.g. 'initial', 'manual', 'up', 'down', 'urgent-down'. */
  reason: string;
}

/** Detail of `formatchange`: what is being decoded now. */
export interface FormatInfo {
  /** Container, e.g. 'mp4', 'mp3', 'ogg', 'wav'. */
  container: string;
  /** Codec, e.g. 'aac', 'mp3', 'opus', 'vorbis', 'flac', 'pcm'. */
  codec: string;
  /** The WebCodecs codec string, e.g. 'mp4a.40.2'. */
  codecString: string;
  /** The source's sample rate in Hz (before resampling). */
  sampleRate: number;
  /** The source's channel count (before channel mapping). */
  channels: number;
  /**
   * Which implementation decodes: 'webcodecs', 'wasm' (the software fallback, also when `'auto'`
   * fell back to it) or 'pcm' (no codec).
   */
  decoder: string;
  /** Implementation name, e.g. 'WebCodecs mp4a.40.2'. */
  decoderName: string;
}

/** A live snapshot of what a Player is doing. */
export interface PlayerStats {
  /** What is being decoded; null before the first load finished. */
  format: FormatInfo | null;
  /** Seconds of decoded audio waiting in the SharedArrayBuffer ring (always 0 in 'port' mode). */
  bufferedAheadSec: number;
  /**
   * Render quanta (128 frames) that came up short while playing, counted by the worklet since the
   * player's output was created (not reset by a new load).
   */
  underruns: number;
  /** Bytes of the source held so far. */
  bytesLoaded: number;
  /** Size of the source in bytes; NaN while unknown. */
  bytesTotal: number;
  /** Current variant index, -1 for progressive. */
  variant: number;
  /** Last throughput estimate in bits/s (HLS), NaN otherwise. */
  throughputBps: number;
  /** 'sab' when the SharedArrayBuffer ring is used, 'port' for the MessagePort fallback. */
  outputMode: 'sab' | 'port' | 'none';
  /** AudioContext sample rate. */
  outputSampleRate: number;
}

/**
 * Events of Player (Resource dispatches only `durationchange`, `progress`, `formatchange`,
 * `variants`, `variantchange`, `seeking`, `seeked`, `ended` and `error`). Standard media events are
 * plain `Event`s. `variants` and `variantchange` fire for HLS: `variantchange` when the download
 * moves to another variant (heard once the audio queued before it has played), and a
 * `formatchange` follows when the new variant needed a new decoder.
 */
export interface PlayerEventMap {
  loadstart: Event;
  loadedmetadata: Event;
  loadeddata: Event;
  durationchange: Event;
  canplay: Event;
  canplaythrough: Event;
  play: Event;
  playing: Event;
  pause: Event;
  waiting: Event;
  seeking: Event;
  seeked: Event;
  timeupdate: Event;
  progress: Event;
  ended: Event;
  error: ErrorEvent & { error: KitharaError };
  volumechange: Event;
  variants: CustomEvent<VariantInfo[]>;
  variantchange: CustomEvent<VariantChangeDetail>;
  formatchange: CustomEvent<FormatInfo>;
}

/**
 * Engine-wide settings of the persistent cache (`cache.configure(settings)`). They take effect
 * when the cache is created (the first load with a persistent `cache` choice, or the first call
 * of a `cache` method) and are fixed afterwards.
 */
export interface CacheSettings {
  /** Backend. Defaults to the first persistent load's `cache` option, else `'auto'`. */
  cache?: CacheChoice;
  /** Byte limit (LRU eviction). Defaults to the first persistent load's `cacheMaxBytes`, else 512 MiB. */
  cacheMaxBytes?: number;
  /**
   * Query parameters ignored when a URL is turned into a cache key, by exact name, e.g.
   * `['token', 'Expires', 'Signature']` for signed URLs whose tokens change on every visit.
   * Defaults to none: the whole query is part of the key (on the web a query often selects the content).
   */
  cacheKeyIgnoreParams?: string[];
  /**
   * Maps a URL to its cache identity, for signed URLs and other URLs whose text changes while
   * the content does not: e.g. `(url) => { const u = new URL(url); u.searchParams.delete('token'); return u.href; }`.
   * Two URLs with the same identity share one cache entry. It receives the absolute URL of every
   * asset: a file, an HLS playlist, init segment or segment (a byte-range segment is keyed by the
   * identity plus its range), and returns a non-empty string (or a promise of one), which is
   * hashed into the key as a URL is; `cacheKeyIgnoreParams` then does not apply. It runs on the
   * page; the engine worker calls it when it opens an asset and keeps the answer per URL, so it
   * is asked about once per URL, and must give the same answer for a URL every time (answers
   * from another visit must match too, or what was stored is not found). A call that throws or
   * returns anything else leaves that asset uncached (playback goes on from the network; a
   * prefetch rejects). Defaults to none: the key is the canonical URL with its query (minus
   * `cacheKeyIgnoreParams`).
   */
  cacheKey?: (url: string) => string | Promise<string>;
  /**
   * Store AES-128 HLS segments decrypted. Defaults to `false`: segments are stored as the
   * ciphertext the server sent and decrypted on read, and keys are never stored, so anyone who
   * can read the origin's storage learns nothing without the key server (offline playback then
   * still needs the key URI reachable). `true` stores plaintext: an encrypted stream then plays
   * with no network at all, but the media is readable by anything with access to the origin's storage.
   */
  cacheDecrypted?: boolean;
  /**
   * Test only: a simulated storage quota in bytes; writes past it fail as with a full disk,
   * which exercises eviction and the fallback to memory. Defaults to none (the browser's quota).
   */
  cacheQuotaBytes?: number;
  /** URL of the engine worker whose cache this is. Defaults to `kithara.worker.js` next to the module. */
  workerUrl?: string | URL;
}

/** One cached asset, as `cache.list()` reports it. */
export interface CacheEntryInfo {
  /** The asset key (32 hex digits). */
  key: string;
  /** The URL it was stored for ('' when unknown). */
  url: string;
  /** Bytes held. */
  bytes: number;
  /** Total size in bytes; NaN while unknown. */
  length: number;
  /** `true` when every byte is held (it plays offline). */
  complete: boolean;
  /** Last use (epoch ms; 0 when unknown). */
  lastAccess: number;
  /** `true` while a player or resource of this page has it open (it is not evicted). */
  pinned: boolean;
}

/** `cache.usage()`. */
export interface CacheUsageInfo {
  /** Bytes held by the cache. */
  bytes: number;
  /** Number of assets (an HLS stream has one per segment and playlist). */
  entries: number;
  /**
   * The byte cap in force: `cacheMaxBytes`, or less when the origin's quota
   * (`navigator.storage.estimate()`: quota − what the origin's other storage uses) leaves less
   * room; then the cache keeps to 90 % of that room, evicting before the browser refuses a write.
   */
  maxBytes: number;
  /** The backend in use: 'opfs', 'indexeddb' or 'memory'. */
  backend: string;
  /** The origin's quota from `navigator.storage.estimate()`; NaN when unknown. */
  quota: number;
  /** The origin's usage from `navigator.storage.estimate()`; NaN when unknown. */
  usage: number;
}

/** Progress of `cache.prefetch()`. */
export interface PrefetchProgress {
  /** Bytes held so far (all segments and playlists for HLS). */
  loaded: number;
  /** Total bytes; NaN while unknown (HLS: until every segment has been seen). */
  total: number;
  /** Parts held (1 for a progressive file; segments, init segments and playlists for HLS). */
  parts: number;
  /** Parts in all. */
  totalParts: number;
}

/** Detail of the events `cache` dispatches. */
export type CacheEventDetail =
  /** An asset stopped persisting (quota even after eviction, or a storage failure) and continues in memory; playback goes on. */
  | { type: 'fallback'; key: string; url: string; reason: 'quota' | 'error' }
  /** An asset was evicted (LRU limit, or to make room after a quota failure). */
  | { type: 'evicted'; key: string; url: string; bytes: number; reason: string }
  /** A damaged index was rebuilt: of one asset (`key` set; its bytes are fetched again) or of the whole cache. */
  | { type: 'indexrebuilt'; key: string; url: string; reason: string }
  /** The requested backend was unavailable; `actual` is in use. */
  | { type: 'backend'; requested: string; actual: string };

/** Events of `cache` (each a CustomEvent whose detail is a {@link CacheEventDetail}). */
export interface CacheEventMap {
  fallback: CustomEvent<Extract<CacheEventDetail, { type: 'fallback' }>>;
  evicted: CustomEvent<Extract<CacheEventDetail, { type: 'evicted' }>>;
  indexrebuilt: CustomEvent<Extract<CacheEventDetail, { type: 'indexrebuilt' }>>;
  backend: CustomEvent<Extract<CacheEventDetail, { type: 'backend' }>>;
}
