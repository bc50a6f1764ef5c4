/**
 * The byte half of a persistent driver: where a {@link StoredResource} keeps its bytes
 * ({@link ByteStore}) and its coverage record ({@link MetaStore}). Methods may be synchronous
 * (OPFS sync access handles, memory) or asynchronous (IndexedDB, OPFS writable streams);
 * callers handle both.
 */
import { RangeSet } from './range-set.js';
import type { CoverageRecord } from './coverage-index.js';

/** Random-access bytes of one resource. */
export interface ByteStore {
  /** Stores `bytes` at `offset`. May throw a `QuotaExceededError` DOMException. */
  write(offset: number, bytes: Uint8Array): void | Promise<void>;
  /** Returns `[offset, offset + length)`; only called for bytes that were written. */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
  /** Makes every write so far durable. May throw a `QuotaExceededError` DOMException. */
  flush(): void | Promise<void>;
  /** The physical size, when the store can tell (used to verify a coverage record). */
  size(): number | undefined | Promise<number | undefined>;
  /** Releases handles. */
  close(): void | Promise<void>;
}

/** Where a resource's coverage record lives. */
export interface MetaStore {
  /** The newest valid record and how many damaged slots were seen. */
  load(): Promise<{ record: CoverageRecord | undefined; damaged: number }>;
  /** Replaces the record (crash-safely: a torn write never loses the previous record). */
  save(record: CoverageRecord): void | Promise<void>;
  /** Releases handles. */
  close(): void | Promise<void>;
}

/** `true` for a storage quota failure, whatever the API that reported it. */
export function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = (err as { name?: unknown }).name;
  if (name === 'QuotaExceededError') return true;
  // IndexedDB reports a quota abort through the transaction's error.
  const inner = (err as { error?: unknown }).error;
  return inner !== err && inner !== undefined && isQuotaError(inner);
}

/** A `QuotaExceededError` DOMException (or an Error with that name where DOMException is missing). */
export function quotaError(message: string): Error {
  if (typeof DOMException === 'function') return new DOMException(message, 'QuotaExceededError');
  const e = new Error(message);
  e.name = 'QuotaExceededError';
  return e;
}

/** A {@link ByteStore} in one growable buffer (the fallback when persistent storage fails). */
export class MemoryByteStore implements ByteStore {
  private buf = new Uint8Array(0);
  private extent = 0;

  write(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.byteLength;
    if (end > this.buf.byteLength) {
      const next = new Uint8Array(Math.max(end, Math.min(this.buf.byteLength * 2, end + 64 * 1024 * 1024), 64 * 1024));
      next.set(this.buf.subarray(0, this.extent));
      this.buf = next;
    }
    this.buf.set(bytes, offset);
    this.extent = Math.max(this.extent, end);
  }

  read(offset: number, length: number): Uint8Array {
    return this.buf.slice(offset, offset + length);
  }

  flush(): void {}

  size(): number {
    return this.extent;
  }

  close(): void {}
}

/**
 * A read-only snapshot of a shared store with a private overlay: bytes covered by the snapshot
 * are read from `base` (they never change); everything written later goes to memory. Used when
 * another tab holds the writer lock.
 */
export class OverlayStore implements ByteStore {
  private readonly mem = new MemoryByteStore();

  constructor(
    private readonly base: ByteStore,
    private readonly baseCoverage: RangeSet,
  ) {}

  write(offset: number, bytes: Uint8Array): void {
    this.mem.write(offset, bytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = offset + length;
    if (this.baseCoverage.has(offset, end)) return this.base.read(offset, length);
    const out = new Uint8Array(length);
    let pos = offset;
    while (pos < end) {
      const baseEnd = Math.min(end, this.baseCoverage.coveredEnd(pos));
      if (baseEnd > pos) {
        out.set(await this.base.read(pos, baseEnd - pos), pos - offset);
        pos = baseEnd;
        continue;
      }
      const gap = this.baseCoverage.firstGap(pos, end);
      const gapEnd = gap === undefined ? end : gap.end;
      out.set(this.mem.read(pos, gapEnd - pos), pos - offset);
      pos = gapEnd;
    }
    return out;
  }

  flush(): void {}

  size(): undefined {
    return undefined;
  }

  close(): void | Promise<void> {
    return this.base.close();
  }
}

/**
 * A simulated storage quota shared by every resource of a driver: writes that would make the
 * stored total exceed `limitBytes` throw a `QuotaExceededError`, as a full disk would. For tests
 * (e.g. `cacheQuotaBytes`); `limitBytes` may be changed at any time.
 */
export class FakeQuota {
  private readonly extents = new Map<string, number>();

  /** @param limitBytes The simulated quota in bytes. */
  constructor(public limitBytes: number) {}

  /** Bytes counted against the quota (the sum of every resource's stored extent). */
  get usedBytes(): number {
    let total = 0;
    for (const v of this.extents.values()) total += v;
    return total;
  }

  /** Charges a write ending at `end` to `key`; throws a `QuotaExceededError` when over the limit. */
  charge(key: string, end: number): void {
    const current = this.extents.get(key) ?? 0;
    if (end <= current) return;
    if (this.usedBytes - current + end > this.limitBytes) {
      throw quotaError(`simulated quota of ${this.limitBytes} bytes exceeded`);
    }
    this.extents.set(key, end);
  }

  /** Records an existing resource's size (at open), without checking the limit. */
  track(key: string, size: number): void {
    this.extents.set(key, Math.max(this.extents.get(key) ?? 0, size));
  }

  /** Frees everything charged to `key`. */
  release(key: string): void {
    this.extents.delete(key);
  }
}

/** Wraps a store so its writes are charged to a {@link FakeQuota}. */
export class QuotaStore implements ByteStore {
  constructor(
    private readonly inner: ByteStore,
    private readonly quota: FakeQuota,
    private readonly key: string,
  ) {}

  write(offset: number, bytes: Uint8Array): void | Promise<void> {
    this.quota.charge(this.key, offset + bytes.byteLength);
    return this.inner.write(offset, bytes);
  }

  read(offset: number, length: number): Uint8Array | Promise<Uint8Array> {
    return this.inner.read(offset, length);
  }

  flush(): void | Promise<void> {
    return this.inner.flush();
  }

  size(): number | undefined | Promise<number | undefined> {
    return this.inner.size();
  }

  close(): void | Promise<void> {
    return this.inner.close();
  }
}
