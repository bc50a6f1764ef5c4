/**
 * Read-side processing (the reference's `ProcessingAssets`): when an asset is opened with a
 * context, reads go through a processor, e.g. decryption of an HLS segment stored encrypted.
 * The assets layer sits below drm, so the processor is injected as a function; the raw bytes
 * stay as they were downloaded.
 *
 * A processor is length-preserving: it returns exactly the bytes of `[offset, offset + length)`
 * of the processed content (clipped to the resource's length). It may read any raw bytes it
 * needs through `raw` (e.g. the previous cipher block as the CBC IV), waiting for them first.
 */
import type { KitharaError } from '../platform/errors.js';
import type { ReadonlyRangeSet } from '../storage/range-set.js';
import type { ResourceStatus, StorageResource, WaitOutcome } from '../storage/resource.js';
import type { AssetRequest, Assets, OpenedAsset } from './types.js';

/** What a processor receives for one read. */
export interface ProcessInput {
  /** The stored (raw) resource. */
  readonly raw: StorageResource;
  readonly offset: number;
  readonly length: number;
  /** The context given at open. */
  readonly ctx: unknown;
}

/** Transforms raw bytes on read (see the file header). */
export type ReadProcessor = (input: ProcessInput) => Promise<Uint8Array>;

/** A resource whose reads pass through a processor; everything else is the raw resource's. */
export class ProcessedResource implements StorageResource {
  constructor(
    private readonly raw: StorageResource,
    private readonly processor: ReadProcessor,
    private readonly ctx: unknown,
  ) {}

  get status(): ResourceStatus {
    return this.raw.status;
  }

  get length(): number | undefined {
    return this.raw.length;
  }

  get available(): ReadonlyRangeSet {
    return this.raw.available;
  }

  get error(): KitharaError | undefined {
    return this.raw.error;
  }

  writeAt(offset: number, bytes: Uint8Array): void | Promise<void> {
    return this.raw.writeAt(offset, bytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = this.raw.length === undefined ? offset + length : Math.min(offset + length, this.raw.length);
    if (end <= offset) return new Uint8Array(0);
    return this.processor({ raw: this.raw, offset, length: end - offset, ctx: this.ctx });
  }

  waitRange(start: number, end: number, signal?: AbortSignal): Promise<WaitOutcome> {
    return this.raw.waitRange(start, end, signal);
  }

  setLength(total: number): void {
    this.raw.setLength(total);
  }

  commit(finalLength?: number): void {
    this.raw.commit(finalLength);
  }

  fail(error: KitharaError): void {
    this.raw.fail(error);
  }

  reactivate(): void {
    this.raw.reactivate();
  }

  close(): Promise<void> {
    return this.raw.close?.() ?? Promise.resolve();
  }
}

/** The processing layer. */
export class ProcessingAssets implements Assets {
  constructor(
    private readonly inner: Assets,
    private readonly processor: ReadProcessor | undefined,
  ) {}

  async open(request: AssetRequest): Promise<OpenedAsset> {
    const opened = await this.inner.open(request);
    if (this.processor === undefined || request.ctx === undefined) return opened;
    return { ...opened, resource: new ProcessedResource(opened.resource, this.processor, request.ctx) };
  }

  remove(key: string): Promise<boolean> {
    return this.inner.remove(key);
  }
}
