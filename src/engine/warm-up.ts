/**
 * The engine's start-up warm-up: when a player is made, the worker plays a few milliseconds of
 * built-in silence (warm-up-media.ts) through the same code a real start runs, while the page is
 * idle, so that the first `play()` does not pay for first use.
 *
 * Why: in a fresh worker every function runs for the first time (compiled on first call, its
 * inline caches empty) and the first Web Lock, OPFS file handle and access handle, SHA-256 and
 * WebCodecs decoder each set up their connection to the browser. Measured on the warm-cache start
 * timeline (`Kithara.debug`, bench/trace-warm.mjs): the first start of a cached M4A in a worker
 * took about 34 ms from `load` to the first ring write, a second start of another file in the same
 * worker about 17 ms, in every phase (locks 2.9 → 0.8 ms, opening the asset 4.7 → 2.3 ms,
 * probing 4.9 → 2.4 ms, and so on).
 *
 * What runs, one step per task, each step only while no session is opening or open (a page that
 * plays at once is never slowed by its own warm-up; it just warms less):
 * 1. M4A through the persistent cache when the player's cache persists: a scratch asset written,
 *    committed and read back through locks, backend, coverage record and a ProgressiveSource
 *    (`AssetStore.withScratch`; never indexed, removed afterwards), then a session on it with an
 *    output ring: probe, demuxer, WebCodecs decoder, resampler, ring writes. From memory when
 *    the cache does not persist.
 * 2. The same session from memory for MP3, FLAC, ADTS, Ogg Opus and WAV.
 * Loaded lazily (its own chunk, with the media), once per worker. Failures are ignored: it is
 * an optimization only.
 */
import { MemorySource } from '../stream/source.js';
import { ProgressiveSource } from '../file/progressive-source.js';
import { createNet } from '../net/net-options.js';
import { KitharaError } from '../platform/errors.js';
import { createRing } from '../ring/spsc-ring.js';
import type { StorageResource } from '../storage/resource.js';
import type { CacheChoice, DecoderChoice, ResamplerQuality } from '../player/types.js';
import type { AssetStore } from '../assets/asset-store.js';
import type { EngineEvent, OpenRequest } from './protocol.js';
import type { OpenedSource } from './sources.js';
import { Session } from './session.js';
import { WARM_UP_MEDIA } from './warm-up-media.js';
import { mark } from '../platform/trace.js';
import { fromBase64 } from '../platform/bytes.js';
import { nextTask } from '../platform/tasks.js';

/** What a player said about itself when it was made. */
export interface WarmUpOptions {
  readonly outRate: number;
  readonly outChannels: number;
  readonly quality: ResamplerQuality;
  readonly decoder: DecoderChoice;
  /** The store when the player's cache persists (`undefined` warms from memory). */
  readonly store: Promise<AssetStore | undefined>;
  /** `false` while a real session is opening or open: the warm-up stops before its next step. */
  idle(): boolean;
}

/** Defaults of the warm-up. */
export const WARM_UP_DEFAULTS = {
  /** A warm-up session that has not ended by then is closed. Defaults to 1000 ms. */
  sessionTimeoutMs: 1000,
  /** Frames of the scratch output ring (or of each read without one). Defaults to 8192 (more than any warm-up file holds). */
  ringFrames: 8192,
} as const;

/** Formats warmed from memory after the first, in order. */
const MEMORY_FORMATS = ['mp3', 'flac', 'aac', 'opus', 'wav'] as const;

/** A name for the warm-up's sources (nothing is ever fetched from it). */
const WARM_URL = 'https://warm-up.invalid/kithara';

function media(ext: string): Uint8Array {
  return fromBase64(WARM_UP_MEDIA[ext] ?? '');
}

/** A net that never touches the network: the warm-up's sources are complete before they are read. */
function offlineNet(): ReturnType<typeof createNet> {
  return createNet({ retry: { maxRetries: 0 } }, { fetch: () => Promise.reject(new KitharaError('network', 'The warm-up never fetches.')) });
}

/**
 * Plays `source` to its end into a scratch ring, then closes it. Without SharedArrayBuffer (a
 * page that is not cross-origin isolated) the session is read like a Resource's instead, with
 * the platform decoder (a Resource session would start some codecs on the WASM decoders).
 */
async function playThrough(source: OpenedSource, ext: string, o: WarmUpOptions): Promise<void> {
  const ring = typeof SharedArrayBuffer === 'function';
  const request: OpenRequest = {
    src: `${WARM_URL}.${ext}`,
    baseUrl: '',
    outRate: o.outRate,
    outChannels: o.outChannels,
    decoder: ring || o.decoder !== 'auto' ? o.decoder : 'webcodecs',
    quality: o.quality,
    net: {},
    cache: 'none',
    cacheMaxBytes: 0,
    abr: {},
    ...(ring && { output: { kind: 'sab', sab: createRing(o.outChannels, WARM_UP_DEFAULTS.ringFrames), epochBase: 0 } }),
  };
  let ended: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const emit = (e: EngineEvent): void => {
    if (e.type === 'decodeended' || e.type === 'error') ended();
  };
  const session = await Session.openOn(source, request, emit, undefined, () => undefined);
  const timer = setTimeout(ended, WARM_UP_DEFAULTS.sessionTimeoutMs);
  try {
    if (ring) {
      await done;
    } else {
      const reading = (async () => {
        while ((await session.read(WARM_UP_DEFAULTS.ringFrames)) !== null);
      })();
      await Promise.race([reading, done]);
    }
  } finally {
    clearTimeout(timer);
    session.close();
  }
}

function memorySource(bytes: Uint8Array, ext: string): OpenedSource {
  return { byteSource: new MemorySource(bytes), hints: { url: `${WARM_URL}.${ext}` }, close: () => undefined };
}

/** A cached-file source over a committed resource, as `openSource` makes for a cache hit. */
async function resourceSource(resource: StorageResource, ext: string): Promise<OpenedSource> {
  const net = offlineNet();
  const url = `${WARM_URL}.${ext}`;
  const source = new ProgressiveSource(url, { net, resource, retry: { maxRetries: 0 }, onProgress: () => undefined, onError: () => undefined });
  await source.ready;
  return { byteSource: source, hints: { url }, net, url, close: () => source.abort() };
}

/** Runs the warm-up (see the file comment). Resolves when done or stopped; never rejects. */
export async function warmUpEngine(o: WarmUpOptions): Promise<void> {
  try {
    await nextTask();
    if (!o.idle()) return;
    const store = await o.store.catch(() => undefined);
    if (!o.idle()) return;
    const m4a = media('m4a');
    const warmM4a = async (resource: StorageResource | undefined): Promise<void> => {
      await playThrough(resource === undefined ? memorySource(m4a, 'm4a') : await resourceSource(resource, 'm4a'), 'm4a', o);
    };
    mark('warm-up:start');
    await (store === undefined ? warmM4a(undefined) : store.withScratch(m4a, warmM4a));
    mark('warm-up:m4a');
    for (const ext of MEMORY_FORMATS) {
      await nextTask();
      if (!o.idle()) return;
      await playThrough(memorySource(media(ext), ext), ext, o).catch(() => undefined);
      mark(`warm-up:${ext}`);
    }
  } catch {
    // An optimization only: the first real start does what it needs itself.
  }
}
