/**
 * Turns an OpenRequest's `src` into a ByteSource: a progressive download for URLs, a
 * BlobSource for Blobs and Files. A URL goes through the engine's persistent cache (unless the
 * request's `cache` is `'memory'` or `'none'`): the download starts from what the asset holds,
 * fetching only the missing ranges, and nothing at all when it is complete. A playlist URL is
 * opened the same way (so a master or media playlist opened directly is cached as it is); the
 * session then hands `hlsCache` to the HLS demuxer for media playlists and segments.
 */
import { KitharaError } from '../platform/errors.js';
import { createNet } from '../net/net-options.js';
import type { Net } from '../net/net.js';
import type { ByteSource } from '../stream/source.js';
import { ProgressiveSource } from '../file/progressive-source.js';
import { BlobSource } from '../file/blob-source.js';
import type { ProbeHints } from '../demux/types.js';
import type { HlsCache } from '../hls/segment-loader.js';
import type { OpenRequest } from './protocol.js';
import { engineCache } from './cache.js';
import type { AssetStore } from '../assets/asset-store.js';
import type { StorageResource } from '../storage/resource.js';
import { mark } from '../platform/trace.js';

/** A source ready for the demuxer. */
export interface OpenedSource {
  byteSource: ByteSource;
  hints: ProbeHints;
  /** The network stack that fetched it (URL sources), reused for HLS segments. */
  net?: Net;
  /** The resolved URL (URL sources). */
  url?: string;
  /** The persistent cache for HLS playlists and segments, when the session uses it. */
  hlsCache?: HlsCache;
  /** Stops the download and releases the cached asset. */
  close(): void;
}

/** Progress callback: loaded bytes, total (NaN unknown), held ranges, final flag. */
export type ProgressFn = (loaded: number, total: number, ranges: [number, number][], final: boolean) => void;

/** Resolves `src` against the page URL, with a clear error for nonsense. */
export function resolveUrl(src: string, baseUrl: string): string {
  try {
    return new URL(src, baseUrl || undefined).href;
  } catch {
    throw new KitharaError('parse', `The source URL is not valid: ${JSON.stringify(src)}.`, { url: src });
  }
}

/** `true` for a source URL named like an HLS playlist (`.m3u8` / `.m3u`, before any query). */
export function namesPlaylist(src: unknown): boolean {
  return typeof src === 'string' && /\.m3u8?(?:[?#]|$)/i.test(src);
}

/** Delay before a playlist fetched into memory is stored (out of the start-up path). */
const STORE_LATER_MS = 100;

/** Stores `resource` under `url` once it is complete; failures only mean it is not cached. */
function storeLater(store: AssetStore, url: string, resource: StorageResource): void {
  resource
    .waitRange(0, Number.MAX_SAFE_INTEGER)
    .then(() => new Promise((resolve) => setTimeout(resolve, STORE_LATER_MS)))
    .then(async () => {
      const length = resource.length;
      if (resource.status !== 'committed' || length === undefined) return;
      const bytes = await resource.read(0, length);
      const h = await store.open(url, { length });
      try {
        engineCache.remember(h.key, url);
        if (h.resource.status === 'active') {
          await h.resource.writeAt(0, bytes);
          h.resource.commit(length);
        }
      } finally {
        await h.release();
      }
    })
    .catch(() => undefined);
}

/** Opens the request's source. Rejects with `http`/`network` errors when the first answer fails. */
export async function openSource(request: OpenRequest, onProgress: ProgressFn, onError: (err: KitharaError) => void): Promise<OpenedSource> {
  const src = request.src;
  if (typeof src !== 'string') {
    const blob = new BlobSource(src);
    const size = src.size;
    onProgress(size, size, [[0, size]], true);
    const name = typeof File !== 'undefined' && src instanceof File ? src.name : undefined;
    return { byteSource: blob, hints: { url: name, mimeType: src.type || undefined }, close: () => undefined };
  }
  const url = resolveUrl(src, request.baseUrl);
  const net = createNet({
    headers: request.net.headers,
    credentials: request.net.credentials,
    connectTimeoutMs: request.net.connectTimeoutMs,
    inactivityTimeoutMs: request.net.inactivityTimeoutMs,
    retry: request.net.retry,
  });
  const store = await engineCache.forSession(request.cache, request.cacheMaxBytes);
  mark('source:store-ready');
  // A playlist the cache does not hold whole is fetched into memory and stored afterwards, off
  // the start path (as the HLS segment loader does for media playlists): its synchronous storage
  // writes and commit would otherwise sit between its arrival and the first segment request.
  const playlistMiss = store !== undefined && namesPlaylist(url) && !(await store.holdsComplete(url));
  const handle = store === undefined || playlistMiss ? undefined : await store.open(url).catch(() => undefined);
  mark('source:asset-open');
  if (handle !== undefined) engineCache.remember(handle.key, url);
  const release = (): void => void handle?.release();
  const source = new ProgressiveSource(url, {
    net,
    ...(handle !== undefined && { resource: handle.resource }),
    retry: request.net.retry,
    onProgress: (p) => {
      const total = p.total ?? NaN;
      onProgress(p.loaded, total, p.ranges.map((r) => [r.start, r.end]), p.total !== undefined && p.loaded >= p.total);
    },
    onError,
  });
  try {
    await source.ready;
  } catch (e) {
    source.abort();
    release();
    throw KitharaError.from(e, 'network');
  }
  if (playlistMiss && store !== undefined) storeLater(store, url, source.resource);
  if (source.status === 'committed') {
    const total = source.length ?? 0;
    onProgress(total, total, [[0, total]], true);
  }
  return {
    byteSource: source,
    hints: { url },
    net,
    url,
    ...(store !== undefined && { hlsCache: engineCache.hls(store) }),
    close: () => {
      source.abort();
      release();
    },
  };
}
