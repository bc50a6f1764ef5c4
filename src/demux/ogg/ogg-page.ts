/**
 * Ogg pages (RFC 3533): the pure page parser with CRC check, the split of a page body into
 * packet pieces by its lacing values, and a page reader over a {@link ByteReader} that can
 * resynchronise on the next valid capture pattern.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import { oggCrc32 } from './crc32.js';

/** Header type flag: the page begins with the rest of a packet from the previous page. */
export const OGG_CONTINUED = 0x01;
/** Header type flag: first page of a logical stream. */
export const OGG_BOS = 0x02;
/** Header type flag: last page of a logical stream. */
export const OGG_EOS = 0x04;

/** The fixed part of a page header. */
const HEADER = 27;
/** Largest possible page: header, 255 lacing values, 255 × 255 body bytes. */
export const OGG_MAX_PAGE = HEADER + 255 + 255 * 255;

/** Bytes examined per step while searching for a capture pattern. */
const FIND_WINDOW = 16 * 1024;

/** One verified page. `body` and `lacing` are copies the caller may keep. */
export interface OggPage {
  /** Absolute offset of the capture pattern. */
  offset: number;
  /** Total bytes, header included. */
  size: number;
  /** Header type flags ({@link OGG_CONTINUED}, {@link OGG_BOS}, {@link OGG_EOS}). */
  flags: number;
  /** Granule position, or -1 when no packet ends on this page. */
  granule: number;
  serial: number;
  sequence: number;
  lacing: Uint8Array;
  body: Uint8Array;
}

/** What {@link parsePage} found at an offset. */
export type PageParse =
  | { kind: 'page'; page: OggPage }
  /** More bytes are needed: `bytes` in total from `at`. */
  | { kind: 'need'; bytes: number }
  /** No capture pattern, an unknown version, or a checksum mismatch. */
  | { kind: 'invalid' };

function le32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) + (b[at + 3] as number) * 0x1000000;
}

/** `true` when `b[at..at+4)` is 'OggS'. */
export function isCapture(b: Uint8Array, at: number): boolean {
  return b[at] === 0x4f && b[at + 1] === 0x67 && b[at + 2] === 0x67 && b[at + 3] === 0x53;
}

/** `true` when `b` begins with (a prefix of) 'OggS'. */
function startsLikeCapture(b: Uint8Array): boolean {
  const capture = [0x4f, 0x67, 0x67, 0x53];
  for (let i = 0; i < Math.min(4, b.byteLength); i++) if (b[i] !== capture[i]) return false;
  return true;
}

/**
 * Parses and verifies the page at `at` in `bytes`; `offset` is the absolute offset of `at`.
 * Granules of 2^53 and above, other than -1, are clamped to `Number.MAX_SAFE_INTEGER`.
 */
export function parsePage(bytes: Uint8Array, at: number, offset: number): PageParse {
  const have = bytes.byteLength - at;
  if (have < 4) return { kind: 'need', bytes: HEADER };
  if (!isCapture(bytes, at)) return { kind: 'invalid' };
  if (have < HEADER) return { kind: 'need', bytes: HEADER };
  if (bytes[at + 4] !== 0) return { kind: 'invalid' };
  const nseg = bytes[at + 26] as number;
  if (have < HEADER + nseg) return { kind: 'need', bytes: HEADER + nseg };
  let bodySize = 0;
  for (let i = 0; i < nseg; i++) bodySize += bytes[at + HEADER + i] as number;
  const size = HEADER + nseg + bodySize;
  if (have < size) return { kind: 'need', bytes: size };
  const stored = le32(bytes, at + 22);
  let crc = oggCrc32(bytes.subarray(at, at + 22));
  crc = oggCrc32(new Uint8Array(4), crc);
  crc = oggCrc32(bytes.subarray(at + 26, at + size), crc);
  if (crc !== stored) return { kind: 'invalid' };
  const lo = le32(bytes, at + 6);
  const hi = le32(bytes, at + 10);
  const granule = lo === 0xffffffff && hi === 0xffffffff ? -1 : Math.min(hi * 0x100000000 + lo, Number.MAX_SAFE_INTEGER);
  return {
    kind: 'page',
    page: {
      offset,
      size,
      flags: bytes[at + 5] as number,
      granule: hi >= 0x80000000 && granule !== -1 ? -1 : granule,
      serial: le32(bytes, at + 14),
      sequence: le32(bytes, at + 18),
      lacing: bytes.slice(at + HEADER, at + HEADER + nseg),
      body: bytes.slice(at + HEADER + nseg, at + size),
    },
  };
}

/** A page split into packet pieces. */
export interface PagePieces {
  /** Pieces in order; the first continues a packet when the page has {@link OGG_CONTINUED}. */
  pieces: Uint8Array[];
  /** Whether the last piece ends its packet (false: it continues on the next page). */
  lastComplete: boolean;
}

/** Splits a page body at its packet boundaries (a lacing value below 255 ends a packet). */
export function pagePieces(page: OggPage): PagePieces {
  const pieces: Uint8Array[] = [];
  let start = 0;
  let at = 0;
  let open = false;
  for (let i = 0; i < page.lacing.length; i++) {
    const v = page.lacing[i] as number;
    at += v;
    open = true;
    if (v < 255) {
      pieces.push(page.body.subarray(start, at));
      start = at;
      open = false;
    }
  }
  if (open) pieces.push(page.body.subarray(start, at));
  return { pieces, lastComplete: !open };
}

/** What {@link OggPageReader.readAt} found. */
export type PageRead = OggPage | 'eof' | 'truncated' | 'invalid';

/** Reads pages through a ByteReader. One owner: the Ogg demuxer. */
export class OggPageReader {
  constructor(private readonly reader: ByteReader) {}

  /** Total length if known. */
  get length(): number | undefined {
    return this.reader.length;
  }

  /** Reads the page at `offset`: the page, 'eof' (no bytes there), 'truncated' or 'invalid'. */
  async readAt(offset: number): Promise<PageRead> {
    this.reader.seek(offset);
    let need = HEADER;
    for (;;) {
      const bytes = await this.reader.peek(need);
      if (bytes.byteLength === 0) return 'eof';
      const r = parsePage(bytes, 0, offset);
      if (r.kind === 'page') return r.page;
      if (r.kind === 'invalid') return 'invalid';
      if (bytes.byteLength >= r.bytes) return 'invalid';
      if (bytes.byteLength < need) return startsLikeCapture(bytes) ? 'truncated' : 'invalid';
      need = r.bytes;
    }
  }

  /**
   * Finds the first valid page at or after `from` and before `limit`, skipping bytes that are
   * not a page with a matching checksum. Returns `null` when there is none.
   */
  async find(from: number, limit = Infinity): Promise<OggPage | null> {
    let pos = from;
    while (pos < limit) {
      this.reader.seek(pos);
      const chunk = await this.reader.peek(FIND_WINDOW);
      if (chunk.byteLength < 4) return null;
      let idx = -1;
      for (let i = 0; i + 4 <= chunk.byteLength; i++) {
        if (isCapture(chunk, i)) {
          idx = i;
          break;
        }
      }
      if (idx < 0) {
        pos += chunk.byteLength - 3;
        continue;
      }
      if (pos + idx >= limit) return null;
      const r = await this.readAt(pos + idx);
      if (typeof r === 'object') return r;
      pos += idx + 1;
    }
    return null;
  }
}
