/**
 * Retry decorator: exponential backoff with full jitter, on the injected {@link Clock}.
 * Retries what {@link isRetryable} accepts (network errors, timeouts, 408, 429, 5xx), honours
 * `Retry-After`, and never retries an abort or another 4xx. Only the request phase is retried:
 * resuming a body that broke mid-stream is the caller's job (a Range request from the first
 * missing byte), see the file layer.
 */
import type { Clock } from '../platform/clock.js';
import { KitharaError } from '../platform/errors.js';
import { parseRetryAfter } from './http-headers.js';
import type { Net, NetHeadResponse, NetRequestOptions, NetResponse } from './net.js';
import { abortReasonOf, isRetryable, retryAfterOf, toNetError } from './net-errors.js';

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Retries after the first attempt (so `maxRetries + 1` attempts in all). */
  maxRetries: number;
  /** Backoff ceiling of the first retry; doubles with each retry. */
  baseDelayMs: number;
  /** Cap of the exponential backoff ceiling. */
  maxDelayMs: number;
  /** Cap of a server's `Retry-After`. */
  maxRetryAfterMs: number;
}

/**
 * The delay before retry number `attempt` (0-based) under full jitter:
 * uniform in `[0, min(maxDelayMs, baseDelayMs * 2^attempt))`. `random` returns values in [0, 1).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Injected sources of time and randomness for {@link RetryNet}. */
export interface RetryDeps {
  /** Timers for the backoff sleeps. */
  clock: Clock;
  /** Jitter source in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
  /** Wall-clock epoch ms, to read `Retry-After` dates. Defaults to `Date.now`. */
  wallNow?: () => number;
  /** Called before each backoff sleep, e.g. for logging or events. Defaults to none. */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; error: KitharaError }) => void;
}

/** Retries another {@link Net}'s requests under a {@link RetryPolicy}. */
export class RetryNet implements Net {
  private readonly random: () => number;
  private readonly wallNow: () => number;

  constructor(
    private readonly inner: Net,
    private readonly policy: RetryPolicy,
    private readonly deps: RetryDeps,
  ) {
    this.random = deps.random ?? Math.random;
    this.wallNow = deps.wallNow ?? Date.now;
  }

  get(url: string, options: NetRequestOptions = {}): Promise<NetResponse> {
    return this.run(url, options.signal, () => this.inner.get(url, options));
  }

  head(url: string, options: NetRequestOptions = {}): Promise<NetHeadResponse> {
    return this.run(url, options.signal, () => this.inner.head(url, options));
  }

  /** Retries the whole transfer: a small body that breaks is fetched again. */
  getBytes(url: string, options: NetRequestOptions = {}): Promise<Uint8Array> {
    return this.run(url, options.signal, () => this.inner.getBytes(url, options));
  }

  /** The delay before retry `attempt` after `error`: `Retry-After` if sent (capped), else backoff. */
  delayFor(error: KitharaError, attempt: number): number {
    const header = retryAfterOf(error);
    const retryAfter = parseRetryAfter(header, this.wallNow());
    if (retryAfter !== undefined) return Math.min(retryAfter, this.policy.maxRetryAfterMs);
    return backoffDelay(this.policy, attempt, this.random);
  }

  private async run<T>(url: string, signal: AbortSignal | undefined, op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        const error = toNetError(err, url, signal);
        if (signal?.aborted) throw abortReasonOf(signal);
        if (!isRetryable(error)) throw error;
        if (attempt >= this.policy.maxRetries) {
          if (this.policy.maxRetries === 0) throw error;
          throw new KitharaError(error.code, `${error.message} (gave up after ${attempt + 1} attempts)`, {
            status: error.status,
            url: error.url ?? url,
            cause: error,
          });
        }
        const delayMs = this.delayFor(error, attempt);
        try {
          this.deps.onRetry?.({ url, attempt: attempt + 1, delayMs, error });
        } catch {
          // A listener that throws never breaks the request.
        }
        await this.deps.clock.sleep(delayMs, signal);
      }
    }
  }
}
