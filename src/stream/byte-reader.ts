/**
 * A cursor over a {@link ByteSource} with a read-ahead window, for parsers that read
 * small fields. One owner: the demuxer that created it.
 */
import type { ByteSource } from './source.js';

const DEFAULT_CHUNK = 64 * 1024;

/** Buffered, big/little-endian cursor reads over a ByteSource. */
export class ByteReader {
  /** Absolute offset of `buf[0]`. */
  private bufStart = 0;
  private buf: Uint8Array = new Uint8Array(0);
  /** Absolute cursor. */
  pos = 0;

  constructor(
    readonly source: ByteSource,
    private readonly chunk = DEFAULT_CHUNK,
    private readonly signal?: AbortSignal,
  ) {}

  /** Total length if known. */
  get length(): number | undefined {
    return this.source.length;
  }

  /** Bytes left before the end, or Infinity if the length is unknown. */
  get remaining(): number {
    const len = this.source.length;
    return len === undefined ? Infinity : Math.max(0, len - this.pos);
  }

  /** End of the contiguous bytes the source holds from `pos` (Infinity when it holds everything). */
  heldEnd(pos: number): number {
    return this.source.heldEnd?.(pos) ?? Infinity;
  }

  /** Moves the cursor. */
  seek(pos: number): void {
    this.pos = pos;
  }

  skip(n: number): void {
    this.pos += n;
  }

  /**
   * Makes sure `n` bytes from the cursor are buffered. Returns how many are available
   * (less than `n` only at the end of the source).
   */
  async ensure(n: number): Promise<number> {
    const have = this.bufStart + this.buf.byteLength - this.pos;
    if (this.pos >= this.bufStart && have >= n) return n;
    const want = Math.max(n, this.chunk);
    const bytes = await this.source.read(this.pos, want, this.signal, n);
    this.source.setReadPosition?.(this.pos);
    this.bufStart = this.pos;
    this.buf = bytes;
    return Math.min(n, bytes.byteLength);
  }

  /**
   * A copy of the bytes at the cursor without moving it: at least `min` (fewer only at the
   * end), and as many as are already held, up to `max`.
   */
  async head(min: number, max: number): Promise<Uint8Array> {
    await this.ensure(min);
    const at = this.pos - this.bufStart;
    return this.buf.slice(at, at + Math.min(max, this.buf.byteLength - at));
  }

  /**
   * A view of the `n` bytes at `pos` when the read-ahead window already holds them, else
   * `undefined`; never reads and never moves the cursor. For parsers that walk many small
   * records: the common case needs no await.
   */
  held(pos: number, n: number): Uint8Array | undefined {
    const at = pos - this.bufStart;
    if (at < 0 || at + n > this.buf.byteLength) return undefined;
    return this.buf.subarray(at, at + n);
  }

  /** Returns a view of `n` bytes at the cursor without moving it (shorter at the end). */
  async peek(n: number): Promise<Uint8Array> {
    const got = await this.ensure(n);
    const at = this.pos - this.bufStart;
    return this.buf.subarray(at, at + got);
  }

  /** Reads `n` bytes (shorter only at the end) and advances. The view is valid until the next read. */
  async bytes(n: number): Promise<Uint8Array> {
    const view = await this.peek(n);
    this.pos += view.byteLength;
    return view;
  }

  /** Reads `n` bytes into a fresh copy. */
  async copy(n: number): Promise<Uint8Array> {
    return (await this.bytes(n)).slice();
  }

  async u8(): Promise<number> {
    const b = await this.bytes(1);
    if (b.byteLength < 1) throw new RangeError('unexpected end of data');
    return b[0] as number;
  }

  async u16be(): Promise<number> {
    const b = await this.exact(2);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  async u32be(): Promise<number> {
    const b = await this.exact(4);
    return (((b[0] as number) << 24) >>> 0) + (((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number));
  }

  async u16le(): Promise<number> {
    const b = await this.exact(2);
    return (b[0] as number) | ((b[1] as number) << 8);
  }

  async u32le(): Promise<number> {
    const b = await this.exact(4);
    return ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16)) + (b[3] as number) * 0x1000000;
  }

  /** Reads exactly `n` bytes or throws RangeError at the end. */
  async exact(n: number): Promise<Uint8Array> {
    const b = await this.bytes(n);
    if (b.byteLength < n) throw new RangeError('unexpected end of data');
    return b;
  }
}
