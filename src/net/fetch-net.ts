/**
 * {@link Net} over the global `fetch`. It maps every failure to a `KitharaError`, reads the size
 * from `Content-Range` / `Content-Length`, and hands out a pull-based body so that a caller that
 * stops reading stops the download.
 */
import { parseContentLength, parseContentRange, rangeHeader } from './http-headers.js';
import { readAll, type Net, type NetHeadResponse, type NetRequestOptions, type NetResponse } from './net.js';
import { httpError, toNetError } from './net-errors.js';

/** Options of {@link FetchNet}. */
export interface FetchNetOptions {
  /** Headers sent with every request. Defaults to none. */
  headers?: Record<string, string>;
  /** Credentials mode of every request. Defaults to `'same-origin'` (fetch's own default). */
  credentials?: RequestCredentials;
  /** The fetch implementation. Defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** The base {@link Net}: one fetch per call, no timeouts, no retries. */
export class FetchNet implements Net {
  private readonly headers: Record<string, string>;
  private readonly credentials: RequestCredentials;
  private readonly fetchFn: typeof fetch;

  constructor(options: FetchNetOptions = {}) {
    this.headers = { ...options.headers };
    this.credentials = options.credentials ?? 'same-origin';
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  private async send(method: 'GET' | 'HEAD', url: string, options: NetRequestOptions): Promise<Response> {
    const headers = new Headers(this.headers);
    for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
    if (options.range !== undefined) headers.set('Range', rangeHeader(options.range));
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        credentials: options.credentials ?? this.credentials,
        signal: options.signal ?? null,
      });
    } catch (err) {
      throw toNetError(err, url, options.signal);
    }
    if (!res.ok) {
      res.body?.cancel().catch(() => undefined);
      throw httpError(res.status, res.url || url, res.headers.get('Retry-After'));
    }
    return res;
  }

  async get(url: string, options: NetRequestOptions = {}): Promise<NetResponse> {
    const res = await this.send('GET', url, options);
    const finalUrl = res.url || url;
    const encoding = res.headers.get('Content-Encoding');
    // A content encoding makes Content-Length count encoded bytes: useless for offsets.
    const contentLength = encoding !== null && encoding.toLowerCase() !== 'identity' ? undefined : parseContentLength(res.headers.get('Content-Length'));
    let rangeStart = 0;
    let totalLength = contentLength;
    let bodyLength = contentLength;
    if (res.status === 206) {
      const cr = parseContentRange(res.headers.get('Content-Range'));
      if (cr !== null) {
        rangeStart = cr.start;
        totalLength = cr.total;
        bodyLength = cr.end - cr.start;
      } else {
        // Content-Range unreadable (not exposed by CORS): trust that the requested start was served.
        rangeStart = options.range?.start ?? 0;
        totalLength = rangeStart === 0 && options.range?.end === undefined ? contentLength : undefined;
      }
    }
    const body = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    return {
      status: res.status,
      headers: res.headers,
      url: finalUrl,
      totalLength,
      rangeStart,
      bodyLength,
      body: guardBody(body, finalUrl, options.signal),
    };
  }

  async head(url: string, options: NetRequestOptions = {}): Promise<NetHeadResponse> {
    const res = await this.send('HEAD', url, options);
    return {
      status: res.status,
      headers: res.headers,
      url: res.url || url,
      totalLength: parseContentLength(res.headers.get('Content-Length')),
      acceptsRanges: (res.headers.get('Accept-Ranges') ?? '').toLowerCase().includes('bytes'),
    };
  }

  async getBytes(url: string, options: NetRequestOptions = {}): Promise<Uint8Array> {
    const res = await this.get(url, options);
    return readAll(res.body, options.signal, res.bodyLength);
  }
}

/** Re-wraps a fetch body: pulled only on demand, with every error mapped to a `KitharaError`. */
function guardBody(src: ReadableStream<Uint8Array>, url: string, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (err) {
          controller.error(toNetError(err, url, signal));
        }
      },
      cancel(reason) {
        return reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
