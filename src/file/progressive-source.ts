/**
 * A {@link ByteSource} over a progressive HTTP download (the reference's `FileSource` plus its
 * downloader). Reads wait on the storage resource, event-driven; a read of bytes that no running
 * stream is about to deliver redirects the download there (see {@link FileDownloader}).
 */
import { childController, throwIfAborted, type ChildController } from '../platform/abort.js';
import { realClock, type Clock } from '../platform/clock.js';
import { KitharaError } from '../platform/errors.js';
import type { Net } from '../net/net.js';
import { createNet, resolveRetryPolicy } from '../net/net-options.js';
import type { ReadonlyRangeSet } from '../storage/range-set.js';
import type { ResourceStatus, StorageResource } from '../storage/resource.js';
import { MemoryResource } from '../storage/memory-resource.js';
import type { ByteSource } from '../stream/source.js';
import { FileDownloader } from './file-downloader.js';
import { FILE_DEFAULTS, checkBytes, type DownloadProgress, type ProgressiveSourceOptions } from './file-options.js';

/** Calls a listener, containing anything it throws. */
function notify<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    fn?.(...args);
  } catch {
    // A listener that throws never breaks the download.
  }
}

/** Progressive download of one URL, readable at any offset while it arrives. */
export class ProgressiveSource implements ByteSource {
  /** The URL being downloaded. */
  readonly url: string;
  /** Where the bytes are stored. */
  readonly resource: StorageResource;
  private readonly downloader: FileDownloader;
  private readonly options: ProgressiveSourceOptions;
  private readonly headers: Promise<void>;
  private resolveHeaders!: () => void;
  private rejectHeaders!: (err: KitharaError) => void;
  private readonly done: Promise<void>;
  /** Aborted by {@link abort}: wakes this source's readers without touching the resource's state. */
  private readonly closed: ChildController = childController();

  /**
   * Starts downloading `url` at once: only the bytes missing from `options.resource` are
   * fetched (nothing at all when it is committed). A failed resource is reactivated first, so a
   * cached resource that an earlier download left failed is resumed, keeping its bytes.
   */
  constructor(url: string, options: ProgressiveSourceOptions = {}) {
    this.url = url;
    this.options = options;
    const clock: Clock = options.clock ?? realClock;
    const net: Net = options.net ?? createNet({}, { clock });
    this.resource = options.resource ?? new MemoryResource(url);
    if (this.resource.status === 'failed') this.resource.reactivate();
    this.headers = new Promise<void>((resolve, reject) => {
      this.resolveHeaders = resolve;
      this.rejectHeaders = reject;
    });
    this.headers.catch(() => undefined); // observed through `ready`; never unhandled
    if (options.progressIntervalMs !== undefined && !(options.progressIntervalMs >= 0)) {
      throw new TypeError('options.progressIntervalMs, when provided, must be a non-negative number.');
    }
    const gapBatch = checkBytes('gapBatch', options.gapBatch, FILE_DEFAULTS.gapBatch);
    this.downloader = new FileDownloader(
      net,
      url,
      this.resource,
      clock,
      {
        lookAheadBytes: checkBytes('lookAheadBytes', options.lookAheadBytes, FILE_DEFAULTS.lookAheadBytes),
        demandThresholdBytes: checkBytes('demandThresholdBytes', options.demandThresholdBytes, FILE_DEFAULTS.demandThresholdBytes),
        gapChunkBytes: checkBytes('gapChunkBytes', options.gapChunkBytes, FILE_DEFAULTS.gapChunkBytes),
        gapBatch,
        retry: resolveRetryPolicy(options.retry),
        progressIntervalMs: options.progressIntervalMs ?? FILE_DEFAULTS.progressIntervalMs,
        random: Math.random,
      },
      {
        onHeaders: () => this.resolveHeaders(),
        onProgress: () => notify(this.options.onProgress, this.progress()),
        onComplete: () => {
          this.resolveHeaders();
          notify(this.options.onComplete);
        },
        onFatal: (error) => this.failWith(error, true),
      },
      options.signal,
    );
    if (options.signal !== undefined) {
      options.signal.addEventListener('abort', () => this.abort(), { once: true });
    }
    if (this.resource.status === 'committed') {
      // Already complete (e.g. from a cache): nothing to download.
      this.resolveHeaders();
      this.done = Promise.resolve();
    } else {
      this.done = this.downloader.start();
    }
  }

  /**
   * Resolves once the first response headers are in (so `length` is known if the server tells
   * it), or the resource is complete. Rejects with the fatal error or an abort.
   */
  get ready(): Promise<void> {
    return this.headers;
  }

  /** Settles when the download loop has stopped: committed, failed or aborted. Never rejects. */
  get finished(): Promise<void> {
    return this.done;
  }

  get length(): number | undefined {
    return this.resource.length;
  }

  /** The held byte ranges (live view). */
  get available(): ReadonlyRangeSet {
    return this.resource.available;
  }

  /** `'active'` while downloading, then `'committed'` or `'failed'`. */
  get status(): ResourceStatus {
    return this.resource.status;
  }

  /** A progress snapshot. */
  progress(): DownloadProgress {
    const avail = this.resource.available;
    return { loaded: avail.coveredBytes, total: this.resource.length, ranges: [...avail] };
  }

  async read(offset: number, length: number, signal?: AbortSignal, min = length): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`read offset must be a non-negative integer, got ${offset}`);
    throwIfAborted(this.closed.signal);
    if (length <= 0) return new Uint8Array(0);
    const total = this.resource.length;
    const end = total === undefined ? offset + length : Math.min(offset + length, total);
    const need = Math.min(end, offset + Math.max(1, Math.min(min, length)));
    this.downloader.setReadPosition(offset);
    if (end > offset && this.resource.status !== 'failed' && this.resource.available.has(offset, need)) {
      return this.readHeld(offset, end);
    }
    this.downloader.demand(offset, offset + length);
    const outcome = await this.waitRange(offset, need, signal);
    if (outcome === 'eof') return new Uint8Array(0);
    const finalEnd = this.resource.length === undefined ? end : Math.min(end, this.resource.length);
    return this.readHeld(offset, finalEnd);
  }

  /** Waits on the resource, woken by `signal` and by {@link abort}. */
  private async waitRange(start: number, end: number, signal: AbortSignal | undefined): Promise<'ready' | 'eof'> {
    if (signal === undefined) return this.resource.waitRange(start, end, this.closed.signal);
    const both = childController(signal, this.closed.signal);
    try {
      return await this.resource.waitRange(start, end, both.signal);
    } finally {
      both.dispose();
    }
  }

  /** Every contiguous byte held from `offset`, up to `end`. */
  private readHeld(offset: number, end: number): Promise<Uint8Array> {
    const held = Math.min(end, this.resource.available.coveredEnd(offset));
    return held > offset ? this.resource.read(offset, held - offset) : Promise.resolve(new Uint8Array(0));
  }

  heldEnd(offset: number): number {
    return this.resource.available.coveredEnd(offset);
  }

  setReadPosition(offset: number): void {
    this.downloader.setReadPosition(offset);
  }

  /**
   * Stops every request and wakes this source's readers with an `aborted` KitharaError.
   * Idempotent. The resource is left as it is (active, with the bytes it holds), so a cached
   * resource shared with other readers stays usable and a later download resumes it.
   */
  abort(reason?: KitharaError): void {
    const error = reason ?? new KitharaError('aborted', `Download of ${this.url} was aborted.`, { url: this.url });
    this.downloader.abort(error);
    this.rejectHeaders(error);
    if (!this.closed.signal.aborted) this.closed.abort(error);
  }

  /** A fatal download error fails the resource, which wakes every reader (of every source on it). */
  private failWith(error: KitharaError, report: boolean): void {
    this.downloader.abort(error);
    this.rejectHeaders(error);
    if (this.resource.status === 'active') this.resource.fail(error);
    if (report) notify(this.options.onError, error);
  }
}
