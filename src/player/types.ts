/**
 * Public types of the Player and Resource facades: options, events and stats.
 * Defaults live in {@link PLAYER_DEFAULTS} (src/player/defaults.ts).
 */
import type { KitharaError } from '../platform/errors.js';

/** Which decoder implementation to use. */
export type DecoderChoice = 'auto' | 'webcodecs' | 'wasm';

/** Where downloaded bytes are kept. */
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

/** Adaptive bitrate options (HLS). */
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
  /** Decoder choice. Defaults to 'auto' (WebCodecs, then WASM). */
  decoder?: DecoderChoice;
  /** Cache backend. Defaults to 'auto'. */
  cache?: CacheChoice;
  /** Cache size limit in bytes. Defaults to 512 MiB. */
  cacheMaxBytes?: number;
  /** ABR options for HLS. */
  abr?: AbrOptions;
  /** Network options. */
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
  index: number;
  bandwidth: number;
  codecs: string;
  name: string;
}

/** Detail of `variantchange`. */
export interface VariantChangeDetail {
  from: number;
  to: number;
  reason: string;
}

/** Detail of `formatchange`: what is being decoded now. */
export interface FormatInfo {
  container: string;
  codec: string;
  codecString: string;
  sampleRate: number;
  channels: number;
  /** 'webcodecs' | 'wasm' | 'pcm' */
  decoder: string;
  /** Implementation name, e.g. 'WebCodecs mp4a.40.2'. */
  decoderName: string;
}

/** A live snapshot of what a Player is doing. */
export interface PlayerStats {
  format: FormatInfo | null;
  /** Seconds of decoded audio waiting in the ring. */
  bufferedAheadSec: number;
  /** Underrun events counted by the worklet since load. */
  underruns: number;
  /** Bytes held / total (NaN if unknown). */
  bytesLoaded: number;
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

/** Events of Player and Resource. Standard media events are plain `Event`s. */
export interface PlayerEventMap {
  loadstart: Event;
  loadedmetadata: Event;
  durationchange: Event;
  canplay: Event;
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
