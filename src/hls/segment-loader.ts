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
import { mark, tracing } from '../platform/trace.js';
import { concatBytes } from '../platform/bytes.js';
import { drainInBackground, type Net } from '../net/net.js';
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

/** When a load tells its caller it is delivered, and when it may start storing. */
interface LoadTiming {
  /** Called once the last byte went to `onBytes`, before anything is stored. */
  onDelivered?: () => void;
  /** Storing waits for this to settle (besides the load's own delivery). */
  storeAfter?: Promise<unknown>;
}

/** Fetches (and decrypts) segment bytes. */
export class SegmentLoader {
  private readonly inits = new Map<string, Promise<Uint8Array>>();
  private readonly clock: Clock;

  constructor(private readonly deps: SegmentLoaderDeps) {
    this.clock = deps.clock ?? realClock;
  }

  /**
   * The init segment's bytes (decrypted), fetched once per URI and range. Resolves as soon as
   * the last byte is in; storing it in the cache goes on behind, and starts only once
   * `storeAfter` (when given: the media segment requested with it) has settled, so that no
   * storage work lands between the first media bytes and the first audio.
   */
  init(map: InitSegment, sequence: number, signal?: AbortSignal, storeAfter?: Promise<unknown>): Promise<Uint8Array> {
    const key = `${map.uri}#${map.byteRange?.offset ?? ''}-${map.byteRange?.length ?? ''}`;
    let p = this.inits.get(key);
    if (p === undefined) {
      const parts: Uint8Array[] = [];
      p = new Promise<Uint8Array>((resolve, reject) => {
        const done = (): void => resolve(concatBytes(parts));
        this.load(map.uri, map.byteRange, map.key, sequence, (b) => parts.push(b), signal, { onDelivered: done, storeAfter }).then(done, reject);
      });
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
    if (tracing()) mark(`hls:cache-open ${traceName(uri)}`);
    const handle = cache === undefined ? undefined : await cache.open(uri).catch(() => undefined);
    if (tracing()) mark(`hls:cache-opened ${traceName(uri)} ${handle?.resource.status ?? 'none'}`);
    /** The playlist is stored after it is returned: the handle is released once it is. */
    let storing = false;
    try {
      const res = handle?.resource;
      if (res !== undefined && res.status === 'committed') {
        return parse(new TextDecoder().decode(await res.read(0, res.length ?? 0)));
      }
      if (tracing()) mark(`hls:request ${traceName(uri)}`);
      const bytes = await this.deps.net.getBytes(uri, { signal });
      if (tracing()) mark(`hls:received ${traceName(uri)}`);
      const parsed = parse(new TextDecoder().decode(bytes));
      if (tracing()) mark(`hls:parsed ${traceName(uri)}`);
      if (res !== undefined && keep(parsed)) {
        storing = true;
        void backgroundTask()
          .then(() => storeWhole(res, bytes))
          .then(() => handle?.release())
          .catch(() => undefined);
      }
      return parsed;
    } finally {
      if (!storing) await handle?.release();
    }
  }

  /**
   * The key and IV of an encrypted segment, on their way: the key request runs while the segment
   * is requested, not before it (one round trip less before the first audio of a stream whose
   * key is not cached yet). Throws at once for an encryption method other than AES-128.
   * Callers await it where they need it; its failure (a key that answers 404) is reported there.
   */
  private cipherOf(uri: string, key: SegmentKey, sequence: number, signal: AbortSignal | undefined): Promise<SegmentCipher> {
    const keyUri = key.uri;
    if (key.method !== 'AES-128' || keyUri === undefined) {
      throw new KitharaError('unsupported', `Encryption method ${key.method} is not supported (only AES-128).`, { url: uri });
    }
    const cipher = this.deps.keys.getKey(keyUri, signal).then((k) => ({ key: k, iv: segmentIv(key, sequence) }));
    cipher.catch(() => undefined);
    return cipher;
  }

  private async load(
    uri: string,
    range: ByteRange | undefined,
    key: SegmentKey | undefined,
    sequence: number,
    onBytes: OnBytes,
    signal: AbortSignal | undefined,
    timing: LoadTiming = {},
  ): Promise<LoadStats> {
    const cache = this.deps.cache;
    if (cache === undefined) {
      const cipher = key === undefined ? undefined : this.cipherOf(uri, key, sequence, signal);
      return this.fetch(uri, range, cipher, onBytes, undefined, signal, timing);
    }
    const decryptOnRead = key !== undefined && !cache.storeDecrypted;
    // Stored decrypted or clear: a held segment needs no key. Stored encrypted: reads need it
    // (the read processor waits for it, see segment-decrypt.ts).
    let cipher = decryptOnRead ? this.cipherOf(uri, key, sequence, signal) : undefined;
    const opts: AssetOpenOptions = {
      ...(range !== undefined && { range, length: range.length }),
      ...(cipher !== undefined && { ctx: cipher }),
    };
    if (tracing()) mark(`hls:cache-open ${traceName(uri)}`);
    const handle = await cache.open(uri, opts).catch(() => undefined);
    if (tracing()) mark(`hls:cache-opened ${traceName(uri)} ${handle?.resource.status ?? 'none'}`);
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
      if (key !== undefined && cipher === undefined) cipher = this.cipherOf(uri, key, sequence, signal);
      // Ciphertext that is only being stored needs no decryption.
      const decrypt = onBytes === undefined && decryptOnRead ? undefined : cipher;
      return await this.fetch(uri, range, decrypt, onBytes, res === undefined ? undefined : { resource: res, plain: !decryptOnRead }, signal, timing);
    } finally {
      await handle?.release();
    }
  }

  private async fetch(
    uri: string,
    range: ByteRange | undefined,
    cipher: Promise<SegmentCipher> | undefined,
    onBytes: OnBytes,
    sink: Sink | undefined,
    signal: AbortSignal | undefined,
    timing: LoadTiming = {},
  ): Promise<LoadStats> {
    // The key may still be on its way: the first bytes wait for it in the decryption chain.
    const decryptor: Promise<CbcDecryptor> | undefined = cipher?.then((c) => createCbcDecryptor(c.key, c.iv));
    const start = range?.offset ?? 0;
    const end = range === undefined ? undefined : range.offset + range.length;
    const t0 = this.clock.now();
    let received = 0;
    let plainAt = 0;
    let fruitless = 0;
    /** Decryption, in order (WebCrypto is asynchronous). */
    let pending: Promise<void> = Promise.resolve();
    /**
     * Cache writes, in order, behind the caller: bytes reach `onBytes` first, and nothing is
     * written before the whole load was delivered (storage in a worker is synchronous and must
     * not compete with decoding what just arrived; an aborted load never writes at all).
     */
    const queued: { at: number; bytes: Uint8Array }[] = [];
    let storing = sink !== undefined && sink.resource.status === 'active';
    const write = (at: number, bytes: Uint8Array): void => {
      if (storing) queued.push({ at, bytes });
    };
    const store = async (): Promise<void> => {
      if (timing.storeAfter !== undefined) await timing.storeAfter.catch(() => undefined);
      for (const { at, bytes } of queued) {
        await backgroundTask();
        if (!storing || sink === undefined) return;
        try {
          if (tracing()) mark(`hls:store ${traceName(uri)} +${bytes.byteLength} @${at}`);
          await sink.resource.writeAt(at, bytes);
        } catch {
          storing = false; // the cache never fails a load (e.g. another loader committed it)
        }
      }
      queued.length = 0;
    };
    const emitPlain = (plain: Uint8Array): void => {
      if (plain.byteLength === 0) return;
      const at = plainAt;
      plainAt += plain.byteLength;
      onBytes?.(plain);
      if (sink?.plain === true) write(at, plain);
    };
    const deliver = (chunk: Uint8Array, at: number): void => {
      if (decryptor === undefined) {
        // Clear bytes go to the caller at once (a player starts on the first of them).
        emitPlain(chunk);
        if (sink !== undefined && !sink.plain) write(at, chunk);
        return;
      }
      if (sink !== undefined && !sink.plain) write(at, chunk);
      pending = pending.then(async () => emitPlain(await (await decryptor).push(chunk)));
      // A failure (the key's) is reported once the body is in (`await pending` below).
      pending.catch(() => undefined);
    };
    /** What `onBytes` threw: it ends the load as it is (it is not a network failure to retry). */
    let callerError: { error: unknown } | undefined;
    for (;;) {
      const from = start + received;
      if (end !== undefined && from >= end) break;
      let progressed = false;
      try {
        if (tracing()) mark(`hls:request ${traceName(uri)}`);
        const res = await this.deps.net.get(uri, { range: from > 0 || end !== undefined ? { start: from, end } : undefined, signal });
        if (tracing()) mark(`hls:response ${traceName(uri)}`);
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
          if (tracing()) mark(`hls:bytes ${traceName(uri)} +${chunk.byteLength} @${received}`);
          received += chunk.byteLength;
          progressed = true;
          try {
            deliver(chunk, at);
          } catch (error) {
            callerError = { error };
            await reader.cancel().catch(() => undefined);
            throw error;
          }
          if (end !== undefined && start + received >= end) {
            await reader.cancel().catch(() => undefined);
            break;
          }
          // Every byte the headers promised is in: the end of the stream, one more hop from the
          // network stack, is read in the background (see readAll for why exactly).
          if (end === undefined && start + received === res.totalLength) {
            drainInBackground(reader);
            break;
          }
        }
        const expected = end === undefined ? res.totalLength : end;
        if (expected === undefined || start + received >= expected) break;
        throw new KitharaError('network', `The segment ${uri} ended early (${received} bytes).`, { url: uri });
      } catch (e) {
        if (callerError !== undefined) throw callerError.error;
        const err = KitharaError.from(e, 'network');
        if (err.code !== 'network' && err.code !== 'timeout') throw err;
        fruitless = progressed ? 0 : fruitless + 1;
        if (fruitless > this.deps.retry.maxRetries) throw err;
        if (!progressed) await this.clock.sleep(backoffDelay(this.deps.retry, fruitless - 1, this.deps.random ?? Math.random), signal);
      }
    }
    await pending;
    if (decryptor !== undefined) emitPlain(await (await decryptor).end());
    const deliveredAt = this.clock.now();
    timing.onDelivered?.();
    if (storing) await store();
    if (storing && sink !== undefined && sink.resource.status === 'active') {
      try {
        if (tracing()) mark(`hls:commit ${traceName(uri)}`);
        sink.resource.commit(sink.plain ? plainAt : received);
        if (tracing()) mark(`hls:committed ${traceName(uri)}`);
      } catch {
        // A cache that cannot commit keeps the bytes as a partial asset.
      }
    }
    return { bytes: received, durationMs: Math.max(1, deliveredAt - t0), cached: false };
  }
}

type PostTask = (callback: () => void, options: { priority: 'background' }) => Promise<void>;

/**
 * Resolves in a later task of low priority (`scheduler.postTask` 'background' where there is
 * one, else a zero timer). Cache writes go through it: storage writes in a worker are
 * synchronous (OPFS access handles), and they must never run between the arrival of bytes and
 * the decoding of them.
 */
function backgroundTask(): Promise<void> {
  const postTask = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler?.postTask;
  if (typeof postTask === 'function') return postTask.call((globalThis as { scheduler?: unknown }).scheduler, () => undefined, { priority: 'background' });
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A short name of a URL for trace marks (its last two path parts). */
function traceName(uri: string): string {
  return uri.replace(/[?#].*$/, '').split('/').slice(-2).join('/');
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
