/**
 * The in-memory storage driver: one growable buffer per resource.
 *
 * Allocation: when the length is known (at open or from `setLength`, the usual case after the
 * first response headers) the buffer is allocated once at that size. Until then it doubles from
 * {@link MEMORY_DEFAULTS.initialCapacity}, capped at the length once it is known.
 *
 * Reads: `read` returns a copy (safe to keep and to transfer); `readView` returns a view of the
 * internal buffer (valid forever because held bytes never change, but never transfer it).
 */
import { ResourceCore } from './resource-core.js';
import type { ResourceOpenOptions, StorageDriver, StorageResource, StoredEntryInfo } from './resource.js';

/** Defaults of the memory driver. */
export const MEMORY_DEFAULTS = {
  /** First buffer size when the length is unknown. Defaults to 64 KiB. */
  initialCapacity: 64 * 1024,
} as const;

/** A {@link StorageResource} held in one growable `Uint8Array`. */
export class MemoryResource extends ResourceCore {
  private buf: Uint8Array;

  /**
   * @param name  Names the resource in error messages.
   * @param options.length  The total size, when already known.
   */
  constructor(name = 'memory', options: ResourceOpenOptions = {}) {
    super(name);
    this.buf = new Uint8Array(options.length ?? MEMORY_DEFAULTS.initialCapacity);
    if (options.length !== undefined) this.setLength(options.length);
  }

  protected override onLength(length: number): void {
    if (this.buf.byteLength !== length) this.resize(length);
  }

  private resize(capacity: number): void {
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, Math.min(capacity, this.buf.byteLength)));
    this.buf = next;
  }

  protected storeBytes(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.byteLength;
    if (end > this.buf.byteLength) {
      let capacity = Math.max(this.buf.byteLength, MEMORY_DEFAULTS.initialCapacity);
      while (capacity < end) capacity *= 2;
      if (this.length !== undefined) capacity = Math.min(capacity, this.length);
      this.resize(capacity);
    }
    this.buf.set(bytes, offset);
  }

  protected loadBytes(offset: number, length: number): Uint8Array {
    return this.buf.slice(offset, offset + length);
  }

  /** Synchronous zero-copy read of held bytes (see the file header for the rules). */
  readView(offset: number, length: number): Uint8Array {
    const [start, end] = this.clip(offset, length);
    return this.buf.subarray(start, end);
  }
}

/** A {@link StorageDriver} that keeps resources in memory, keyed by name, until removed. */
export class MemoryDriver implements StorageDriver {
  readonly kind = 'memory';
  private readonly resources = new Map<string, MemoryResource>();

  open(key: string, options?: ResourceOpenOptions): Promise<StorageResource> {
    let resource = this.resources.get(key);
    if (resource === undefined) {
      resource = new MemoryResource(key, options);
      this.resources.set(key, resource);
    }
    return Promise.resolve(resource);
  }

  remove(key: string): Promise<void> {
    this.resources.delete(key);
    return Promise.resolve();
  }

  /** Every key held. */
  keys(): Promise<string[]> {
    return Promise.resolve([...this.resources.keys()]);
  }

  /** What is held under `key`. */
  inspect(key: string): Promise<StoredEntryInfo | undefined> {
    const r = this.resources.get(key);
    if (r === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      key,
      bytes: r.available.coveredBytes,
      length: r.length,
      complete: r.status === 'committed',
      label: undefined,
      modified: undefined,
    });
  }
}
