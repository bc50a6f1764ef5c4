/**
 * Splits a pushed elementary audio stream (ADTS AAC or MPEG audio) into frames, across any
 * chunking: frames may straddle pushes and PES packets. Locks on a frame whose successor chains
 * up (or that ends the segment exactly), then takes frames back to back; on a broken chain it
 * scans for sync again. ID3v2 tags between frames (packed audio) are stepped over.
 *
 * Timing: the demuxer marks where a timestamp applies (`mark`: the PES PTS for the first frame
 * that starts at or after that byte, or the packed-audio PRIV timestamp). The first frame of a
 * segment takes the last mark at or before it; later frames follow contiguously.
 */
import type { ContainerId, EncodedPacket, TrackInfo } from '../types.js';
import { parseError } from '../common/errors.js';
import { id3v2TagSize, startsWith } from '../common/id3.js';
import { ADTS_SYNTAX, type AdtsHeader } from '../adts/adts-header.js';
import { MPEG_SYNTAX, type MpegHeader } from '../mp3/mpeg-header.js';
import { ByteQueue } from './byte-queue.js';
import { adtsTrack, checkAdtsSupported, mpegTrack } from './elementary-track.js';
import { PTS_CLOCK, PtsUnwrapper, ptsToFrames } from './timeline.js';

/** The two elementary frame syntaxes. */
export type ElementaryKind = 'adts' | 'mpeg';

/** Tunables of the elementary frame splitter. */
export const SPLITTER_DEFAULTS = {
  /** Bytes skipped while searching for sync within one segment before failing. Defaults to 64 KiB. */
  maxGarbageBytes: 64 * 1024,
} as const;

type Frame = { kind: 'adts'; h: AdtsHeader } | { kind: 'mpeg'; h: MpegHeader };

function parseAt(kind: ElementaryKind, b: Uint8Array, at: number): Frame | null {
  if (kind === 'adts') {
    const h = ADTS_SYNTAX.parse(b, at);
    return h ? { kind, h } : null;
  }
  const h = MPEG_SYNTAX.parse(b, at);
  return h ? { kind, h } : null;
}

function compatible(a: Frame, b: Frame): boolean {
  if (a.kind === 'adts' && b.kind === 'adts') return ADTS_SYNTAX.compatible(a.h, b.h);
  if (a.kind === 'mpeg' && b.kind === 'mpeg') return MPEG_SYNTAX.compatible(a.h, b.h);
  return false;
}

const HEADER_BYTES = { adts: ADTS_SYNTAX.headerBytes, mpeg: MPEG_SYNTAX.headerBytes } as const;

/** Timestamp bookkeeping shared by the elementary-stream demuxers. */
export interface SplitterClock {
  firstPts: number | undefined;
  segmentPts: number | undefined;
}

/** Frame splitter for one elementary audio stream; one segment at a time. */
export class FrameSplitter implements SplitterClock {
  /** The track, after the first frame locked. */
  track: TrackInfo | undefined;
  firstPts: number | undefined;
  segmentPts: number | undefined;
  private readonly q = new ByteQueue();
  private readonly unwrapper = new PtsUnwrapper();
  private ref: Frame | undefined;
  /** Absolute position of the next byte to examine. */
  private pos = 0;
  private skipUntil = 0;
  private locked = false;
  private garbage = 0;
  private framesThisSegment = 0;
  private bytesThisSegment = 0;
  /** Timestamp marks (absolute byte position, raw 90 kHz value) until the segment's first frame. */
  private marks: { at: number; pts: number }[] = [];
  /** Frame of the next packet: contiguous within a segment, the fallback anchor for the next. */
  private nextFrame: number | undefined;

  /**
   * @param container The container the track reports, by the syntax found.
   * @param kinds The syntaxes to look for; the first one that locks is kept for the stream.
   */
  constructor(
    private readonly container: Readonly<Record<ElementaryKind, ContainerId>>,
    private kinds: readonly ElementaryKind[],
  ) {}

  /** The next appended byte starts a PES (or segment) with this raw 33-bit 90 kHz timestamp. */
  mark(rawPts: number): void {
    if (this.framesThisSegment === 0) this.marks.push({ at: this.q.end, pts: rawPts });
  }

  /** Appends elementary stream bytes. */
  append(bytes: Uint8Array): void {
    this.q.append(bytes);
    this.bytesThisSegment += bytes.byteLength;
  }

  /** Emits every complete frame into `out`; `final` when no more bytes of this segment follow. */
  drain(out: EncodedPacket[], final: boolean): void {
    const v = this.q.view();
    const base = this.q.base;
    const n = v.byteLength;
    let i = this.pos - base;
    while (i < n) {
      if (base + i < this.skipUntil) {
        i = Math.min(n, this.skipUntil - base);
        continue;
      }
      if (this.locked && this.ref) {
        const kind = this.ref.kind;
        if (n - i < HEADER_BYTES[kind]) break;
        const f = parseAt(kind, v, i);
        if (f && compatible(this.ref, f)) {
          const size = f.h.frameBytes;
          if (i + size > n) break;
          this.emit(out, v, i, f);
          i += size;
          continue;
        }
        this.locked = false;
      }
      // Searching for sync (or an ID3v2 tag).
      if (n - i < 10 && !final) break;
      if (startsWith(v, i, 'ID3')) {
        const tag = id3v2TagSize(v, i);
        if (tag > 0) {
          this.skipUntil = base + i + tag;
          continue;
        }
      }
      const verdict = this.candidate(v, i, n, final);
      if (verdict === 'wait') break;
      if (verdict) {
        this.locked = true;
        if (!this.ref) {
          this.ref = verdict;
          this.kinds = [verdict.kind];
          this.track =
            verdict.kind === 'adts' ? adtsTrack(this.container.adts, verdict.h) : mpegTrack(this.container.mpeg, verdict.h);
        }
        continue;
      }
      i++;
      if (++this.garbage > SPLITTER_DEFAULTS.maxGarbageBytes) {
        throw parseError(`No ${this.kinds.join('/')} audio frame sync within ${this.garbage} bytes of a segment.`);
      }
    }
    this.pos = base + i;
    this.q.discard(this.pos);
  }

  /** Whether a frame at `i` starts a chain: its successor is a compatible header or a tag, or it ends the data. */
  private candidate(v: Uint8Array, i: number, n: number, final: boolean): Frame | null | 'wait' {
    for (const kind of this.kinds) {
      if (n - i < HEADER_BYTES[kind]) return final ? null : 'wait';
      const f = parseAt(kind, v, i);
      if (!f || (this.ref && !compatible(this.ref, f))) continue;
      const next = i + f.h.frameBytes;
      if (next === n && final) return f;
      if (next + 3 <= n && startsWith(v, next, 'ID3')) return f;
      if (next + HEADER_BYTES[kind] > n) {
        if (final) continue;
        return 'wait';
      }
      const g = parseAt(kind, v, next);
      if (g && compatible(f, g)) return f;
    }
    return null;
  }

  private emit(out: EncodedPacket[], v: Uint8Array, i: number, f: Frame): void {
    const track = this.track;
    if (!track) return;
    if (this.framesThisSegment === 0) this.anchor(this.q.base + i, track.sampleRate);
    const frame = this.nextFrame ?? 0;
    let data: Uint8Array;
    let frames: number;
    if (f.kind === 'adts') {
      checkAdtsSupported(f.h);
      data = v.slice(i + f.h.headerBytes, i + f.h.frameBytes);
      frames = 1024;
    } else {
      data = v.slice(i, i + f.h.frameBytes);
      frames = f.h.samplesPerFrame;
    }
    out.push({ data, frame, frames, key: true });
    this.nextFrame = frame + frames;
    this.framesThisSegment++;
  }

  /** Places the segment's first frame: at the last mark before it, else right after the previous segment. */
  private anchor(at: number, sampleRate: number): void {
    let mark: { at: number; pts: number } | undefined;
    for (const m of this.marks) if (m.at <= at) mark = m;
    this.marks = [];
    if (mark) {
      const pts = this.unwrapper.unwrap(mark.pts);
      this.nextFrame = ptsToFrames(pts, sampleRate);
      this.segmentPts = pts / PTS_CLOCK;
    } else {
      this.nextFrame ??= 0;
      this.segmentPts = this.nextFrame / sampleRate;
    }
    this.firstPts ??= this.segmentPts;
  }

  /**
   * Ends the segment: emits the last frames, then fails with `parse` when the segment held
   * bytes but no frame, or ends inside a frame. Either way the splitter is ready for the next.
   */
  endSegment(out: EncodedPacket[]): void {
    try {
      this.drain(out, true);
      const left = this.q.end - this.pos;
      if (this.bytesThisSegment > 0 && this.framesThisSegment === 0 && this.skipUntil < this.q.end) {
        throw parseError(`No ${this.kinds.join('/')} audio frames found in a ${this.bytesThisSegment}-byte segment.`);
      }
      if (this.locked && this.ref && left >= HEADER_BYTES[this.ref.kind] && parseAt(this.ref.kind, this.q.view(), this.pos - this.q.base)) {
        throw parseError(`The segment ends inside an audio frame (${left} bytes of it arrived).`);
      }
    } finally {
      this.clearSegment();
    }
  }

  /** Forgets the current segment's bytes; keeps the track and the timestamp reference. */
  clearSegment(): void {
    this.q.clear();
    this.pos = 0;
    this.skipUntil = 0;
    this.locked = false;
    this.garbage = 0;
    this.framesThisSegment = 0;
    this.bytesThisSegment = 0;
    this.marks = [];
  }

  /** After a seek: forgets partial state and the continuity anchor. */
  reset(): void {
    this.clearSegment();
    this.nextFrame = undefined;
    this.firstPts = undefined;
    this.segmentPts = undefined;
  }
}
