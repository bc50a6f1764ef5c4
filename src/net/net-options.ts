/**
 * The network options users pass (`Player` option `net`), their defaults, and the factory that
 * composes the standard stack: `RetryNet(TimeoutNet(FetchNet))`.
 */
import { realClock, type Clock } from '../platform/clock.js';
import { FetchNet } from './fetch-net.js';
import type { Net } from './net.js';
import { RetryNet, type RetryDeps, type RetryPolicy } from './retry-net.js';
import { TimeoutNet } from './timeout-net.js';

/** Network options. Every field is optional. */
export interface NetOptions {
  /** Headers sent with every request. Defaults to none. */
  headers?: Record<string, string>;
  /** Credentials mode of every request. Defaults to `'same-origin'`. */
  credentials?: RequestCredentials;
  /** Time allowed until response headers arrive, in ms. Defaults to 10000. */
  connectTimeoutMs?: number;
  /** Longest silence while a body is being read, in ms. Defaults to 15000. */
  inactivityTimeoutMs?: number;
  /** Retry policy; missing fields take the defaults of {@link NET_DEFAULTS}.retry. */
  retry?: Partial<RetryPolicy>;
}

/** Defaults of the net layer, in one place. */
export const NET_DEFAULTS = {
  /** Defaults to 10000 ms until response headers. */
  connectTimeoutMs: 10_000,
  /** Defaults to 15000 ms of silence while reading a body. */
  inactivityTimeoutMs: 15_000,
  /** Defaults to `'same-origin'`, fetch's own default. */
  credentials: 'same-origin' as RequestCredentials,
  /** The default {@link RetryPolicy}. */
  retry: {
    /** Defaults to 4 retries (5 attempts). */
    maxRetries: 4,
    /** Defaults to 200 ms for the first backoff ceiling (then 400, 800, …). */
    baseDelayMs: 200,
    /** Defaults to 5000 ms as the cap of the backoff ceiling. */
    maxDelayMs: 5_000,
    /** Defaults to 10000 ms as the cap of a server's `Retry-After`. */
    maxRetryAfterMs: 10_000,
  } satisfies RetryPolicy,
} as const;

/** Injected dependencies of {@link createNet}. */
export interface NetDeps {
  /** Defaults to the real clock. */
  clock?: Clock;
  /** Defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Jitter source. Defaults to `Math.random`. */
  random?: () => number;
  /** Retry observer. Defaults to none. */
  onRetry?: RetryDeps['onRetry'];
}

function checkMs(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`options.${name}, when provided, must be a ${allowZero ? 'non-negative' : 'positive'} finite number.`);
  }
  return value;
}

/** Merges options over {@link NET_DEFAULTS} and checks them. Throws a TypeError on bad values. */
export function resolveRetryPolicy(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  const d = NET_DEFAULTS.retry;
  const maxRetries = checkMs('net.retry.maxRetries', retry?.maxRetries, d.maxRetries, true);
  if (!Number.isInteger(maxRetries)) throw new TypeError('options.net.retry.maxRetries, when provided, must be a non-negative integer.');
  return {
    maxRetries,
    baseDelayMs: checkMs('net.retry.baseDelayMs', retry?.baseDelayMs, d.baseDelayMs, true),
    maxDelayMs: checkMs('net.retry.maxDelayMs', retry?.maxDelayMs, d.maxDelayMs, true),
    maxRetryAfterMs: checkMs('net.retry.maxRetryAfterMs', retry?.maxRetryAfterMs, d.maxRetryAfterMs, true),
  };
}

/** Builds the standard stack `RetryNet(TimeoutNet(FetchNet))` from user options. */
export function createNet(options: NetOptions = {}, deps: NetDeps = {}): Net {
  const clock = deps.clock ?? realClock;
  const credentials = options.credentials ?? NET_DEFAULTS.credentials;
  if (!['omit', 'same-origin', 'include'].includes(credentials)) {
    throw new TypeError("options.net.credentials, when provided, must be 'omit', 'same-origin' or 'include'.");
  }
  const base = new FetchNet({ headers: options.headers ?? {}, credentials, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const timed = new TimeoutNet(
    base,
    {
      connectTimeoutMs: checkMs('net.connectTimeoutMs', options.connectTimeoutMs, NET_DEFAULTS.connectTimeoutMs),
      inactivityTimeoutMs: checkMs('net.inactivityTimeoutMs', options.inactivityTimeoutMs, NET_DEFAULTS.inactivityTimeoutMs),
    },
    clock,
  );
  const retryDeps: RetryDeps = { clock };
  if (deps.random) retryDeps.random = deps.random;
  if (deps.onRetry) retryDeps.onRetry = deps.onRetry;
  return new RetryNet(timed, resolveRetryPolicy(options.retry), retryDeps);
}
