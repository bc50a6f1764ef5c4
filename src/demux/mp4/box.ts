/**
 * ISO BMFF box primitives over bytes already in memory: box headers (32-bit size, 64-bit
 * `largesize`, size 0 = "to the end"), full-box version/flags, and a big-endian field cursor.
 * Pure: no I/O. The demuxer reads a box's bytes once (for example the whole `moov`) and the
 * parsers in this folder walk them with these helpers.
 */
import { KitharaError } from '../../platform/errors.js';

/** A parsed box header. Offsets are relative to the byte array it was read from. */
export interface BoxHeader {
  /** Four-character type, e.g. 'moov'. */
  type: string;
  /** Offset of the first header byte. */
  start: number;
  /** 8, or 16 with a 64-bit `largesize` (plus 16 for 'uuid' user types). */
  headerSize: number;
  /** Total size including the header; `Infinity` when the header said 0 ("to the end"). */
  size: number;
}

/** Reads a four-character code at `at`. */
export function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(
    bytes[at] as number,
    bytes[at + 1] as number,
    bytes[at + 2] as number,
    bytes[at + 3] as number,
  );
}

/** Big-endian u32 at `at` (caller checks bounds). */
export function u32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  );
}

/**
 * Parses the box header at `at`. Returns `null` when fewer than the header's bytes are
 * available (8, or 16 for a `largesize`). Throws `parse` for sizes smaller than the header.
 */
export function readBoxHeader(bytes: Uint8Array, at: number): BoxHeader | null {
  if (at + 8 > bytes.byteLength) return null;
  let size = u32(bytes, at);
  const type = fourcc(bytes, at + 4);
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > bytes.byteLength) return null;
    size = u32(bytes, at + 8) * 0x100000000 + u32(bytes, at + 12);
    headerSize = 16;
  } else if (size === 0) {
    size = Infinity;
  }
  if (type === 'uuid') headerSize += 16;
  if (size < headerSize) throw new KitharaError('parse', `MP4 box '${type}' has an invalid size ${size}.`);
  return { type, start: at, headerSize, size };
}

/**
 * Iterates the child boxes in `[start, end)`. A child that claims to run past `end` is clipped
 * to `end` (a truncated parent); a size-0 child runs to `end`.
 */
export function* childBoxes(bytes: Uint8Array, start: number, end: number): Generator<BoxHeader> {
  let at = start;
  while (at + 8 <= end) {
    const h = readBoxHeader(bytes, at);
    if (!h) return;
    if (h.size === Infinity || at + h.size > end) h.size = end - at;
    yield h;
    at += h.size;
  }
}

/** The first child of type `type` in `[start, end)`, or `undefined`. */
export function findChild(bytes: Uint8Array, start: number, end: number, type: string): BoxHeader | undefined {
  for (const h of childBoxes(bytes, start, end)) if (h.type === type) return h;
  return undefined;
}

/** Follows a path of box types (e.g. `['mdia', 'minf', 'stbl']`) from the children of `parent`. */
export function findPath(bytes: Uint8Array, parent: BoxHeader, path: readonly string[]): BoxHeader | undefined {
  let box: BoxHeader | undefined = parent;
  for (const type of path) {
    if (!box) return undefined;
    box = findChild(bytes, box.start + box.headerSize, box.start + box.size, type);
  }
  return box;
}

/**
 * A bounds-checked big-endian cursor over `[start, end)` of a byte array. Running past `end`
 * throws a `parse` KitharaError naming the box, never a RangeError.
 */
export class BoxCursor {
  /** Absolute position in `bytes`. */
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    private readonly what = 'box',
  ) {
    this.pos = start;
  }

  /** Opens a cursor on a box's payload (after its header). */
  static of(bytes: Uint8Array, box: BoxHeader): BoxCursor {
    return new BoxCursor(bytes, box.start + box.headerSize, box.start + box.size, box.type);
  }

  /** Bytes left before `end`. */
  get left(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    if (this.pos + n > this.end) throw new KitharaError('parse', `MP4 '${this.what}' box is truncated.`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  skip(n: number): void {
    this.need(n);
  }

  u8(): number {
    return this.bytes[this.need(1)] as number;
  }

  u16(): number {
    const at = this.need(2);
    return ((this.bytes[at] as number) << 8) | (this.bytes[at + 1] as number);
  }

  i16(): number {
    const v = this.u16();
    return v >= 0x8000 ? v - 0x10000 : v;
  }

  u24(): number {
    const at = this.need(3);
    return ((this.bytes[at] as number) << 16) | ((this.bytes[at + 1] as number) << 8) | (this.bytes[at + 2] as number);
  }

  u32(): number {
    return u32(this.bytes, this.need(4));
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** A 64-bit unsigned value as a number (exact below 2^53). */
  u64(): number {
    const hi = this.u32();
    return hi * 0x100000000 + this.u32();
  }

  /** A 64-bit signed value as a number. */
  i64(): number {
    const hi = this.i32();
    return hi * 0x100000000 + this.u32();
  }

  f64(): number {
    const at = this.need(8);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getFloat64(0, false);
  }

  fourcc(): string {
    return fourcc(this.bytes, this.need(4));
  }

  /** A view (not a copy) of the next `n` bytes. */
  view(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  /** Reads a full box's version and flags. */
  fullBox(): { version: number; flags: number } {
    const version = this.u8();
    return { version, flags: this.u24() };
  }
}
