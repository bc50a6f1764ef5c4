/**
 * A {@link StorageResource} whose bytes live in a {@link ByteStore} and whose coverage is
 * persisted in a {@link MetaStore}: the resource type of the OPFS and IndexedDB drivers.
 *
 * Coverage persistence (see coverage-index.ts for the crash-safety rules):
 * - After writes, the coverage is persisted at a bounded rate: once
 *   {@link STORED_DEFAULTS.indexEveryBytes} new bytes are held, or
 *   {@link STORED_DEFAULTS.indexEveryMs} after the first unpersisted write (a timer on the
 *   injected clock), whichever comes first; at once on `setLength`, `commit`, `fail`,
 *   `reactivate` and `close`.
 * - Each update snapshots the coverage, flushes the store, then saves the record, so the
 *   record never claims a byte that is not durable. One update runs at a time; requests made
 *   meanwhile coalesce into one more.
 *
 * Failures never stop the reader: a write or flush that hits the quota asks the owner to free
 * space (`hooks.onQuotaExceeded`) and retries once; if that fails, or on any other storage
 * error, the resource copies the bytes it holds into memory, stops persisting and reports a
 * `fallback` event. Waiters and coverage are untouched by the switch.
 */
import { realClock, type Clock } from '../platform/clock.js';
import { KitharaError } from '../platform/errors.js';
import { MemoryByteStore, OverlayStore, isQuotaError, type ByteStore, type MetaStore } from './byte-store.js';
import { verifyRecord, type CoverageRecord } from './coverage-index.js';
import { ResourceCore } from './resource-core.js';
import type { StorageEvent, StorageHooks } from './resource.js';

/** Defaults of persistent resources. */
export const STORED_DEFAULTS = {
  /** Persist the coverage after this many new bytes. Defaults to 1 MiB. */
  indexEveryBytes: 1024 * 1024,
  /** Persist the coverage at most this long after an unpersisted write. Defaults to 250 ms. */
  indexEveryMs: 250,
} as const;

/** Options of {@link StoredResource.open}. */
export interface StoredResourceOptions {
  /** Schedules index updates. Defaults to the real clock. */
  clock?: Clock;
  /** Wall-clock time stamped on records (epoch ms). Defaults to `Date.now`. */
  now?: () => number;
  /** Defaults to {@link STORED_DEFAULTS.indexEveryBytes}. */
  indexEveryBytes?: number;
  /** Defaults to {@link STORED_DEFAULTS.indexEveryMs}. */
  indexEveryMs?: number;
  /** Event and quota callbacks. */
  hooks?: StorageHooks;
  /** Stored with the coverage (the URL). */
  label?: string;
  /** Open as a read-only snapshot with a memory overlay (another writer holds the key). */
  readOnly?: boolean;
  /** The total size, when known at open. */
  length?: number;
}

/** Where a {@link StoredResource} keeps its bytes now. */
export type StoredMode = 'persistent' | 'snapshot' | 'memory';

/** A resource over a byte store, with a crash-safe persisted coverage. */
export class StoredResource extends ResourceCore {
  private store: ByteStore;
  private meta: MetaStore | undefined;
  private currentMode: StoredMode;
  private readonly clock: Clock;
  private readonly now: () => number;
  private readonly everyBytes: number;
  private readonly everyMs: number;
  private readonly hooks: StorageHooks;
  private label: string | undefined;
  private seq = 0;
  private dirtyBytes = 0;
  private stateDirty = false;
  private lastPersist: number;
  private cancelTimer: (() => void) | undefined;
  private persisting: Promise<void> | undefined;
  private again = false;
  private switching: Promise<void> | undefined;
  private closed = false;
  private persistAttempt = 0;
  /** Number of coverage records saved (for tests and measurements). */
  indexWrites = 0;

  private constructor(key: string, store: ByteStore, meta: MetaStore | undefined, mode: StoredMode, options: StoredResourceOptions) {
    super(key);
    this.store = store;
    this.meta = meta;
    this.currentMode = mode;
    this.clock = options.clock ?? realClock;
    this.now = options.now ?? Date.now;
    this.everyBytes = options.indexEveryBytes ?? STORED_DEFAULTS.indexEveryBytes;
    this.everyMs = options.indexEveryMs ?? STORED_DEFAULTS.indexEveryMs;
    this.hooks = options.hooks ?? {};
    this.label = options.label;
    this.lastPersist = this.clock.now();
  }

  /**
   * Opens a resource over `store`, restoring the coverage `meta` holds (verified against the
   * store's size). A missing, corrupt or contradicted record is rebuilt (reported as an
   * `index-rebuilt` event), never fatal.
   */
  static async open(key: string, store: ByteStore, meta: MetaStore, options: StoredResourceOptions = {}): Promise<StoredResource> {
    let loaded: { record: CoverageRecord | undefined; damaged: number };
    try {
      loaded = await meta.load();
    } catch (err) {
      loaded = { record: undefined, damaged: 1 };
      void err;
    }
    const size = await store.size();
    const restored = verifyRecord(loaded.record, size);
    const problem = restored.problem ?? (loaded.damaged > 0 && loaded.record === undefined ? 'the index is corrupt' : undefined);
    let res: StoredResource;
    if (options.readOnly === true) {
      await meta.close();
      res = new StoredResource(key, new OverlayStore(store, restored.ranges.clone()), undefined, 'snapshot', options);
    } else {
      res = new StoredResource(key, store, meta, 'persistent', options);
    }
    res.seq = loaded.record?.seq ?? 0;
    res.label ??= loaded.record?.label;
    res.restoreState(restored.ranges, restored.length, restored.committed);
    if (problem !== undefined) {
      res.emit({ type: 'index-rebuilt', key, reason: problem });
      if (res.meta !== undefined) {
        res.stateDirty = true;
        res.persist();
      }
    }
    if (options.length !== undefined && res.length === undefined) res.setLength(options.length);
    return res;
  }

  /** `'persistent'`, `'snapshot'` (read-only shared copy plus memory) or `'memory'` (after a fallback). */
  get mode(): StoredMode {
    return this.currentMode;
  }

  private emit(event: StorageEvent): void {
    try {
      this.hooks.onEvent?.(event);
    } catch {
      // A listener that throws never breaks storage.
    }
  }

  protected storeBytes(offset: number, bytes: Uint8Array): void | Promise<void> {
    if (this.closed) throw new KitharaError('storage', `write to a closed resource (${this.name})`);
    return this.storeAttempt(offset, bytes, 0);
  }

  private storeAttempt(offset: number, bytes: Uint8Array, attempt: number): void | Promise<void> {
    if (this.switching !== undefined) return this.switching.then(() => this.storeAttempt(offset, bytes, attempt));
    try {
      const r = this.store.write(offset, bytes);
      if (r instanceof Promise) return r.catch((err: unknown) => this.writeFailed(err, offset, bytes, attempt));
    } catch (err) {
      return this.writeFailed(err, offset, bytes, attempt);
    }
  }

  private async writeFailed(err: unknown, offset: number, bytes: Uint8Array, attempt: number): Promise<void> {
    if (this.switching !== undefined) await this.switching;
    else if (this.currentMode === 'memory' || attempt > 2) throw new KitharaError('storage', `write failed (${this.name})`, { cause: err });
    else await this.recover(err, bytes.byteLength, attempt === 0);
    return this.storeAttempt(offset, bytes, attempt + 1);
  }

  /** Frees space and lets the caller retry (quota, first attempt), or falls back to memory. */
  private recover(err: unknown, bytesNeeded: number, mayRetry: boolean): Promise<void> {
    const run = async (): Promise<void> => {
      if (mayRetry && isQuotaError(err) && this.currentMode === 'persistent' && this.hooks.onQuotaExceeded !== undefined) {
        let freed = false;
        try {
          freed = await this.hooks.onQuotaExceeded(this.name, bytesNeeded);
        } catch {
          freed = false;
        }
        if (freed) return;
      }
      await this.fallBack(err);
    };
    const p = run().finally(() => {
      if (this.switching === p) this.switching = undefined;
      if (this.again && this.meta !== undefined && this.persisting === undefined) {
        this.again = false;
        this.persist();
      }
    });
    this.switching = p;
    return p;
  }

  /** Copies every held byte into memory and continues there; persistence stops. */
  private async fallBack(err: unknown): Promise<void> {
    if (this.currentMode === 'memory') return;
    const old = this.store;
    const mem = new MemoryByteStore();
    for (const r of this.available) mem.write(r.start, await old.read(r.start, r.end - r.start));
    this.store = mem;
    const meta = this.meta;
    this.meta = undefined;
    this.currentMode = 'memory';
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    try {
      await old.close();
      await meta?.close();
    } catch {
      // The old handles may be broken already.
    }
    this.emit({ type: 'fallback', key: this.name, reason: isQuotaError(err) ? 'quota' : 'error', error: err });
  }

  protected loadBytes(offset: number, length: number): Uint8Array | Promise<Uint8Array> {
    if (this.switching !== undefined) return this.switching.then(() => this.store.read(offset, length));
    return this.store.read(offset, length);
  }

  protected override onWritten(start: number, end: number): void {
    if (this.meta === undefined) return;
    this.dirtyBytes += end - start;
    const elapsed = this.clock.now() - this.lastPersist;
    if (this.dirtyBytes >= this.everyBytes || elapsed >= this.everyMs) {
      this.persist();
    } else if (this.cancelTimer === undefined) {
      this.cancelTimer = this.clock.setTimer(this.everyMs - elapsed, () => {
        this.cancelTimer = undefined;
        this.persist();
      });
    }
  }

  protected override onStateChange(): void {
    if (this.meta === undefined) return;
    this.stateDirty = true;
    this.persist();
  }

  private snapshot(): Omit<CoverageRecord, 'seq'> {
    return {
      v: 1,
      ranges: this.available.toJSON(),
      length: this.length,
      committed: this.status === 'committed',
      label: this.label,
      time: this.now(),
    };
  }

  /** Flushes, then saves the coverage snapshot taken before the flush. Synchronous when the store is. */
  private persist(): void {
    if (this.meta === undefined || this.switching !== undefined) {
      if (this.switching !== undefined) this.again = true;
      return;
    }
    if (this.persisting !== undefined) {
      this.again = true;
      return;
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const snap = this.snapshot();
    this.dirtyBytes = 0;
    this.stateDirty = false;
    this.lastPersist = this.clock.now();
    const meta = this.meta;
    let pending: Promise<void> | undefined;
    try {
      const flushed = this.store.flush();
      if (flushed instanceof Promise) {
        pending = flushed.then(() => this.save(meta, snap));
      } else {
        const saved = this.save(meta, snap);
        if (saved instanceof Promise) pending = saved;
      }
    } catch (err) {
      pending = Promise.reject(err);
    }
    if (pending === undefined) {
      this.persistAttempt = 0;
      return;
    }
    const p: Promise<void> = pending
      .then(
        () => {
          this.persistAttempt = 0;
        },
        (err: unknown) => this.persistFailed(err),
      )
      .finally(() => {
        if (this.persisting === p) this.persisting = undefined;
        if (this.again && !this.closedForPersist()) {
          this.again = false;
          this.persist();
        }
      });
    this.persisting = p;
  }

  private closedForPersist(): boolean {
    return this.meta === undefined;
  }

  private save(meta: MetaStore, snap: Omit<CoverageRecord, 'seq'>): void | Promise<void> {
    const record: CoverageRecord = { ...snap, seq: ++this.seq };
    const done = (): void => {
      this.indexWrites++;
      this.emit({ type: 'persisted', key: this.name, bytes: countBytes(record), length: record.length, complete: record.committed });
    };
    const r = meta.save(record);
    if (r instanceof Promise) return r.then(done);
    done();
  }

  private async persistFailed(err: unknown): Promise<void> {
    const attempt = this.persistAttempt++;
    this.again = true; // what failed is still unpersisted
    await this.recover(err, 0, attempt === 0);
  }

  /** Waits for the index updates in flight (tests and `close`). Never rejects. */
  async settled(): Promise<void> {
    while (this.persisting !== undefined || this.switching !== undefined) {
      await (this.persisting ?? this.switching)?.catch(() => undefined);
    }
  }

  /** Persists what is held, then releases the handles. The resource must not be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.settled();
      if (this.meta !== undefined && (this.dirtyBytes > 0 || this.stateDirty || this.again || this.cancelTimer !== undefined)) {
        this.again = false;
        this.persist();
        await this.settled();
      }
    } catch {
      // Closing never fails: at worst the newest coverage is not persisted.
    }
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    try {
      await this.store.close();
      await this.meta?.close();
    } catch {
      // Already broken handles are fine to drop.
    }
  }
}

function countBytes(record: CoverageRecord): number {
  let n = 0;
  for (const [s, e] of record.ranges) n += e - s;
  return n;
}
