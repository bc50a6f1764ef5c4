/**
 * How network failures become `KitharaError`s, and which of them are worth retrying.
 */
import { KitharaError, isAbortError } from '../platform/errors.js';

/** `Retry-After` header values of `http` errors, kept beside the error (never in its message). */
const retryAfterHeaders = new WeakMap<KitharaError, string>();

/** An `http` error for a non-2xx answer, remembering its `Retry-After` header if any. */
export function httpError(status: number, url: string, retryAfter?: string | null): KitharaError {
  const err = new KitharaError('http', `HTTP ${status} for ${url}`, { status, url });
  if (retryAfter !== null && retryAfter !== undefined) retryAfterHeaders.set(err, retryAfter);
  return err;
}

/** The `Retry-After` header that came with an `http` error, if any. */
export function retryAfterOf(err: KitharaError): string | undefined {
  return retryAfterHeaders.get(err);
}

/** The error a signal carries when it aborted, as a `KitharaError` (`timeout` or `aborted`). */
export function abortReasonOf(signal: AbortSignal): KitharaError {
  const reason: unknown = signal.reason;
  if (reason instanceof KitharaError) return reason;
  return new KitharaError('aborted', 'The request was aborted.', { cause: reason });
}

/**
 * Maps anything fetch or a body read threw: the abort reason when `signal` fired (so a timeout
 * stays a `timeout`), `aborted` for abort errors, a `KitharaError` unchanged, otherwise `network`.
 */
export function toNetError(err: unknown, url: string, signal?: AbortSignal): KitharaError {
  if (signal?.aborted) return abortReasonOf(signal);
  if (err instanceof KitharaError) return err;
  if (isAbortError(err)) return new KitharaError('aborted', 'The request was aborted.', { url, cause: err });
  const detail = err instanceof Error ? err.message : String(err);
  return new KitharaError('network', `Network error for ${url}: ${detail}`, { url, cause: err });
}

/**
 * `true` for failures a retry may cure: `network`, `timeout`, and `http` 408, 429 and 5xx.
 * Never `aborted` and never other 4xx.
 */
export function isRetryable(err: KitharaError): boolean {
  switch (err.code) {
    case 'network':
    case 'timeout':
      return true;
    case 'http': {
      const s = err.status ?? 0;
      return s === 408 || s === 429 || s >= 500;
    }
    default:
      return false;
  }
}
