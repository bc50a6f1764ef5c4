/**
 * Fragmented MP4 (CMAF / HLS fMP4) segments: an init segment (`ftyp` + `moov` with `mvex/trex`)
 * then media segments of `moof` + `mdat` pairs (plus `styp`, `sidx`, `emsg`, `prft`, which are
 * skipped). The box walk is streaming: a `moof` is parsed once it is whole, and each of its
 * samples leaves as soon as its bytes in the `mdat` have arrived, so the first packets come out
 * long before the segment is complete. Sample layout comes from `mp4/fragment.ts` (tfhd/trun
 * with `trex` defaults, default-base-is-moof, explicit base offsets, several trafs).
 *
 * Timing: `frame` = (tfdt baseMediaDecodeTime + the durations of the earlier samples of the
 * fragment) converted from the mdhd timescale to the output rate; a fragment without tfdt
 * continues from the previous one. `delayFrames` comes from the init's edit list (its first
 * non-empty edit's media_time), else iTunSMPB, else Opus pre-skip, else 0 — as for progressive MP4.
 */
import type { EncodedPacket, TrackInfo } from '../types.js';
import { parseError, unsupportedError } from '../common/errors.js';
import { findPath, readBoxHeader, type BoxHeader } from '../mp4/box.js';
import { parseFragment, type FragmentSamples } from '../mp4/fragment.js';
import { parseMoov, type Mp4TrackDefaults } from '../mp4/movie.js';
import { parseAudioSampleEntry } from '../mp4/sample-entry.js';
import { ByteQueue } from './byte-queue.js';
import type { Fmp4SegmentDemuxer } from './types.js';

/** Tunables of the fMP4 segment demuxer. */
export const FMP4_DEFAULTS = {
  /** Largest `moof` or `moov` box held in memory to parse. Defaults to 16 MiB. */
  maxBoxBytes: 16 * 1024 * 1024,
} as const;

/** Decoder preroll by codec, in decoder-output frames (as for progressive MP4). */
const PREROLL: Partial<Record<TrackInfo['codec'], number>> = { aac: 2048, mp3: 2304, opus: 3840 };

/** What the init segment says about the audio track. */
interface Fmp4Init {
  track: TrackInfo;
  trackId: number;
  timescale: number;
  defaults: Mp4TrackDefaults | undefined;
}

/** A parsed fragment's samples still to be emitted. */
interface PendingRun {
  samples: FragmentSamples;
  /** Next sample to emit. */
  index: number;
  /** Decode time of that sample, in the media timescale. */
  time: number;
}

/** Parses the `moov` whose header is `moov` inside `bytes` into the audio track's facts. */
function parseInit(bytes: Uint8Array, moov: BoxHeader): Fmp4Init {
  const movie = parseMoov(bytes, moov);
  const t = movie.tracks.find((x) => x.handler === 'soun' && x.stbl);
  if (!t || !t.stbl) throw unsupportedError('fMP4 init segment has no audio track.');
  const stsd = findPath(bytes, t.stbl, ['stsd']);
  if (!stsd) throw parseError('fMP4 audio track has no stsd box.');
  const entry = parseAudioSampleEntry(bytes, stsd);
  let sampleRate = entry.sampleRate || t.timescale;
  // Implicit SBR: the core config says half the rate the media clock runs at.
  if (entry.codec === 'aac' && t.timescale === 2 * sampleRate) sampleRate = t.timescale;
  const edit = t.edits.find((e) => e.mediaTime !== -1);
  let delayFrames = 0;
  if (edit && edit.mediaTime > 0) delayFrames = Math.round((edit.mediaTime * sampleRate) / t.timescale);
  else if (movie.iTunSmpb) delayFrames = movie.iTunSmpb.delay;
  else if (entry.preSkip !== undefined) delayFrames = entry.preSkip;
  const track: TrackInfo = {
    container: 'fmp4',
    codec: entry.codec,
    codecString: entry.codecString,
    sampleRate,
    channels: entry.channels,
    delayFrames,
    prerollFrames: PREROLL[entry.codec] ?? 0,
  };
  if (entry.description) track.description = entry.description;
  if (entry.pcm) track.pcm = entry.pcm;
  if (entry.bitrate) track.bitrate = entry.bitrate;
  return { track, trackId: t.id, timescale: t.timescale, defaults: t.defaults };
}

/** Whether a four-character code is printable ASCII (a real box type). */
function printable(type: string): boolean {
  return /^[\x20-\x7e]{4}$/.test(type);
}

class Fmp4Demuxer implements Fmp4SegmentDemuxer {
  segmentByteOffset = 0;
  firstPts: number | undefined;
  segmentPts: number | undefined;
  private init: Fmp4Init | undefined;
  private readonly q = new ByteQueue();
  /** Segment position of the next top-level box header (`Infinity`: the rest is one box). */
  private next = 0;
  private pending: PendingRun[] = [];
  /** Decode time after the last queued sample: where a fragment without tfdt starts. */
  private queuedEnd: number | undefined;
  private samplesThisSegment = 0;

  get track(): TrackInfo | undefined {
    return this.init?.track;
  }

  setInit(bytes: Uint8Array): void {
    for (let at = 0; at + 8 <= bytes.byteLength; ) {
      const h = readBoxHeader(bytes, at);
      if (!h || !printable(h.type)) break;
      if (h.type === 'moov') {
        this.init = parseInit(bytes, { ...h, size: Math.min(h.size, bytes.byteLength - at) });
        return;
      }
      if (h.size === Infinity) break;
      at += h.size;
    }
    throw parseError('fMP4 init segment has no moov box.');
  }

  push(bytes: Uint8Array): EncodedPacket[] {
    const out: EncodedPacket[] = [];
    this.guard(() => {
      this.q.append(bytes);
      this.process(out);
    });
    return out;
  }

  endSegment(): EncodedPacket[] {
    const out: EncodedPacket[] = [];
    this.guard(() => {
      this.process(out);
      const missing = this.pending.reduce((n, r) => n + r.samples.sizes.length - r.index, 0);
      if (missing > 0) throw parseError(`fMP4 segment ended before the data of ${missing} samples arrived.`);
      if (this.next < this.q.end) throw parseError('fMP4 segment ends inside a box.');
    });
    this.clearSegment();
    return out;
  }

  reset(): void {
    this.clearSegment();
    this.queuedEnd = undefined;
    this.firstPts = undefined;
    this.segmentPts = undefined;
  }

  private clearSegment(): void {
    this.q.clear();
    this.next = 0;
    this.pending = [];
    this.samplesThisSegment = 0;
  }

  private guard(body: () => void): void {
    try {
      body();
    } catch (err) {
      this.clearSegment();
      throw err;
    }
  }

  /** Walks the boxes that have arrived and emits the samples whose bytes are in. */
  private process(out: EncodedPacket[]): void {
    for (;;) {
      this.emitReady(out);
      if (!this.step()) break;
    }
    const firstSample = this.pending[0];
    const keep = firstSample ? firstSample.samples.offsets[firstSample.index]! - this.segmentByteOffset : Infinity;
    this.q.discard(Math.min(this.next, keep, this.q.end));
  }

  /** Handles the top-level box at `next` if enough of it is here; returns whether it advanced. */
  private step(): boolean {
    const q = this.q;
    if (this.next === Infinity || this.next + 8 > q.end) return false;
    const v = q.view();
    const h = readBoxHeader(v, this.next - q.base);
    if (!h) return false;
    if (!printable(h.type)) throw parseError('Not an fMP4 segment: bad box type.');
    if (h.type === 'moof' || h.type === 'moov') {
      if (h.size === Infinity || h.size > FMP4_DEFAULTS.maxBoxBytes) {
        throw parseError(`fMP4 '${h.type}' box has an unsupported size ${h.size}.`);
      }
      if (this.next + h.size > q.end) return false;
      const box = v.subarray(h.start, h.start + h.size);
      if (h.type === 'moov') this.init = parseInit(box, { ...h, start: 0 });
      else this.queueFragment(box);
    }
    this.next += h.size;
    return true;
  }

  private queueFragment(moof: Uint8Array): void {
    const init = this.init;
    if (!init) throw parseError('fMP4 media segment arrived before an init segment (no moov).');
    const samples = parseFragment(moof, this.segmentByteOffset + this.next, init.trackId, init.defaults);
    if (!samples) return;
    const first = samples.offsets[0];
    if (first !== undefined && first - this.segmentByteOffset < this.q.base) {
      throw parseError('fMP4 sample data lies before its moof.');
    }
    const time = samples.baseDecodeTime ?? this.queuedEnd ?? 0;
    let end = time;
    for (const d of samples.durations) end += d;
    this.queuedEnd = end;
    this.pending.push({ samples, index: 0, time });
  }

  private emitReady(out: EncodedPacket[]): void {
    const init = this.init;
    if (!init) return;
    const { sampleRate } = init.track;
    const ts = init.timescale;
    const toFrames = ts === sampleRate ? (t: number) => t : (t: number) => Math.round((t * sampleRate) / ts);
    for (let run = this.pending[0]; run; run = this.pending[0]) {
      const s = run.samples;
      for (; run.index < s.sizes.length; run.index++) {
        const start = s.offsets[run.index]! - this.segmentByteOffset;
        const size = s.sizes[run.index]!;
        if (start < this.q.base) throw parseError('fMP4 samples overlap or run backwards.');
        if (start + size > this.q.end) return;
        const duration = s.durations[run.index]!;
        const frame = toFrames(run.time);
        if (this.samplesThisSegment++ === 0) {
          this.segmentPts = run.time / ts;
          this.firstPts ??= this.segmentPts;
        }
        const at = start - this.q.base;
        out.push({ data: this.q.view().slice(at, at + size), frame, frames: toFrames(run.time + duration) - frame, key: s.sync[run.index] === 1 });
        run.time += duration;
      }
      this.pending.shift();
    }
  }
}

/** Creates a demuxer for fMP4 (CMAF) HLS segments: give it the init segment first (`setInit` or `push`). */
export function createFmp4SegmentDemuxer(): Fmp4SegmentDemuxer {
  return new Fmp4Demuxer();
}
