/**
 * Fetches HLS segments and init segments: byte ranges, AES-128-CBC decryption streamed as
 * the bytes arrive, and resumption after a dropped connection (a Range request from the
 * first missing byte; the CBC state carries over, so decryption continues seamlessly).
 *
 * Ownership: the loader owns an init-segment cache (by URI and range). It never demuxes.
 */
import { KitharaError } from '../platform/errors.js';
import { realClock, type Clock } from '../platform/clock.js';
import { concatBytes } from '../platform/bytes.js';
import type { Net } from '../net/net.js';
import { backoffDelay, type RetryPolicy } from '../net/retry-net.js';
import { createCbcDecryptor, type CbcDecryptor } from '../drm/aes-cbc.js';
import type { KeyManager } from '../drm/key-manager.js';
import type { ByteRange, HlsSegment, InitSegment, SegmentKey } from './playlist/types.js';
import { segmentIv } from './playlist/media-playlist.js';

/** What one load measured, for the ABR estimator. */
export interface LoadStats {
  /** Bytes received from the network (ciphertext for encrypted segments). */
  bytes: number;
  /** From the request to the last byte, ms. */
  durationMs: number;
}

/** Dependencies of a {@link SegmentLoader}. */
export interface SegmentLoaderDeps {
  net: Net;
  keys: KeyManager;
  retry: RetryPolicy;
  clock?: Clock;
  random?: () => number;
}

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
      p = this.fetch(map.uri, map.byteRange, map.key, sequence, (b) => parts.push(b), signal).then(() => concatBytes(parts));
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
    return this.fetch(seg.uri, seg.byteRange, seg.key, seg.sequence, onBytes, signal);
  }

  private async fetch(
    uri: string,
    range: ByteRange | undefined,
    key: SegmentKey | undefined,
    sequence: number,
    onBytes: (bytes: Uint8Array) => void,
    signal: AbortSignal | undefined,
  ): Promise<LoadStats> {
    let decryptor: CbcDecryptor | undefined;
    if (key !== undefined) {
      if (key.method !== 'AES-128' || key.uri === undefined) {
        throw new KitharaError('unsupported', `Encryption method ${key.method} is not supported (only AES-128).`, { url: uri });
      }
      const cryptoKey = await this.deps.keys.getKey(key.uri, signal);
      decryptor = createCbcDecryptor(cryptoKey, segmentIv(key, sequence));
    }
    const start = range?.offset ?? 0;
    const end = range === undefined ? undefined : range.offset + range.length;
    const t0 = this.clock.now();
    let received = 0;
    let fruitless = 0;
    let pending: Promise<void> = Promise.resolve();
    const deliver = (chunk: Uint8Array): void => {
      if (decryptor === undefined) {
        onBytes(chunk);
        return;
      }
      const d = decryptor;
      pending = pending.then(async () => {
        const plain = await d.push(chunk);
        if (plain.byteLength > 0) onBytes(plain);
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
          received += chunk.byteLength;
          progressed = true;
          deliver(chunk);
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
    if (decryptor !== undefined) {
      const tail = await decryptor.end();
      if (tail.byteLength > 0) onBytes(tail);
    }
    return { bytes: received, durationMs: Math.max(1, this.clock.now() - t0) };
  }
}
