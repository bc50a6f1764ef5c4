/**
 * `cache.prefetch(url)`: downloads a URL into the engine's cache without decoding it, so it
 * later plays offline. A progressive file is downloaded whole (only its missing ranges). An HLS
 * VOD stores everything playback reads: the playlist(s), the init segments and every segment of
 * one variant (the one playback with the request's `abr` options starts with, unless `variant`
 * says otherwise), under the same keys playback uses. Loaded lazily (it pulls in the HLS code).
 */
import { KitharaError } from '../platform/errors.js';
import { realClock } from '../platform/clock.js';
import { throwIfAborted } from '../platform/abort.js';
import { createNet, resolveRetryPolicy } from '../net/net-options.js';
import type { Net } from '../net/net.js';
import type { AssetStore } from '../assets/asset-store.js';
import { KeyManager } from '../drm/key-manager.js';
import { AbrController } from '../abr/abr-controller.js';
import { ProgressiveSource } from '../file/progressive-source.js';
import { audioLadder, parseMediaPlaylist, parsePlaylist } from '../hls/playlist/index.js';
import type { HlsSegment, InitSegment, MediaPlaylist } from '../hls/playlist/types.js';
import { SegmentLoader, type HlsCache } from '../hls/segment-loader.js';
import type { PrefetchProgress } from '../player/types.js';
import type { PrefetchRequest } from './protocol.js';
import { resolveUrl } from './sources.js';

/** Segments stored in parallel. */
const PREFETCH_PARALLEL = 3;

/** Downloads `request.url` (and for HLS every part it needs) into `store`. */
export async function prefetchToCache(
  store: AssetStore,
  hlsCache: HlsCache,
  request: PrefetchRequest,
  signal: AbortSignal,
  onProgress: (p: PrefetchProgress) => void,
): Promise<PrefetchProgress> {
  const url = resolveUrl(request.url, request.baseUrl);
  const net = createNet({
    headers: request.net.headers,
    credentials: request.net.credentials,
    connectTimeoutMs: request.net.connectTimeoutMs,
    inactivityTimeoutMs: request.net.inactivityTimeoutMs,
    retry: request.net.retry,
  });
  const handle = await store.open(url);
  let head: Uint8Array;
  let total: number;
  try {
    const source = new ProgressiveSource(url, {
      net,
      resource: handle.resource,
      retry: request.net.retry,
      signal,
      // No reader paces a prefetch: download straight to the end.
      lookAheadBytes: Number.MAX_SAFE_INTEGER,
      onProgress: (p) => onProgress({ loaded: p.loaded, total: p.total ?? NaN, parts: 0, totalParts: 1 }),
    });
    await source.ready;
    await source.finished;
    throwIfAborted(signal);
    if (source.status !== 'committed') throw handle.resource.error ?? new KitharaError('network', `Prefetch of ${url} did not complete.`, { url });
    total = source.length ?? 0;
    head = await source.read(0, Math.min(total, 4 * 1024 * 1024));
  } finally {
    await handle.release();
  }
  const text = new TextDecoder().decode(head.subarray(0, 16)).replace(/^\uFEFF/, '');
  if (!text.startsWith('#EXTM3U')) {
    const done = { loaded: total, total, parts: 1, totalParts: 1 };
    onProgress(done);
    return done;
  }
  return prefetchHls(url, new TextDecoder().decode(head), net, hlsCache, request, signal, onProgress, total);
}

async function prefetchHls(
  url: string,
  text: string,
  net: Net,
  cache: HlsCache,
  request: PrefetchRequest,
  signal: AbortSignal,
  onProgress: (p: PrefetchProgress) => void,
  playlistBytes: number,
): Promise<PrefetchProgress> {
  const retry = resolveRetryPolicy(request.net.retry);
  const keys = new KeyManager({ fetchKey: (uri, s) => net.getBytes(uri, { signal: s }) });
  const loader = new SegmentLoader({ net, keys, retry, cache });
  try {
    const parsed = parsePlaylist(text, url);
    let media: MediaPlaylist;
    if (parsed.kind === 'master') {
      const ladder = audioLadder(parsed);
      if (ladder.length === 0) throw new KitharaError('parse', 'The master playlist lists no playable stream.', { url });
      let index = request.variant;
      if (index === undefined) {
        // The variant playback with these ABR options starts with (as HlsDemuxer.open decides;
        // no estimate is carried over between sessions).
        const abr = new AbrController(ladder.map((v) => ({ index: v.index, bandwidth: v.averageBandwidth ?? v.bandwidth })), request.abr ?? {}, { clock: realClock });
        index = abr.decide(0).target;
      }
      const entry = ladder[index];
      if (entry === undefined) throw new TypeError(`options.variant, when provided, must be a variant index from 0 to ${ladder.length - 1}.`);
      media = await loader.playlist(entry.uri, (t) => parseMediaPlaylist(t, entry.uri), (pl) => pl.endList, signal);
    } else {
      media = parsed;
    }
    if (!media.endList) throw new KitharaError('unsupported', 'Only VOD playlists (with EXT-X-ENDLIST) can be prefetched.', { url: media.url });
    const parts: { item: HlsSegment | InitSegment; sequence: number }[] = [];
    const maps = new Set<string>();
    for (const seg of media.segments) {
      if (seg.map !== undefined) {
        const id = `${seg.map.uri}#${seg.map.byteRange?.offset ?? ''}-${seg.map.byteRange?.length ?? ''}`;
        if (!maps.has(id)) {
          maps.add(id);
          parts.push({ item: seg.map, sequence: seg.sequence });
        }
      }
      parts.push({ item: seg, sequence: seg.sequence });
    }
    const totalParts = parts.length + 1;
    const progress: PrefetchProgress = { loaded: playlistBytes, total: NaN, parts: 1, totalParts };
    onProgress({ ...progress });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parts.length) {
        throwIfAborted(signal);
        const part = parts[next++]!;
        const stats = await loader.store(part.item, part.sequence, signal);
        progress.loaded += stats.bytes;
        progress.parts += 1;
        if (progress.parts === totalParts) progress.total = progress.loaded;
        onProgress({ ...progress });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PREFETCH_PARALLEL, parts.length) }, worker));
    throwIfAborted(signal);
    return { ...progress, total: progress.loaded };
  } finally {
    keys.close();
  }
}
