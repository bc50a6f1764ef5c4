/**
 * Public types of the Player and Resource facades: options, events and stats.
 * Defaults live in {@link PLAYER_DEFAULTS} (src/player/defaults.ts).
 */
import type { KitharaError } from '../platform/errors.js';

/**
 * Which decoder implementation to use. `'wasm'` is accepted but no WASM decoder ships yet: it fails
 * with an `unsupported` error for every compressed codec (PCM needs no decoder).
 */
export type DecoderChoice = 'auto' | 'webcodecs' | 'wasm';

/**
 * Where downloaded bytes are kept. Every value is accepted, but today bytes are kept in memory for
 * the life of the load whatever the choice; OPFS and IndexedDB persistence come later.
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

/** Adaptive bitrate options (HLS). Accepted but unused until HLS is supported. */
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
   * Initial variant index, or 'auto': the best fit for an existing estimate, else the lowest
   * variant (it starts fastest and yields the first throughput sample soonest). Defaults to 'auto'.
   */
  startVariant?: 'auto' | number;
}

/** Options of `new Player(options)`. */
export interface PlayerOptions {
  /** Use this AudioContext instead of creating one. Defaults to a new context. */
  audioContext?: BaseAudioContext;
  /** Where `output` is connected; `null` leaves it unconnected. Defaults to `audioContext.destination`. */
  destination?: AudioNode | null;
  /** Decoder choice. Defaults to 'auto' (WebCodecs, then the WASM fallback, which does not ship yet). */
  decoder?: DecoderChoice;
  /** Cache backend. Defaults to 'auto'. Today every choice keeps bytes in memory (see {@link CacheChoice}). */
  cache?: CacheChoice;
  /** Cache size limit in bytes. Defaults to 512 MiB. Not enforced yet (no persistent cache). */
  cacheMaxBytes?: number;
  /** ABR options for HLS. Defaults to the {@link AbrOptions} defaults. Unused until HLS is supported. */
  abr?: AbrOptions;
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
  /** 'webcodecs' | 'wasm' | 'pcm' */
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
 * `seeking`, `seeked`, `ended` and `error`). Standard media events are plain `Event`s. `variants` and `variantchange` are for HLS
 * and do not fire yet.
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
