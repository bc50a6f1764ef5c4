/**
 * FLAC demuxer: one packet per frame, frame numbers from the frame headers (exact).
 *
 * A frame runs from its header to the next valid header whose sample number follows on
 * (sync, CRC-8, STREAMINFO-consistent codes), or, when the numbers do not follow (a lost
 * frame), to a header where the CRC-16 of the bytes before it checks. The last frame ends at
 * the last point before the end of the resource where the CRC-16 checks, so trailing junk
 * is cut and a truncated last frame is dropped.
 *
 * Seeking is exact: from the SEEKTABLE point (or the current position) at or before the
 * target, or else by bisection over the byte range when the length is known, then frame by
 * frame to the frame that contains the target.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../types.js';
import { parseError } from '../common/errors.js';
import { crc16, crc16Byte, isFlacSync, MAX_FLAC_HEADER_BYTES, parseFlacFrameHeader, type FlacFrameHeader } from './flac-frame.js';
import { readFlacHeader, type FlacHeader } from './flac-metadata.js';

/** A frame's extent. */
interface Span {
  offset: number;
  end: number;
  header: FlacFrameHeader;
}

/** A known frame start. */
interface Mark {
  offset: number;
  sample: number;
}

/** Tuning knobs, in one place. */
export const FLAC_DEFAULTS = {
  /** Bisection stops and frames are walked once the range is this small. */
  bisectStopBytes: 128 * 1024,
  /** A frame larger than this means the stream is broken. */
  maxFrameBytes: 16 * 1024 * 1024,
  /** Bytes searched for a frame header during bisection before giving up on that probe. */
  probeSearchBytes: 256 * 1024,
} as const;

/** Opens a FLAC stream on `reader` (reads from offset 0). */
export async function openFlac(reader: ByteReader): Promise<Demuxer> {
  const header = await readFlacHeader(reader);
  const demuxer = new FlacDemuxer(reader, header);
  if (!(await demuxer.frameStartsAt(header.firstFrameOffset))) {
    throw parseError('FLAC stream has no valid frame after its metadata.');
  }
  return demuxer;
}

class FlacDemuxer implements Demuxer {
  readonly track: TrackInfo;
  private pos: number;
  /** Sample of the frame at `pos`, when known. */
  private posSample: number | undefined = 0;
  /** Initial window for finding a frame's end. */
  private readonly window: number;

  constructor(
    private readonly reader: ByteReader,
    private readonly head: FlacHeader,
  ) {
    const { info } = head;
    this.pos = head.firstFrameOffset;
    this.window = Math.max(8192, info.maxFrameSize + 2 * MAX_FLAC_HEADER_BYTES);
    this.track = {
      container: 'flac',
      codec: 'flac',
      codecString: 'flac',
      sampleRate: info.sampleRate,
      channels: info.channels,
      description: head.description,
      delayFrames: 0,
      prerollFrames: 0,
    };
    if (info.totalSamples > 0) this.track.totalFrames = info.totalSamples;
    const length = reader.length;
    if (length !== undefined && info.totalSamples > 0) {
      this.track.bitrate = Math.round(((length - head.firstFrameOffset) * 8 * info.sampleRate) / info.totalSamples);
    }
  }

  /** Whether a frame (with a findable end) starts at `offset`. */
  async frameStartsAt(offset: number): Promise<boolean> {
    return (await this.spanAt(offset, this.window)) !== null;
  }

  async next(): Promise<EncodedPacket | null> {
    let span = await this.spanAt(this.pos, FLAC_DEFAULTS.maxFrameBytes);
    if (!span) {
      // Not a frame here (corruption): resync on the next frame, if any.
      const found = await this.findFrame(this.pos + 1, Infinity);
      if (!found) return null;
      span = found;
    }
    this.reader.seek(span.offset);
    const data = await this.reader.copy(span.end - span.offset);
    if (data.length < span.end - span.offset) return null;
    this.pos = span.end;
    this.posSample = span.header.sample + span.header.blockSize;
    return { data, frame: span.header.sample, frames: span.header.blockSize, key: true };
  }

  async seek(frame: number): Promise<number> {
    const total = this.head.info.totalSamples;
    let target = Math.max(0, Math.floor(frame));
    if (total > 0) target = Math.min(target, total - 1);
    let from: Mark = { offset: this.head.firstFrameOffset, sample: 0 };
    const point = this.head.seekTable.filter((p) => p.sample <= target).pop();
    if (point && point.sample > 0) {
      const offset = this.head.firstFrameOffset + point.offset;
      if ((await this.sampleAt(offset)) === point.sample) from = { offset, sample: point.sample };
    }
    if (this.posSample !== undefined && this.posSample <= target && this.posSample > from.sample) {
      from = { offset: this.pos, sample: this.posSample };
    }
    // The next seek point past the target bounds the search from above.
    const after = this.head.seekTable.find((p) => p.sample > target && p.sample !== 0xffffffffffffffff);
    const upper = after === undefined ? undefined : { offset: this.head.firstFrameOffset + after.offset, sample: after.sample };
    from = await this.bisect(from, target, upper);
    // Walk frame by frame to the one holding the target.
    let at = from.offset;
    for (;;) {
      const span = (await this.spanAt(at, FLAC_DEFAULTS.maxFrameBytes)) ?? (await this.findFrame(at + 1, Infinity));
      if (!span) break; // past the last frame: position at the end
      if (span.header.sample + span.header.blockSize > target || span.header.sample > target) {
        this.pos = span.offset;
        this.posSample = span.header.sample;
        return span.header.sample;
      }
      at = span.end;
    }
    this.pos = at;
    this.posSample = undefined;
    return total > 0 ? total : target;
  }

  /** Narrows `[from, end of resource)` around `target` by bisection, when the length is known. */
  /**
   * Narrows [from, upper) to a frame at or before `target`. With both ends' sample numbers known
   * (seek points, the end of the file) the probe position is interpolated, which lands within a
   * few frames on the first try; otherwise it halves. Each probe is one read over the network.
   */
  private async bisect(from: Mark, target: number, upper?: Mark): Promise<Mark> {
    const length = this.reader.length;
    if (length === undefined && upper === undefined) return from;
    const total = this.head.info.totalSamples;
    let lo = from;
    let hi: Mark = upper ?? { offset: length as number, sample: total > 0 ? total : NaN };
    while (hi.offset - lo.offset > FLAC_DEFAULTS.bisectStopBytes) {
      let mid = lo.offset + Math.floor((hi.offset - lo.offset) / 2);
      if (Number.isFinite(hi.sample) && hi.sample > lo.sample) {
        const bytesPerSample = (hi.offset - lo.offset) / (hi.sample - lo.sample);
        // Aim one average block early so the probe rarely overshoots and the walk forward is short.
        const early = Math.ceil(bytesPerSample * Math.max(1, this.head.info.maxBlockSize));
        const guess = lo.offset + Math.floor((target - lo.sample) * bytesPerSample) - early;
        mid = Math.min(hi.offset - 1, Math.max(lo.offset + 1, guess));
      }
      const span = await this.findFrame(mid, FLAC_DEFAULTS.probeSearchBytes);
      if (!span || span.offset >= hi.offset) hi = { offset: mid, sample: hi.sample };
      else if (span.header.sample > target) hi = { offset: span.offset, sample: span.header.sample };
      else {
        lo = { offset: span.offset, sample: span.header.sample };
        // Close enough: walking the rest costs less than another probe.
        if (target - lo.sample < 16 * this.head.info.maxBlockSize) break;
      }
    }
    return lo;
  }

  /** The sample number of a frame starting at `offset`, or undefined. */
  private async sampleAt(offset: number): Promise<number | undefined> {
    return (await this.spanAt(offset, this.window))?.header.sample;
  }

  /** The first frame starting at or after `from` (searching at most `limit` bytes). */
  private async findFrame(from: number, limit: number): Promise<Span | null> {
    const step = 64 * 1024;
    const full = step + MAX_FLAC_HEADER_BYTES;
    for (let pos = from; pos - from < limit; pos += step) {
      // Look at what has arrived first (a frame is rarely far); wait for the whole step only
      // when no frame starts in the part already held.
      let scanned = 0;
      let min = Math.min(step, 16 * 1024) + MAX_FLAC_HEADER_BYTES;
      for (;;) {
        this.reader.seek(pos);
        const b = await this.reader.head(min, full);
        const end = Math.min(step, b.length - 1);
        for (let i = scanned; i < end; i++) {
          if (!isFlacSync(b, i) || !parseFlacFrameHeader(b, i, this.head.info)) continue;
          const span = await this.spanAt(pos + i, this.window);
          if (span) return span;
        }
        scanned = Math.max(scanned, end);
        if (b.length >= full) break; // the whole step was searched
        if (b.length < min) return null; // the end of the file
        min = full;
      }
    }
    return null;
  }

  /**
   * The frame starting exactly at `offset` and where it ends, or null when there is no valid
   * header there, or its end is not found within `maxBytes`, or it is cut by the end.
   * The end is the next valid header whose number follows on, or whose preceding bytes pass
   * the CRC-16; when a header that does neither comes first (a damaged frame follows), the
   * end is the first point where the CRC-16 passed.
   */
  private async spanAt(offset: number, maxBytes: number): Promise<Span | null> {
    const { info } = this.head;
    for (let want = this.window; ; want = Math.min(want * 2, maxBytes + MAX_FLAC_HEADER_BYTES)) {
      this.reader.seek(offset);
      const b = await this.reader.peek(want);
      const header = parseFlacFrameHeader(b, 0, info);
      if (!header) return null;
      const expected = header.sample + header.blockSize;
      const min = header.headerBytes + 2;
      if (b.length < min) return null;
      let crc = crc16(b, 0, min);
      let firstZero = 0;
      for (let q = min; q < b.length; q++) {
        if (crc === 0 && firstZero === 0) firstZero = q;
        if (q + 1 < b.length && isFlacSync(b, q)) {
          const h2 = parseFlacFrameHeader(b, q, info);
          if (h2 && (h2.sample === expected || crc === 0)) return { offset, end: offset + q, header };
          if (h2 && firstZero > 0) return { offset, end: offset + firstZero, header };
        }
        crc = crc16Byte(crc, b[q] as number);
      }
      if (b.length < want) {
        // The end of the resource: the whole rest, or up to the first CRC match (junk after).
        const end = crc === 0 ? b.length : firstZero;
        return end > 0 ? { offset, end: offset + end, header } : null;
      }
      if (want >= maxBytes) return null;
    }
  }
}
