/**
 * A growable FIFO of bytes addressed by absolute stream position: bytes are appended at `end`
 * and dropped from the front with `discard`. One contiguous array (compacted on discard and
 * doubled on growth), so parsers can look at `[base, end)` as a single view.
 */
export class ByteQueue {
  private buf = new Uint8Array(4096);
  private head = 0;
  private tail = 0;
  /** Absolute position of the first byte held. */
  base = 0;

  /** Absolute position one past the last byte held. */
  get end(): number {
    return this.base + (this.tail - this.head);
  }

  /** Bytes held. */
  get length(): number {
    return this.tail - this.head;
  }

  /** A view (not a copy) of every byte held; valid until the next `append` or `discard`. */
  view(): Uint8Array {
    return this.buf.subarray(this.head, this.tail);
  }

  /** Copies `bytes` in at the end. */
  append(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (this.tail + bytes.byteLength > this.buf.byteLength) {
      const used = this.tail - this.head;
      if (used + bytes.byteLength <= this.buf.byteLength / 2) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const grown = new Uint8Array(Math.max(this.buf.byteLength * 2, used + bytes.byteLength));
        grown.set(this.buf.subarray(this.head, this.tail));
        this.buf = grown;
      }
      this.head = 0;
      this.tail = used;
    }
    this.buf.set(bytes, this.tail);
    this.tail += bytes.byteLength;
  }

  /** Drops every byte before absolute position `pos` (clamped to what is held). */
  discard(pos: number): void {
    const n = Math.min(Math.max(0, pos - this.base), this.tail - this.head);
    this.head += n;
    this.base += n;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Empties the queue and restarts positions at `base`. */
  clear(base = 0): void {
    this.head = this.tail = 0;
    this.base = base;
  }
}
