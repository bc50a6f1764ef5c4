/** Every default of the public API, in one place. Each is documented on its option's type. */
import type { NetOptions, PlayerOptions } from './types.js';

/** Defaults of {@link PlayerOptions}. */
export const PLAYER_DEFAULTS = {
  decoder: 'auto',
  /** Cache backend: OPFS, else IndexedDB, else memory. */
  cache: 'auto',
  /** Byte limit of the persistent cache (LRU eviction): 512 MiB. */
  cacheMaxBytes: 512 * 1024 * 1024,
  /** Store AES-128 HLS segments encrypted, decrypt on read; keys are never stored. */
  cacheDecrypted: false,
  resamplerQuality: 'high',
  bufferAheadSec: 0.5,
  volume: 1,
  muted: false,
  autoplay: false,
  loop: false,
  /** Resource output rate. */
  resourceSampleRate: 48000,
  /** How often `timeupdate` fires while playing, in ms (HTMLMediaElement fires every 15–250 ms). */
  timeupdateIntervalMs: 250,
} as const;

/** Checks a numeric option, with the house wording. */
export function checkNumber(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`options.${name}, when provided, must be a number from ${min} to ${max}.`);
  }
}

/** Checks a choice option, with the house wording. */
export function checkChoice(name: string, value: unknown, choices: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !choices.includes(value)) {
    throw new TypeError(`options.${name}, when provided, must be one of ${choices.map((c) => `'${c}'`).join(', ')}.`);
  }
}

/** Checks `options.net` on the main thread, so a mistake throws at construction. */
export function checkNetOptions(net: NetOptions | undefined): void {
  if (net === undefined) return;
  if (typeof net !== 'object' || net === null) throw new TypeError('options.net, when provided, must be an object.');
  checkNumber('net.connectTimeoutMs', net.connectTimeoutMs, 1, 3_600_000);
  checkNumber('net.inactivityTimeoutMs', net.inactivityTimeoutMs, 1, 3_600_000);
  checkChoice('net.credentials', net.credentials, ['omit', 'same-origin', 'include']);
  if (net.headers !== undefined && (typeof net.headers !== 'object' || net.headers === null || Object.values(net.headers).some((v) => typeof v !== 'string'))) {
    throw new TypeError('options.net.headers, when provided, must be an object of strings.');
  }
  if (net.retry !== undefined) {
    checkNumber('net.retry.maxRetries', net.retry.maxRetries, 0, 100);
    checkNumber('net.retry.baseDelayMs', net.retry.baseDelayMs, 0, 600_000);
    checkNumber('net.retry.maxDelayMs', net.retry.maxDelayMs, 0, 600_000);
  }
}
