/**
 * An MSB-first bit reader for the pure TypeScript codecs (ALAC, FLAC). Reads past the end
 * return zero bits and set `overrun`; callers check it once per frame or element and report a
 * `decode` error, so the hot path has no bounds checks beyond the padding.
 */

/** Zero bytes appended to every buffer so a 32-bit peek never reads outside it. */
const PAD = 8;

/** Reads bits from a byte array, most significant bit first. */
export class BitReader {
  private readonly bytes: Uint8Array;
  /** Bits in the real data. */
  readonly bitLength: number;
  /** Position, in bits from the start. */
  pos = 0;

  constructor(data: Uint8Array) {
    this.bytes = new Uint8Array(data.byteLength + PAD);
    this.bytes.set(data);
    this.bitLength = data.byteLength * 8;
  }

  /** Whether reads went past the end of the data. */
  get overrun(): boolean {
    return this.pos > this.bitLength;
  }

  /** Bits left before the end (negative after an overrun). */
  get left(): number {
    return this.bitLength - this.pos;
  }

  /** The next 32 bits without consuming them, as an unsigned number. */
  peek32(): number {
    const d = this.bytes;
    const at = Math.min(this.pos >>> 3, d.byteLength - PAD);
    const s = this.pos & 7;
    const hi = ((d[at] as number) << 24) | ((d[at + 1] as number) << 16) | ((d[at + 2] as number) << 8) | (d[at + 3] as number);
    if (s === 0) return hi >>> 0;
    return ((hi << s) | ((d[at + 4] as number) >>> (8 - s))) >>> 0;
  }

  /** Reads `n` (0..32) bits as an unsigned number. */
  read(n: number): number {
    if (n === 0) return 0;
    const v = n === 32 ? this.peek32() : this.peek32() >>> (32 - n);
    this.pos += n;
    return v;
  }

  /** Reads `n` (1..32) bits as a two's complement signed number. */
  readSigned(n: number): number {
    const v = this.read(n);
    return n === 32 ? v | 0 : (v << (32 - n)) >> (32 - n);
  }

  /** Reads one bit. */
  bit(): number {
    return this.read(1);
  }

  /** Skips `n` bits. */
  skip(n: number): void {
    this.pos += n;
  }

  /** Moves to the next byte boundary. */
  align(): void {
    this.pos = (this.pos + 7) & ~7;
  }

  /** Counts and consumes zero bits up to the next one bit, and consumes that one bit. */
  unaryZeros(): number {
    let n = 0;
    for (;;) {
      const w = this.peek32();
      if (w !== 0) {
        const z = Math.clz32(w);
        this.pos += z + 1;
        return n + z;
      }
      n += 32;
      this.pos += 32;
      if (this.pos > this.bitLength) return n;
    }
  }
}
