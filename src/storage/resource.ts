/**
 * The storage contract (the reference's `ResourceExt` + `Driver`): random-access bytes that a
 * downloader writes and readers wait for. The resource is the one synchronization point
 * between them; there is no channel in between.
 */
import type { KitharaError } from '../platform/errors.js';
import type { ReadonlyRangeSet } from './range-set.js';

/** Lifecycle of a resource. */
export type ResourceStatus = 'active' | 'committed' | 'failed';

/** How a {@link StorageResource.waitRange} ended: the bytes are there, or the range starts past the end. */
export type WaitOutcome = 'ready' | 'eof';

/**
 * Random-access bytes that may still be arriving.
 *
 * Invariants:
 * - Bytes in `available` never change once written (a rewrite must carry the same bytes).
 * - Once `length` is known, nothing is written at or past it.
 * - Waiters settle only from `writeAt`, `setLength`, `commit`, `fail` or their own abort signal:
 *   there is no polling and no timer.
 */
export interface StorageResource {
  /** `'active'` while being written, then `'committed'` or `'failed'`. */
  readonly status: ResourceStatus;
  /** The final length in bytes, once known (from `setLength` or `commit`). */
  readonly length: number | undefined;
  /** Which bytes are held. A live read-only view; do not keep it across awaits expecting a snapshot. */
  readonly available: ReadonlyRangeSet;
  /** The failure, while `status` is `'failed'`. */
  readonly error: KitharaError | undefined;

  /**
   * Stores `bytes` at `offset` and wakes the waiters it satisfies. Synchronous drivers return
   * `undefined`; asynchronous ones (OPFS, IndexedDB) return a promise, so always `await` it.
   * Throws a `storage` KitharaError when the resource is not active or the write passes `length`.
   */
  writeAt(offset: number, bytes: Uint8Array): void | Promise<void>;

  /**
   * Reads `[offset, offset + length)`, clipped to `length` when known. Every byte must be in
   * `available` (wait for it with {@link waitRange} first), otherwise this rejects with a
   * `storage` KitharaError. The result is a copy the caller owns (it may be kept or transferred).
   */
  read(offset: number, length: number): Promise<Uint8Array>;

  /**
   * Synchronous fast path of {@link read}, offered by in-memory drivers only. Returns a view of
   * internal memory: it stays valid (bytes never change once written) but must never be
   * transferred to another thread.
   */
  readView?(offset: number, length: number): Uint8Array;

  /**
   * Resolves as soon as `[start, end)` is held: `'ready'`. When the final length is known and
   * `start >= length`, resolves `'eof'`; when `end` passes the final length, `'ready'` means every
   * byte up to the length is held. Rejects with the failure when the resource fails, with an
   * `aborted` KitharaError when `signal` aborts, and with a `storage` KitharaError when the
   * resource is committed with the range still missing (it can never arrive).
   */
  waitRange(start: number, end: number, signal?: AbortSignal): Promise<WaitOutcome>;

  /** Records the total size discovered from headers, before commit. Ignored if already known and equal. */
  setLength(total: number): void;

  /**
   * Marks the resource complete. `finalLength` defaults to the known length, or else to the end
   * of the held bytes. Wakes every waiter: ranges past the end resolve `'eof'`.
   */
  commit(finalLength?: number): void;

  /** Marks the resource failed; every pending and future wait rejects with `error`. */
  fail(error: KitharaError): void;

  /** Makes a committed or failed resource writable again (to resume or repair it). Keeps its bytes. */
  reactivate(): void;

  /**
   * Persistent drivers: makes every held byte and the coverage durable, then releases the
   * storage handles. The resource must not be written or read afterwards. In-memory
   * resources do not need it (absent or a no-op). Never rejects.
   */
  close?(): Promise<void>;
}

/** Something a persistent driver reports (a callback, never an exception). */
export type StorageEvent =
  | {
      /** The coverage index of `key` was missing, corrupt or contradicted the stored bytes and was rebuilt. */
      readonly type: 'index-rebuilt';
      readonly key: string;
      /** What was wrong, for logs. */
      readonly reason: string;
    }
  | {
      /** `key` stopped persisting (quota or a storage failure) and now lives in memory; its bytes were copied. */
      readonly type: 'fallback';
      readonly key: string;
      /** `'quota'` when the quota was exceeded even after freeing space, `'error'` for other failures. */
      readonly reason: 'quota' | 'error';
      readonly error: unknown;
    }
  | {
      /** The coverage of `key` became durable: `bytes` held, `length` if known, `complete` once committed. */
      readonly type: 'persisted';
      readonly key: string;
      readonly bytes: number;
      readonly length: number | undefined;
      readonly complete: boolean;
    };

/** Callbacks a persistent resource calls; the assets layer supplies them. */
export interface StorageHooks {
  /** Receives storage events. A listener that throws is ignored. */
  onEvent?(event: StorageEvent): void;
  /**
   * Called once when a write hits the storage quota: free space (evict) and resolve `true` to
   * retry the write once, `false` to fall back to memory straight away.
   */
  onQuotaExceeded?(key: string, bytesNeeded: number): Promise<boolean>;
}

/** Options a driver receives when opening a resource. */
export interface ResourceOpenOptions {
  /** The total size, when already known. Lets drivers allocate once. */
  length?: number;
  /**
   * Persistent drivers: do not write the shared copy (another writer holds it). The resource
   * restores the durable coverage as a read-only snapshot; new writes stay in memory and
   * nothing is persisted. Defaults to `false`.
   */
  readOnly?: boolean;
  /** Persistent drivers: a label stored with the coverage (the URL), returned by `inspect`. */
  label?: string;
  /** Persistent drivers: event and quota callbacks. */
  hooks?: StorageHooks;
}

/** What a driver knows about a stored resource without opening it. */
export interface StoredEntryInfo {
  /** The driver key. */
  readonly key: string;
  /** Bytes held (durable coverage). */
  readonly bytes: number;
  /** The final length, when known. */
  readonly length: number | undefined;
  /** `true` once committed. */
  readonly complete: boolean;
  /** The label given at open (the URL), if any. */
  readonly label: string | undefined;
  /** When the stored record was last written (epoch ms), when the driver knows. */
  readonly modified: number | undefined;
}

/** A small JSON value stored crash-safely by a driver (the assets index lives in one). */
export interface JsonSlot {
  /** The last saved value; `undefined` when none; throws a `storage` KitharaError when it is corrupt. */
  load(): Promise<unknown>;
  /** Replaces the value. */
  save(value: unknown): Promise<void>;
}

/**
 * A storage backend that opens resources: memory, OPFS or IndexedDB.
 * The assets layer chooses the driver; everything above sees only {@link StorageResource}.
 */
export interface StorageDriver {
  /** A short name for logs and options: `'memory'`, `'opfs'`, `'indexeddb'`. */
  readonly kind: string;
  /** Opens (or creates) the resource stored under `key`. */
  open(key: string, options?: ResourceOpenOptions): Promise<StorageResource>;
  /** Forgets the resource stored under `key` and frees its storage. */
  remove(key: string): Promise<void>;
  /** `true` when resources outlive the page (OPFS, IndexedDB). Absent means `false`. */
  readonly persistent?: boolean;
  /** Every key stored. */
  keys?(): Promise<string[]>;
  /** What is stored under `key`, from its coverage index, without opening it. */
  inspect?(key: string): Promise<StoredEntryInfo | undefined>;
  /** Where the assets layer keeps its index, when the driver persists. */
  readonly index?: JsonSlot;
}
