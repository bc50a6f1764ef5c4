/**
 * A {@link ByteSource} over a local `Blob` or `File`: no network, length known, every read served
 * by `blob.slice(a, b).arrayBuffer()`.
 */
import { raceAbort } from '../platform/abort.js';
import { KitharaError } from '../platform/errors.js';
import type { ByteSource } from '../stream/source.js';

/** Random access to a Blob. */
export class BlobSource implements ByteSource {
  constructor(private readonly blob: Blob) {}

  get length(): number {
    return this.blob.size;
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`read offset must be a non-negative integer, got ${offset}`);
    const start = Math.min(offset, this.blob.size);
    const end = Math.min(start + Math.max(0, length), this.blob.size);
    if (end <= start) return new Uint8Array(0);
    try {
      return new Uint8Array(await raceAbort(this.blob.slice(start, end).arrayBuffer(), signal));
    } catch (err) {
      throw KitharaError.from(err, 'storage');
    }
  }
}
