/**
 * The typed main-thread ↔ engine-worker protocol (carried by comlink). Both sides import
 * only this file's types; nothing here runs.
 */
import type { SerializedKitharaError } from '../platform/errors.js';
import type { FormatInfo, NetOptions, ResamplerQuality, DecoderChoice, CacheChoice, VariantInfo, VariantChangeDetail, AbrOptions } from '../player/types.js';

/** Where a player's PCM goes. */
export type OutputTarget =
  | { kind: 'sab'; sab: SharedArrayBuffer; epochBase: number }
  | { kind: 'port'; port: MessagePort; channels: number; capacityFrames: number; batchFrames: number; epochBase: number };

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
export interface EngineApi {
  /** Opens a session. `onEvent` is a comlink proxy. */
  open(id: number, request: OpenRequest, onEvent: (event: EngineEvent) => void): Promise<OpenResult>;
  /** Seeks; resolves with the new epoch once the engine has repositioned. */
  seek(id: number, seconds: number): Promise<number>;
  /** Resource sessions: up to `maxFrames` interleaved frames, or null at the end. */
  read(id: number, maxFrames: number): Promise<ReadResult | null>;
  /** Closes a session and frees everything it holds. */
  close(id: number): Promise<void>;
  /** Engine-wide version check. */
  version(): string;
}
