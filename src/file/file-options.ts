/**
 * Options, defaults and events of the progressive file source, in one place.
 */
import type { Clock } from '../platform/clock.js';
import type { KitharaError } from '../platform/errors.js';
import type { Net } from '../net/net.js';
import type { RetryPolicy } from '../net/retry-net.js';
import type { ByteRange } from '../storage/range-set.js';
import type { StorageResource } from '../storage/resource.js';

/** Defaults of the file layer. */
export const FILE_DEFAULTS = {
  /**
   * How far the download may run ahead of the reader before it pauses. Defaults to 8 MiB
   * (about 8 minutes of 128 kbit/s MP3, 47 s of 16-bit stereo WAV): enough for smooth playback
   * of any codec, while a paused or abandoned player stops wasting bandwidth.
   */
  lookAheadBytes: 8 * 1024 * 1024,
  /**
   * A read this far (or less) ahead of a running stream waits for it; farther, or behind it, the
   * stream is restarted at the read. Defaults to 256 KiB.
   */
  demandThresholdBytes: 256 * 1024,
  /** Largest Range request when filling holes after the sequential pass. Defaults to 2 MiB. */
  gapChunkBytes: 2 * 1024 * 1024,
  /** Holes filled in parallel after the sequential pass. Defaults to 4. */
  gapBatch: 4,
  /** Least time between two `onProgress` calls (the final one is always sent). Defaults to 100 ms. */
  progressIntervalMs: 100,
} as const;

/** A download progress snapshot. */
export interface DownloadProgress {
  /** Bytes held. */
  loaded: number;
  /** Total size, once known. */
  total: number | undefined;
  /** Held byte ranges, sorted (a copy). */
  ranges: ByteRange[];
}

/** Options of {@link ProgressiveSource}. Everything but the URL is optional. */
export interface ProgressiveSourceOptions {
  /** The network stack. Defaults to `createNet()` (fetch with timeouts and retries) on `clock`. */
  net?: Net;
  /** Where the bytes go. Defaults to a new in-memory resource. */
  resource?: StorageResource;
  /** Time for backoff and progress throttling. Defaults to the real clock. */
  clock?: Clock;
  /** Aborting it aborts the source, like {@link ProgressiveSource.abort}. Defaults to none. */
  signal?: AbortSignal;
  /** Defaults to {@link FILE_DEFAULTS}.lookAheadBytes (8 MiB). */
  lookAheadBytes?: number;
  /** Defaults to {@link FILE_DEFAULTS}.demandThresholdBytes (256 KiB). */
  demandThresholdBytes?: number;
  /** Defaults to {@link FILE_DEFAULTS}.gapChunkBytes (2 MiB). */
  gapChunkBytes?: number;
  /** Defaults to {@link FILE_DEFAULTS}.gapBatch (4). */
  gapBatch?: number;
  /**
   * Policy for resuming a body that broke mid-stream (connection drop, inactivity timeout, early
   * end). Only consecutive attempts that bring no new byte count against `maxRetries`; a resume
   * after progress is immediate. Defaults to `NET_DEFAULTS.retry`.
   */
  retry?: Partial<RetryPolicy>;
  /** Defaults to {@link FILE_DEFAULTS}.progressIntervalMs (100 ms). */
  progressIntervalMs?: number;
  /** Called as bytes arrive (throttled). A listener that throws is ignored. Defaults to none. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Called once when every byte is held and the resource is committed. Defaults to none. */
  onComplete?: () => void;
  /** Called once with the fatal error that failed the download (not for aborts). Defaults to none. */
  onError?: (error: KitharaError) => void;
}

/** Checks a byte-count option. */
export function checkBytes(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`options.${name}, when provided, must be a positive integer.`);
  }
  return value;
}
