/**
 * The driver-independent half of a {@link StorageResource}: coverage, status, length and the
 * waiters. A driver extends {@link ResourceCore} and supplies only byte storage
 * (`storeBytes` / `loadBytes`).
 *
 * Waiters are settled from `writeAt`, `setLength`, `commit`, `fail` and their own abort signal,
 * never from a timer.
 */
import { KitharaError } from '../platform/errors.js';
import { RangeSet, type ReadonlyRangeSet } from './range-set.js';
import type { ResourceStatus, StorageResource, WaitOutcome } from './resource.js';

interface Waiter {
  readonly start: number;
  readonly end: number;
  readonly resolve: (outcome: WaitOutcome) => void;
  readonly reject: (err: unknown) => void;
  readonly detach: () => void;
}

function abortReason(signal: AbortSignal): KitharaError {
  const reason: unknown = signal.reason;
  if (reason instanceof KitharaError) return reason;
  return new KitharaError('aborted', 'The wait was aborted.', { cause: reason });
}

/** Shared state machine of every storage driver. */
export abstract class ResourceCore implements StorageResource {
  private readonly covered = new RangeSet();
  private readonly waiters = new Set<Waiter>();
  private currentStatus: ResourceStatus = 'active';
  private finalLength: number | undefined;
  private failure: KitharaError | undefined;

  /**
   * @param name  Identifies the resource in error messages (a key or URL). Subclasses call
   *   `setLength` themselves, after their storage exists, when the size is known at open.
   */
  protected constructor(readonly name: string) {}

  /** Stores bytes; the range becomes available when this returns (or its promise resolves). */
  protected abstract storeBytes(offset: number, bytes: Uint8Array): void | Promise<void>;
  /** Copies out held bytes `[offset, offset + length)`. */
  protected abstract loadBytes(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
  /** Called when the final length becomes known, so drivers can size storage once. */
  protected onLength(_length: number): void {}
  /** Called after `[start, end)` became available (persistent drivers schedule an index update). */
  protected onWritten(_start: number, _end: number): void {}
  /** Called after the length or the status changed. */
  protected onStateChange(): void {}

  /**
   * Restores coverage, length and status from a persisted index. Only for a fresh resource
   * (nothing held, nobody waiting), right after the driver opened its storage.
   */
  protected restoreState(ranges: Iterable<{ readonly start: number; readonly end: number }>, length: number | undefined, committed: boolean): void {
    if (this.covered.size !== 0 || this.waiters.size !== 0) throw this.storageError('restoreState on a resource in use');
    for (const r of ranges) this.covered.add(r.start, r.end);
    if (length !== undefined) {
      if (this.heldEnd() > length) throw this.storageError(`restored ranges pass the length ${length}`);
      this.finalLength = length;
      this.onLength(length);
    }
    if (committed) this.currentStatus = 'committed';
  }

  get status(): ResourceStatus {
    return this.currentStatus;
  }

  get length(): number | undefined {
    return this.finalLength;
  }

  get available(): ReadonlyRangeSet {
    return this.covered;
  }

  get error(): KitharaError | undefined {
    return this.failure;
  }

  private storageError(message: string): KitharaError {
    return new KitharaError('storage', `${message} (${this.name})`);
  }

  writeAt(offset: number, bytes: Uint8Array): void | Promise<void> {
    if (this.currentStatus !== 'active') throw this.storageError(`cannot write to a ${this.currentStatus} resource`);
    const end = offset + bytes.byteLength;
    if (!Number.isSafeInteger(offset) || offset < 0) throw this.storageError(`invalid write offset ${offset}`);
    if (this.finalLength !== undefined && end > this.finalLength) {
      throw this.storageError(`write [${offset}, ${end}) passes the length ${this.finalLength}`);
    }
    if (bytes.byteLength === 0) return;
    const stored = this.storeBytes(offset, bytes);
    if (stored instanceof Promise) return stored.then(() => this.markWritten(offset, end));
    this.markWritten(offset, end);
  }

  private markWritten(start: number, end: number): void {
    this.covered.add(start, end);
    for (const w of this.waiters) {
      // A write can only satisfy a waiter whose range it touches.
      if (w.end > start && w.start < end) this.settle(w);
    }
    this.onWritten(start, end);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const [start, end] = this.clip(offset, length);
    return this.loadBytes(start, end - start);
  }

  /** Validates a read and clips it to the known length. */
  protected clip(offset: number, length: number): [number, number] {
    const start = offset;
    let end = offset + Math.max(0, length);
    if (this.finalLength !== undefined) end = Math.min(end, this.finalLength);
    if (end <= start) return [start, start];
    if (!this.covered.has(start, end)) throw this.storageError(`read [${start}, ${end}) touches bytes that are not held`);
    return [start, end];
  }

  waitRange(start: number, end: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const outcome = this.evaluate(start, end);
    if (outcome instanceof KitharaError) return Promise.reject(outcome);
    if (outcome !== undefined) return Promise.resolve(outcome);
    return new Promise<WaitOutcome>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        start,
        end,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The outcome of a wait right now: settled value, error, or `undefined` to keep waiting. */
  private evaluate(start: number, end: number): WaitOutcome | KitharaError | undefined {
    if (this.currentStatus === 'failed') return this.failure;
    const len = this.finalLength;
    if (len !== undefined && start >= len) return 'eof';
    const effectiveEnd = len === undefined ? end : Math.min(end, len);
    if (effectiveEnd <= start || this.covered.has(start, effectiveEnd)) return 'ready';
    if (this.currentStatus === 'committed') {
      return this.storageError(`range [${start}, ${effectiveEnd}) is missing from a committed resource`);
    }
    return undefined;
  }

  private settle(w: Waiter): void {
    const outcome = this.evaluate(w.start, w.end);
    if (outcome === undefined) return;
    this.waiters.delete(w);
    w.detach();
    if (outcome instanceof KitharaError) w.reject(outcome);
    else w.resolve(outcome);
  }

  private settleAll(): void {
    for (const w of [...this.waiters]) this.settle(w);
  }

  /** Number of pending waiters (for tests and diagnostics). */
  get pendingWaits(): number {
    return this.waiters.size;
  }

  setLength(total: number): void {
    if (!Number.isSafeInteger(total) || total < 0) throw this.storageError(`invalid length ${total}`);
    if (this.finalLength === total) return;
    if (this.currentStatus === 'committed') throw this.storageError('cannot change the length of a committed resource');
    const held = this.heldEnd();
    if (held > total) throw this.storageError(`length ${total} is shorter than the bytes held (${held})`);
    this.finalLength = total;
    this.onLength(total);
    this.settleAll();
    this.onStateChange();
  }

  /** End of the last held byte range (0 when nothing is held). */
  protected heldEnd(): number {
    let end = 0;
    for (const r of this.covered) end = r.end;
    return end;
  }

  commit(finalLength?: number): void {
    if (this.currentStatus !== 'active') throw this.storageError(`cannot commit a ${this.currentStatus} resource`);
    const len = finalLength ?? this.finalLength ?? this.heldEnd();
    if (len !== this.finalLength) {
      // Commit may correct a length announced by headers.
      if (!Number.isSafeInteger(len) || len < 0) throw this.storageError(`invalid length ${len}`);
      const held = this.heldEnd();
      if (held > len) throw this.storageError(`length ${len} is shorter than the bytes held (${held})`);
      this.finalLength = len;
      this.onLength(len);
    }
    this.currentStatus = 'committed';
    this.settleAll();
    this.onStateChange();
  }

  fail(error: KitharaError): void {
    if (this.currentStatus === 'failed') return;
    this.currentStatus = 'failed';
    this.failure = error;
    this.settleAll();
    this.onStateChange();
  }

  reactivate(): void {
    if (this.currentStatus === 'active') return;
    this.currentStatus = 'active';
    this.failure = undefined;
    this.onStateChange();
  }
}
