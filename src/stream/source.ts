/**
 * The random-access byte interface every demuxer reads through (the reference's `Source`).
 * A `ByteSource` may be backed by a progressive download, a Blob, or stitched HLS segments.
 */

/** Random-access bytes that may still be arriving. */
export interface ByteSource {
  /** Total length in bytes, or `undefined` while unknown. May become known later. */
  readonly length: number | undefined;
  /**
   * Reads `[offset, offset + length)`. Waits, without polling, until the bytes are there,
   * asking the downloader for them first if they lie outside what it is fetching.
   * With `min` (default `length`), resolves as soon as `min` bytes from `offset` are held and
   * returns every contiguous byte held from `offset`, up to `length`: a parser that needs a
   * few bytes never waits for a whole read-ahead window to arrive.
   * Returns fewer than `min` bytes only at the end of the resource. Rejects with a
   * KitharaError when the download failed or `signal` aborted.
   */
  read(offset: number, length: number, signal?: AbortSignal, min?: number): Promise<Uint8Array>;
  /** Tells the downloader where the reader is, for backpressure. Optional. */
  setReadPosition?(offset: number): void;
  /**
   * End of the contiguous bytes held from `offset` (`offset` when none): lets a parser choose
   * between walking bytes it already has and jumping by estimate. Absent means "all held".
   */
  heldEnd?(offset: number): number;
}

/** A `ByteSource` over bytes already in memory. */
export class MemorySource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}

  get length(): number {
    return this.bytes.byteLength;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, offset), this.bytes.byteLength);
    const end = Math.min(start + Math.max(0, length), this.bytes.byteLength);
    return Promise.resolve(this.bytes.subarray(start, end));
  }
}
