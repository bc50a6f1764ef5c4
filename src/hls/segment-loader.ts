/**
 * Fetches HLS segments, init segments and VOD media playlists: byte ranges, AES-128-CBC
 * decryption streamed as the bytes arrive, resumption after a dropped connection (a Range
 * request from the first missing byte; the CBC state carries over), and the persistent cache.
 *
 * Cache (when {@link SegmentLoaderDeps.cache} is given): every segment and init segment is an
 * asset keyed by its URI and byte range. A committed asset is served from storage with no
 * request (`LoadStats.cached`); otherwise the download is written to the asset as it arrives and
 * committed at its end. An encrypted segment is stored as its ciphertext by default and
 * decrypted on read through the store's `process` hook ({@link decryptOnRead}); with
 * `storeDecrypted` the plaintext is stored instead. Keys are never stored. A VOD media
 * playlist (one with EXT-X-ENDLIST) is stored once fully downloaded; a live one never is.
 * Storage problems never fail a load: the bytes still reach the caller.
 *
 * Ownership: the loader owns an init-segment cache in memory (by URI and range). It never demuxes.
 */
import { KitharaError } from '../platform/errors.js';
import { realClock, type Clock } from '../platform/clock.js';
import { concatBytes } from '../platform/bytes.js';
import type { Net } from '../net/net.js';
import { backoffDelay, type RetryPolicy } from '../net/retry-net.js';
import type { AssetHandle } from '../assets/handle-cache.js';
import type { AssetOpenOptions } from '../assets/asset-store.js';
import type { StorageResource } from '../storage/resource.js';
import { createCbcDecryptor, type CbcDecryptor } from '../drm/aes-cbc.js';
import type { KeyManager } from '../drm/key-manager.js';
import type { ByteRange, HlsSegment, InitSegment, SegmentKey } from './playlist/types.js';
import { segmentIv } from './playlist/media-playlist.js';
import type { SegmentCipher } from './segment-decrypt.js';

/** What one load measured, for the ABR estimator. */
export interface LoadStats {
  /** Bytes received from the network (ciphertext for encrypted segments); the bytes read when cached. */
  bytes: number;
  /** From the request to the last byte, ms. */
  durationMs: number;
  /** `true` when the bytes came from the cache, not the network (such loads never feed ABR). */
  cached: boolean;
}

/** The asset store as the loader uses it. */
export interface HlsCache {
  /** Opens the asset of a URL (and byte range); see `AssetStore.open`. */
  open(url: string, options?: AssetOpenOptions): Promise<AssetHandle>;
  /**
   * `true` stores encrypted segments decrypted (no key needed to play them offline; anyone who
   * can read the origin's storage can read the media). `false` (the default) stores the
   * ciphertext and decrypts on read: the key is fetched each session and never stored.
   */
  readonly storeDecrypted: boolean;
}

/** Dependencies of a {@link SegmentLoader}. */
export interface SegmentLoaderDeps {
  net: Net;
  keys: KeyManager;
  retry: RetryPolicy;
  /** The persistent cache. Defaults to none (every load goes to the network). */
  cache?: HlsCache;
  clock?: Clock;
  random?: () => number;
}

/** Where a download's bytes go besides the caller: the cached asset. */
interface Sink {
  readonly resource: StorageResource;
  /** `true`: write the plaintext (stored decrypted or clear); `false`: write the ciphertext. */
  readonly plain: boolean;
}

type OnBytes = ((bytes: Uint8Array) => void) | undefined;

/** Fetches (and decrypts) segment bytes. */
export class SegmentLoader {
  private readonly inits = new Map<string, Promise<Uint8Array>>();
  private readonly clock: Clock;

  constructor(private readonly deps: SegmentLoaderDeps) {
    this.clock = deps.clock ?? realClock;
  }

  /** The init segment's bytes (decrypted), fetched once per URI and range. */
  init(map: InitSegment, sequence: number, signal?: AbortSignal): Promise<Uint8Array> {
    const key = `${map.uri}#${map.byteRange?.offset ?? ''}-${map.byteRange?.length ?? ''}`;
    let p = this.inits.get(key);
    if (p === undefined) {
      const parts: Uint8Array[] = [];
      p = this.load(map.uri, map.byteRange, map.key, sequence, (b) => parts.push(b), signal).then(() => concatBytes(parts));
      p.catch(() => this.inits.delete(key));
      this.inits.set(key, p);
    }
    return p;
  }

  /**
   * Streams a media segment's plaintext to `onBytes` as it arrives (decrypted where needed).
   * Resolves with the transfer stats once the whole segment was delivered.
   */
  segment(seg: HlsSegment, onBytes: (bytes: Uint8Array) => void, signal?: AbortSignal): Promise<LoadStats> {
    return this.load(seg.uri, seg.byteRange, seg.key, seg.sequence, onBytes, signal);
  }

  /**
   * Makes sure a segment (or init segment) is in the cache, without delivering it (prefetch).
   * Resolves at once when it is already held. Without a cache it downloads and drops the bytes.
   */
  store(seg: { uri: string; byteRange?: ByteRange; key?: SegmentKey }, sequence: number, signal?: AbortSignal): Promise<LoadStats> {
    return this.load(seg.uri, seg.byteRange, seg.key, sequence, undefined, signal);
  }

  /**
   * A media playlist, parsed: from the cache when stored, else from the network, stored when
   * `keep(parsed)` (a VOD playlist) says it will not change.
   */
  async playlist<T>(uri: string, parse: (text: string) => T, keep: (parsed: T) => boolean, signal?: AbortSignal): Promise<T> {
    const cache = this.deps.cache;
    const handle = cache === undefined ? undefined : await cache.open(uri).catch(() => undefined);
    try {
      const res = handle?.resource;
      if (res !== undefined && res.status === 'committed') {
        return parse(new TextDecoder().decode(await res.read(0, res.length ?? 0)));
      }
      const bytes = await this.deps.net.getBytes(uri, { signal });
      const parsed = parse(new TextDecoder().decode(bytes));
      if (res !== undefined && keep(parsed)) await storeWhole(res, bytes);
      return parsed;
    } finally {
      await handle?.release();
    }
  }

  private async cipherOf(uri: string, key: SegmentKey, sequence: number, signal: AbortSignal | undefined): Promise<SegmentCipher> {
    if (key.method !== 'AES-128' || key.uri === undefined) {
      throw new KitharaError('unsupported', `Encryption method ${key.method} is not supported (only AES-128).`, { url: uri });
    }
    return { key: await this.deps.keys.getKey(key.uri, signal), iv: segmentIv(key, sequence) };
  }

  private async load(
    uri: string,
    range: ByteRange | undefined,
    key: SegmentKey | undefined,
    sequence: number,
    onBytes: OnBytes,
    signal: AbortSignal | undefined,
  ): Promise<LoadStats> {
    const cache = this.deps.cache;
    if (cache === undefined) {
      const cipher = key === undefined ? undefined : await this.cipherOf(uri, key, sequence, signal);
      return this.fetch(uri, range, cipher, onBytes, undefined, signal);
    }
    const decryptOnRead = key !== undefined && !cache.storeDecrypted;
    // Stored decrypted or clear: a held segment needs no key. Stored encrypted: reads need it.
    let cipher = decryptOnRead ? await this.cipherOf(uri, key, sequence, signal) : undefined;
    const opts: AssetOpenOptions = {
      ...(range !== undefined && { range, length: range.length }),
      ...(cipher !== undefined && { ctx: cipher }),
    };
    const handle = await cache.open(uri, opts).catch(() => undefined);
    try {
      const res = handle?.resource;
      if (res !== undefined && res.status === 'committed') {
        const t0 = this.clock.now();
        if (onBytes === undefined) return { bytes: res.length ?? 0, durationMs: 0, cached: true };
        const bytes = await res.read(0, res.length ?? 0);
        onBytes(bytes);
        return { bytes: bytes.byteLength, durationMs: Math.max(0, this.clock.now() - t0), cached: true };
      }
      if (res !== undefined && res.status === 'failed') res.reactivate();
      if (key !== undefined && cipher === undefined) cipher = await this.cipherOf(uri, key, sequence, signal);
      // Ciphertext that is only being stored needs no decryption.
      const decrypt = onBytes === undefined && decryptOnRead ? undefined : cipher;
      return await this.fetch(uri, range, decrypt, onBytes, res === undefined ? undefined : { resource: res, plain: !decryptOnRead }, signal);
    } finally {
      await handle?.release();
    }
  }

  private async fetch(
    uri: string,
    range: ByteRange | undefined,
    cipher: SegmentCipher | undefined,
    onBytes: OnBytes,
    sink: Sink | undefined,
    signal: AbortSignal | undefined,
  ): Promise<LoadStats> {
    const decryptor: CbcDecryptor | undefined = cipher === undefined ? undefined : createCbcDecryptor(cipher.key, cipher.iv);
    const start = range?.offset ?? 0;
    const end = range === undefined ? undefined : range.offset + range.length;
    const t0 = this.clock.now();
    let received = 0;
    let plainAt = 0;
    let fruitless = 0;
    let pending: Promise<void> = Promise.resolve();
    let storing = sink !== undefined && sink.resource.status === 'active';
    const write = async (at: number, bytes: Uint8Array): Promise<void> => {
      if (!storing || sink === undefined) return;
      try {
        await sink.resource.writeAt(at, bytes);
      } catch {
        storing = false; // the cache never fails a load (e.g. another loader committed it)
      }
    };
    const emitPlain = async (plain: Uint8Array): Promise<void> => {
      if (plain.byteLength === 0) return;
      if (sink?.plain === true) await write(plainAt, plain);
      plainAt += plain.byteLength;
      onBytes?.(plain);
    };
    const deliver = (chunk: Uint8Array, at: number): void => {
      pending = pending.then(async () => {
        if (sink !== undefined && !sink.plain) await write(at, chunk);
        if (decryptor === undefined) {
          if (sink === undefined || !sink.plain) onBytes?.(chunk);
          else await emitPlain(chunk);
          return;
        }
        await emitPlain(await decryptor.push(chunk));
      });
    };
    for (;;) {
      const from = start + received;
      if (end !== undefined && from >= end) break;
      let progressed = false;
      try {
        const res = await this.deps.net.get(uri, { range: from > 0 || end !== undefined ? { start: from, end } : undefined, signal });
        let skip = from - res.rangeStart; // a server that ignored Range sends from 0
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          let chunk = value;
          if (skip > 0) {
            const n = Math.min(skip, chunk.byteLength);
            skip -= n;
            chunk = chunk.subarray(n);
          }
          if (end !== undefined && start + received + chunk.byteLength > end) chunk = chunk.subarray(0, end - start - received);
          if (chunk.byteLength === 0) continue;
          const at = received;
          received += chunk.byteLength;
          progressed = true;
          deliver(chunk, at);
          if (end !== undefined && start + received >= end) {
            await reader.cancel().catch(() => undefined);
            break;
          }
        }
        const expected = end === undefined ? res.totalLength : end;
        if (expected === undefined || start + received >= expected) break;
        throw new KitharaError('network', `The segment ${uri} ended early (${received} bytes).`, { url: uri });
      } catch (e) {
        const err = KitharaError.from(e, 'network');
        if (err.code !== 'network' && err.code !== 'timeout') throw err;
        fruitless = progressed ? 0 : fruitless + 1;
        if (fruitless > this.deps.retry.maxRetries) throw err;
        if (!progressed) await this.clock.sleep(backoffDelay(this.deps.retry, fruitless - 1, this.deps.random ?? Math.random), signal);
      }
    }
    await pending;
    if (decryptor !== undefined) await emitPlain(await decryptor.end());
    if (storing && sink !== undefined && sink.resource.status === 'active') {
      try {
        sink.resource.commit(sink.plain ? plainAt : received);
      } catch {
        // A cache that cannot commit keeps the bytes as a partial asset.
      }
    }
    return { bytes: received, durationMs: Math.max(1, this.clock.now() - t0), cached: false };
  }
}

/** Writes `bytes` as the whole content of an empty cached resource and commits it. Never throws. */
async function storeWhole(res: StorageResource, bytes: Uint8Array): Promise<void> {
  try {
    if (res.status === 'failed') res.reactivate();
    if (res.status !== 'active') return;
    await res.writeAt(0, bytes);
    res.commit(bytes.byteLength);
  } catch {
    // Not cached this time; the playlist is still returned.
  }
}
