/**
 * The progressive downloader (the reference's three-phase `FileDownloader`), one per source.
 *
 * One loop plans requests from a cursor:
 * 1. Sequential: one open-ended GET from the cursor (first `Range: bytes=0-`), paused while it
 *    runs more than `lookAheadBytes` ahead of the reader.
 * 2. On demand: a read far from every running stream moves the cursor there and preempts the
 *    streams, so the reader's position becomes the new sequential stream. The skipped region
 *    stays a hole. Each request ends at the next held byte, then the cursor goes on past it.
 * 3. Gap filling: when nothing is missing past the cursor, the holes are fetched in parallel
 *    batches; then the resource is committed.
 * A body that breaks is resumed with a Range request from the first missing byte. Resumes after
 * progress are immediate; attempts without a new byte back off and are bounded by the policy.
 * @internal
 */
import { childController, type ChildController } from '../platform/abort.js';
import type { Clock } from '../platform/clock.js';
import { KitharaError } from '../platform/errors.js';
import type { Net, NetResponse } from '../net/net.js';
import { backoffDelay, type RetryPolicy } from '../net/retry-net.js';
import type { ByteRange } from '../storage/range-set.js';
import type { StorageResource } from '../storage/resource.js';
import { Pulse } from './pulse.js';
import { RangeFetch, type FetchHost, type FetchOutcome } from './range-fetch.js';

/** A read never waits for a running stream that brings it within this long (ms): a new request costs more. */
const MIN_DEMAND_WAIT_MS = 25;
/** First bounded request size after a fruitless attempt (see `maxRequestBytes`); then ÷4 each time. */
const RESUME_START_BYTES = 256 * 1024;
/** Smallest bounded request size. */
const RESUME_MIN_BYTES = 16 * 1024;

/** Tuning of a {@link FileDownloader} (resolved options). */
export interface DownloaderConfig {
  lookAheadBytes: number;
  demandThresholdBytes: number;
  gapChunkBytes: number;
  gapBatch: number;
  retry: RetryPolicy;
  progressIntervalMs: number;
  /** Jitter source for resume backoff, in [0, 1). */
  random: () => number;
}

/** What the downloader reports to its owner. */
export interface DownloaderEvents {
  onHeaders(): void;
  onProgress(final: boolean): void;
  onComplete(): void;
  onFatal(error: KitharaError): void;
}

/** Plans and runs the requests of one progressive download. */
export class FileDownloader implements FetchHost {
  private readonly root: ChildController;
  private readonly readerMoved = new Pulse();
  private readonly active = new Set<RangeFetch>();
  private readPos = 0;
  private cursor = 0;
  /** Set once a Range request was answered 200: every request then streams from 0. */
  private rangesIgnored = false;
  /** With an unknown length, a 416 proves the resource ends at or before this offset. */
  private upperBound = Infinity;
  private headersSeen = false;
  private lastProgressAt = -Infinity;

  constructor(
    readonly net: Net,
    readonly url: string,
    readonly resource: StorageResource,
    private readonly clock: Clock,
    private readonly config: DownloaderConfig,
    private readonly events: DownloaderEvents,
    parent?: AbortSignal,
  ) {
    this.root = childController(parent);
  }

  /** The signal every request of this download hangs from. */
  get signal(): AbortSignal {
    return this.root.signal;
  }

  /** Starts the loop. Settles when the resource is committed, failed or aborted. */
  start(): Promise<void> {
    return this.loop().catch((err: unknown) => this.fatal(KitharaError.from(err, 'network')));
  }

  /** Stops every request. The owner fails the resource. */
  abort(reason: KitharaError): void {
    this.root.abort(reason);
  }

  /** The reader is at `pos`: releases a stream paused by backpressure. */
  setReadPosition(pos: number): void {
    if (pos === this.readPos) return;
    this.readPos = pos;
    this.readerMoved.notify();
  }

  /**
   * The reader waits for `[start, end)`. Unless a running stream is about to deliver its first
   * missing byte, moves the cursor there and preempts the running streams.
   *
   * "About to": within `demandThresholdBytes` of the stream, and, once the stream's rate is
   * known, sooner than a new request would bring it (about two of its round trips). A slow
   * link thus gets a far read (an MP4's moov at the end, a seek) by Range at once instead of
   * waiting for the stream to crawl there. While it waits, every arrival re-checks (no timer).
   */
  demand(start: number, end: number): void {
    this.waiting = undefined;
    const gap = this.resource.available.firstGap(start, end);
    if (gap === undefined || this.root.signal.aborted || this.resource.status !== 'active') return;
    if (this.rangesIgnored) return; // a new request would start from 0 again: let the stream run
    for (const f of this.active) {
      if (!f.covers(gap.start) || gap.start - f.pos > this.config.demandThresholdBytes) continue;
      const eta = f.etaMs(gap.start);
      if (eta !== undefined && eta > Math.max(2 * (f.rttMs ?? 0), MIN_DEMAND_WAIT_MS)) continue;
      this.waiting = { start, end };
      return;
    }
    this.cursor = gap.start;
    for (const f of this.active) f.preempt();
  }

  /** A read that waits for a running stream (see {@link demand}); re-checked as bytes arrive. */
  private waiting: { start: number; end: number } | undefined;

  // ---- FetchHost ----

  async throttle(pos: number, signal: AbortSignal): Promise<void> {
    while (pos - this.readPos > this.config.lookAheadBytes) await this.readerMoved.wait(signal);
  }

  onResponse(res: NetResponse, requestedStart: number): void {
    if (res.status === 200) this.rangesIgnored = true;
    const known = this.resource.length;
    if (res.totalLength !== undefined) {
      if (known === undefined) this.resource.setLength(res.totalLength);
      else if (known !== res.totalLength) {
        throw new KitharaError('http', `The size of ${this.url} changed from ${known} to ${res.totalLength} bytes.`, { url: this.url, status: res.status });
      }
    }
    if (res.rangeStart > requestedStart) {
      throw new KitharaError('http', `${this.url} answered from byte ${res.rangeStart}, not ${requestedStart}.`, { url: this.url, status: res.status });
    }
    if (!this.headersSeen) {
      this.headersSeen = true;
      this.events.onHeaders();
    }
  }

  onEof(pos: number): void {
    this.resource.setLength(pos);
  }

  now(): number {
    return this.clock.now();
  }

  onBytes(): void {
    const w = this.waiting;
    if (w !== undefined) this.demand(w.start, w.end);
    const now = this.clock.now();
    if (now - this.lastProgressAt < this.config.progressIntervalMs) return;
    this.lastProgressAt = now;
    this.events.onProgress(false);
  }

  // ---- the loop ----

  private limit(): number {
    return Math.min(this.resource.length ?? Infinity, this.upperBound);
  }

  /**
   * Largest request while connections keep breaking: Infinity normally; after an attempt that
   * brought no byte it shrinks (from {@link RESUME_START_BYTES}, ÷4, down to {@link RESUME_MIN_BYTES}),
   * so a server or middlebox that cuts long responses still lets the download through in short
   * ranges; every clean response doubles it again.
   */
  private maxRequestBytes = Infinity;

  /** The requests to run next: the stream from the cursor, else a batch of holes. */
  private plan(): ByteRange[] {
    const limit = this.limit();
    const avail = this.resource.available;
    if (this.rangesIgnored) {
      const first = avail.firstGap(0, limit);
      return first === undefined ? [] : [{ start: first.start, end: Infinity }];
    }
    const forward = this.cursor < limit ? avail.firstGap(this.cursor, limit) : undefined;
    if (forward !== undefined) return [{ start: forward.start, end: Math.min(forward.end, forward.start + this.maxRequestBytes) }];
    return avail
      .gaps(0, limit)
      .slice(0, this.config.gapBatch)
      .map((g) => ({ start: g.start, end: Math.min(g.end, g.start + this.config.gapChunkBytes) }));
  }

  private async loop(): Promise<void> {
    await this.run();
    // Another downloader on a shared (cached) resource may have completed it meanwhile.
    if (!this.root.signal.aborted && this.resource.status === 'committed' && !this.completed) this.complete();
  }

  private completed = false;

  private complete(): void {
    this.completed = true;
    this.events.onProgress(true);
    this.events.onComplete();
  }

  private async run(): Promise<void> {
    let fruitless = 0;
    while (!this.root.signal.aborted && this.resource.status === 'active') {
      const plan = this.plan();
      if (plan.length === 0) {
        this.finish();
        return;
      }
      const before = this.resource.available.coveredBytes;
      const known = this.limit();
      const fetches = plan.map((r) => new RangeFetch(this, r.start, r.end >= known ? undefined : r.end, this.root.signal));
      for (const f of fetches) this.active.add(f);
      const outcomes = await Promise.all(fetches.map((f) => f.run()));
      for (const f of fetches) this.active.delete(f);
      if (this.root.signal.aborted || this.resource.status !== 'active') return;

      const progressed = this.resource.available.coveredBytes > before;
      const failure = this.firstFailure(outcomes, fetches);
      if (failure !== undefined) return this.fatal(failure);
      const dropped = outcomes.find((o): o is Extract<FetchOutcome, { kind: 'dropped' }> => o.kind === 'dropped');
      if (dropped === undefined || progressed) {
        fruitless = 0;
        if (dropped === undefined && this.maxRequestBytes !== Infinity) {
          this.maxRequestBytes = this.maxRequestBytes >= RESUME_START_BYTES ? Infinity : this.maxRequestBytes * 2;
        }
        continue;
      }
      fruitless++;
      this.maxRequestBytes = this.maxRequestBytes === Infinity ? RESUME_START_BYTES : Math.max(RESUME_MIN_BYTES, this.maxRequestBytes / 4);
      if (fruitless > this.config.retry.maxRetries) {
        const e = dropped.error;
        return this.fatal(new KitharaError(e.code, `Download of ${this.url} failed after ${fruitless} attempts without progress: ${e.message}`, { url: this.url, status: e.status, cause: e }));
      }
      await this.clock.sleep(backoffDelay(this.config.retry, fruitless - 1, this.config.random), this.root.signal).catch(() => undefined);
    }
  }

  /** The fatal error among the outcomes, after handling the recoverable 416. */
  private firstFailure(outcomes: FetchOutcome[], fetches: RangeFetch[]): KitharaError | undefined {
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (o.kind !== 'failed') continue;
      const start = fetches[i]!.start;
      if (o.error.status === 416 && this.resource.length === undefined) {
        // Asked past the end of a resource of unknown size: it ends at or before `start`
        // (an empty resource when `start` is 0).
        this.upperBound = Math.min(this.upperBound, start);
        this.cursor = 0;
        continue;
      }
      return o.error;
    }
    return undefined;
  }

  private finish(): void {
    if (this.resource.status !== 'active') return;
    const held = this.resource.available;
    let end = 0;
    for (const r of held) end = r.end;
    this.resource.commit(this.resource.length ?? end);
    this.complete();
  }

  private fatal(error: KitharaError): void {
    if (this.root.signal.aborted) return;
    this.root.abort(error);
    this.events.onFatal(error);
  }
}
