/** The net layer: fetch-based requests, timeouts, retries and typed errors. */
export type { Net, NetHeadResponse, NetRange, NetRequestOptions, NetResponse, NetResponseInfo } from './net.js';
export { readAll } from './net.js';
export { FetchNet, type FetchNetOptions } from './fetch-net.js';
export { TimeoutNet, type TimeoutPolicy } from './timeout-net.js';
export { RetryNet, backoffDelay, type RetryDeps, type RetryPolicy } from './retry-net.js';
export { NET_DEFAULTS, createNet, resolveRetryPolicy, type NetDeps, type NetOptions } from './net-options.js';
export { httpError, isRetryable, retryAfterOf, toNetError } from './net-errors.js';
export { parseContentLength, parseContentRange, parseRetryAfter, rangeHeader, type ContentRange } from './http-headers.js';
