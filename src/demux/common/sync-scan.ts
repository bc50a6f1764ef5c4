/**
 * Finding frames of a self-synchronising bitstream (MPEG audio, ADTS) by their headers.
 * A single 0xFF byte followed by plausible bits is common in compressed data, so a frame
 * start is only believed when several consecutive, mutually compatible headers chain up.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import { isTrailingTag } from './id3.js';

/** How a frame-sequential format's headers look. Pure functions over bytes. */
export interface FrameSyntax<H> {
  /** Bytes `parse` needs from the frame start. */
  readonly headerBytes: number;
  /** Upper bound of one frame's size, in bytes. */
  readonly maxFrameBytes: number;
  /** The header at `b[at]`, or null when those bytes are not a valid header. */
  parse(b: Uint8Array, at: number): H | null;
  /** Size of the frame, header included. */
  frameBytes(h: H): number;
  /** Whether `h` can belong to the same stream as `ref` (same rate, layout, codec). */
  compatible(ref: H, h: H): boolean;
}

/** A frame start found by {@link findRun}. */
export interface FoundFrame<H> {
  /** Absolute byte offset. */
  at: number;
  header: H;
}

/** Bytes searched per window, besides the slack that lets a run starting near the end fit. */
const WINDOW = 64 * 1024;
/** Bytes the first look at a position waits for. */
const FIRST_LOOK = 4096;

/**
 * First index `i` in `[from, lastStart)` where `need` compatible headers chain up in `b`.
 * A chain that reaches the end of the data exactly, or a trailing tag, counts as complete
 * when `atEof` says no more data follows.
 */
export function findRunIn<H>(
  syntax: FrameSyntax<H>,
  b: Uint8Array,
  from: number,
  lastStart: number,
  need: number,
  ref: H | null,
  atEof: boolean,
): FoundFrame<H> | null {
  const end = Math.min(lastStart, b.length - syntax.headerBytes + 1);
  for (let i = from; i < end; i++) {
    if (b[i] !== 0xff) continue;
    const h = syntax.parse(b, i);
    if (!h || (ref && !syntax.compatible(ref, h))) continue;
    let j = i + syntax.frameBytes(h);
    let count = 1;
    while (count < need) {
      if (j + syntax.headerBytes > b.length) {
        // At the end of the data, a chain whose last frame is complete is a whole stream.
        if (atEof && j <= b.length) count = need;
        break;
      }
      if (atEof && isTrailingTag(b, j)) {
        count = need;
        break;
      }
      const next = syntax.parse(b, j);
      if (!next || !syntax.compatible(h, next)) break;
      j += syntax.frameBytes(next);
      count++;
    }
    if (count >= need) return { at: i, header: h };
  }
  return null;
}

/** Result of {@link findRun}: a frame, or why there is none. */
export type RunSearch<H> = FoundFrame<H> | { at: null; reason: 'eof' | 'limit' };

/**
 * Searches forward from `from` for `need` chained frames, reading windows of about 64 KiB
 * through `reader`. Gives up after `limit` bytes (reason 'limit') or at the end ('eof').
 */
export async function findRun<H>(
  reader: ByteReader,
  syntax: FrameSyntax<H>,
  from: number,
  limit: number,
  need: number,
  ref: H | null,
): Promise<RunSearch<H>> {
  const slack = need * syntax.maxFrameBytes + syntax.headerBytes;
  let pos = from;
  const want = WINDOW + slack;
  // Search what has arrived first (at least FIRST_LOOK bytes) and ask for more only when no
  // run is found in it: on a slow network the first frames are found as soon as they land.
  let min = Math.min(want, FIRST_LOOK);
  while (pos - from < limit) {
    reader.seek(pos);
    const b = await reader.head(min, want);
    const atEof = b.length < min;
    const full = b.length >= want;
    const lastStart = atEof ? b.length : full ? WINDOW : Math.max(0, b.length - slack);
    const found = findRunIn(syntax, b, 0, lastStart, need, ref, atEof);
    if (found) return { at: pos + found.at, header: found.header };
    if (atEof) return { at: null, reason: 'eof' };
    if (!full) {
      min = Math.min(want, Math.max(b.length + 1, min * 2));
      continue;
    }
    min = Math.min(want, FIRST_LOOK);
    pos += WINDOW;
  }
  return { at: null, reason: 'limit' };
}
