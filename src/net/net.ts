/**
 * The narrow network interface (the reference's `Net` trait). Everything above this layer
 * fetches through a {@link Net}, so decorators (timeouts, retries) and test doubles compose.
 */
import { KitharaError } from '../platform/errors.js';
import { raceAbort } from '../platform/abort.js';

/** A byte range to request. `end` is exclusive; omit it for "to the end of the resource". */
export interface NetRange {
  start: number;
  end?: number;
}

/** Per-request options. */
export interface NetRequestOptions {
  /** Sends `Range: bytes=start-(end-1)` (or `bytes=start-`). */
  range?: NetRange;
  /** Extra request headers, added to the net-wide ones. */
  headers?: Record<string, string>;
  /** Cancels the request and its body. */
  signal?: AbortSignal;
  /** Overrides the net-wide `credentials` mode. */
  credentials?: RequestCredentials;
}

/** Response metadata common to GET and HEAD. */
export interface NetResponseInfo {
  /** HTTP status (2xx: every other status is thrown as an `http` KitharaError). */
  status: number;
  headers: Headers;
  /** The final URL, after redirects. */
  url: string;
  /**
   * Size of the whole resource when the response reveals it: the total of `Content-Range`, or
   * `Content-Length` of a 200 answer (or of a 206 answer starting at 0 when `Content-Range` is not
   * readable, e.g. not exposed by CORS). `undefined` when unknown or when a content encoding hides it.
   */
  totalLength: number | undefined;
}

/** A streaming GET response. The caller must read `body` to the end or cancel it. */
export interface NetResponse extends NetResponseInfo {
  /**
   * Offset of the first body byte in the resource. 0 when the server ignored `Range` and answered
   * 200 with the whole body: the caller must then skip or reuse the bytes before its start.
   */
  rangeStart: number;
  /** Number of body bytes promised by the headers, when known. */
  bodyLength: number | undefined;
  /**
   * The body. Errors are `KitharaError`s: `network` (connection lost), `timeout`, `aborted`.
   * Pulled on demand: not reading it stops the download (TCP backpressure).
   */
  body: ReadableStream<Uint8Array>;
}

/** A HEAD response. */
export interface NetHeadResponse extends NetResponseInfo {
  /** `true` when the server advertises `Accept-Ranges: bytes`. */
  acceptsRanges: boolean;
}

/**
 * Fetch-based networking. Every method rejects with a `KitharaError`: `http` (with `status` and
 * `url`) for non-2xx answers, `network` for failed connections, `timeout`, or `aborted`.
 */
export interface Net {
  /** Starts a GET and resolves once the headers are in. */
  get(url: string, options?: NetRequestOptions): Promise<NetResponse>;
  /** A HEAD request, for size discovery. */
  head(url: string, options?: NetRequestOptions): Promise<NetHeadResponse>;
  /** GETs a small resource (playlist, key) whole. */
  getBytes(url: string, options?: NetRequestOptions): Promise<Uint8Array>;
}

/**
 * Reads a body to the end into one array. Rejects like the body does, or when `signal` aborts.
 * With `expected` (the body length the headers promised), resolves as soon as exactly that many
 * bytes are in: the end of the stream, one more hop from the network stack, is read in the
 * background. A body that passes `expected` (a content encoding the headers did not show, e.g. not
 * exposed by CORS, so the length counted encoded bytes) is read to its end as usual.
 */
export async function readAll(body: ReadableStream<Uint8Array>, signal?: AbortSignal, expected?: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total !== expected) {
      const { done, value } = await raceAbort(reader.read(), signal);
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch (err) {
    reader.cancel(err).catch(() => undefined);
    throw KitharaError.from(err, 'network');
  }
  if (total === expected) drainInBackground(reader);
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads what is left of a body whose bytes are all in (its end, or nothing) without anyone
 * waiting, so the request finishes normally (its connection stays reusable, timers are cleared).
 */
export function drainInBackground(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const next = (): void => {
    reader.read().then(({ done }) => (done ? undefined : next()), () => undefined);
  };
  next();
}
