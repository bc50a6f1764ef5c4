/**
 * One HTTP request of the file downloader: GET `[start, end)` and pump the body into the
 * resource at the offsets the response actually carries. Pausing (backpressure) is delegated to
 * the host; not reading the body lets TCP slow the server down.
 * @internal
 */
import { childController, type ChildController } from '../platform/abort.js';
import { KitharaError } from '../platform/errors.js';
import type { Net, NetResponse } from '../net/net.js';
import { isRetryable } from '../net/net-errors.js';
import type { StorageResource } from '../storage/resource.js';

/** How a fetch ended. `dropped` means: resume from the first missing byte. */
export type FetchOutcome =
  | { kind: 'complete' }
  | { kind: 'preempted' }
  | { kind: 'dropped'; error: KitharaError }
  | { kind: 'failed'; error: KitharaError };

/** What a {@link RangeFetch} needs from the downloader that runs it. */
export interface FetchHost {
  readonly net: Net;
  readonly url: string;
  readonly resource: StorageResource;
  /** Resolves when a stream standing at `pos` may read on (backpressure). */
  throttle(pos: number, signal: AbortSignal): Promise<void>;
  /** Sees every response first (size discovery, range support). Throwing fails the fetch. */
  onResponse(res: NetResponse, requestedStart: number): void;
  /** A stream without a known length ended cleanly at `pos`. */
  onEof(pos: number): void;
  /** Bytes were stored. */
  onBytes(): void;
  /** Milliseconds on the downloader's clock (for {@link RangeFetch.etaMs}). */
  now(): number;
}

/** A stream's rate is trusted once it has delivered this much since its headers... */
const RATE_MIN_BYTES = 8 * 1024;
/** ...over at least this long (the first bytes often come in one burst). */
const RATE_MIN_MS = 20;

/** One Range request pumping into storage. */
export class RangeFetch {
  /** Offset of the next byte this stream will deliver. */
  pos: number;
  private readonly ctl: ChildController;
  private preempted = false;
  /** When the request was sent and its headers came (host clock), and where its body began. */
  private sentAt: number | undefined;
  private answeredAt: number | undefined;
  private bodyStart = 0;

  /**
   * @param start  First byte wanted.
   * @param end  End (exclusive) of the bytes wanted; `undefined` for "to the end".
   */
  constructor(
    private readonly host: FetchHost,
    readonly start: number,
    readonly end: number | undefined,
    parent: AbortSignal,
  ) {
    this.pos = start;
    this.ctl = childController(parent);
  }

  /** Stops this fetch because the reader needs other bytes first. */
  preempt(): void {
    this.preempted = true;
    this.ctl.abort(new KitharaError('aborted', 'Preempted by an on-demand read.', { fatal: false }));
  }

  /** `true` when this stream will deliver `offset` (it lies ahead of it, within its range). */
  covers(offset: number): boolean {
    return !this.preempted && offset >= this.pos && (this.end === undefined || offset < this.end);
  }

  /** Time from the request to its headers (ms), once they came. */
  get rttMs(): number | undefined {
    return this.answeredAt === undefined || this.sentAt === undefined ? undefined : this.answeredAt - this.sentAt;
  }

  /**
   * When this stream will deliver `offset` (ms from now) at the rate it has delivered so far;
   * `undefined` until that rate is known (see RATE_MIN_BYTES, RATE_MIN_MS).
   */
  etaMs(offset: number): number | undefined {
    if (this.answeredAt === undefined) return undefined;
    const got = this.pos - this.bodyStart;
    const elapsed = this.host.now() - this.answeredAt;
    if (got < RATE_MIN_BYTES || elapsed < RATE_MIN_MS) return undefined;
    return ((offset - this.pos) * elapsed) / got;
  }

  /** Runs the request to its end. Never rejects. */
  async run(): Promise<FetchOutcome> {
    const { net, url, resource } = this.host;
    const signal = this.ctl.signal;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let finished = false;
    try {
      let res: NetResponse;
      try {
        const range = this.end === undefined ? { start: this.start } : { start: this.start, end: this.end };
        this.sentAt = this.host.now();
        res = await net.get(url, { range, signal });
        this.answeredAt = this.host.now();
      } catch (err) {
        return this.outcomeOf(err, false);
      }
      reader = res.body.getReader();
      this.host.onResponse(res, this.start);
      this.pos = res.rangeStart; // never write at the wrong offset: the body starts here
      this.bodyStart = res.rangeStart;
      const expectedEnd = res.bodyLength === undefined ? undefined : res.rangeStart + res.bodyLength;
      const stopAt = (): number => Math.min(this.end ?? Infinity, resource.length ?? Infinity);
      for (;;) {
        if (this.pos >= stopAt()) return { kind: 'complete' };
        await this.host.throttle(this.pos, signal);
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          const wanted = stopAt();
          if ((expectedEnd !== undefined && this.pos < expectedEnd) || (wanted !== Infinity && this.pos < wanted)) {
            return { kind: 'dropped', error: new KitharaError('network', `The body of ${url} ended early at byte ${this.pos}.`, { url }) };
          }
          if (resource.length === undefined) this.host.onEof(this.pos);
          return { kind: 'complete' };
        }
        const room = stopAt() - this.pos;
        const chunk = value.byteLength > room ? value.subarray(0, room) : value;
        if (chunk.byteLength > 0) await resource.writeAt(this.pos, chunk);
        this.pos += chunk.byteLength;
        this.host.onBytes();
      }
    } catch (err) {
      return this.outcomeOf(err, true);
    } finally {
      if (reader !== undefined && !finished) reader.cancel().catch(() => undefined);
      this.ctl.dispose();
    }
  }

  private outcomeOf(err: unknown, inBody: boolean): FetchOutcome {
    if (this.preempted) return { kind: 'preempted' };
    const error = KitharaError.from(err, 'network');
    // A broken body is resumed by the downloader; a failed request was already retried by the net.
    if (inBody && isRetryable(error)) return { kind: 'dropped', error };
    return { kind: 'failed', error };
  }
}
