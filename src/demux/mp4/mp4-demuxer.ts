/**
 * The progressive (non-fragmented) MP4/M4A/MOV demuxer: finds `moov` with a top-level box walk
 * that steps over `mdat` by its size (so a "moov at the end" file costs one ranged read far
 * ahead, never a read of the media data), picks the first audio track, and serves its samples
 * in sample order, reading consecutive samples of a chunk with one read.
 */
import { KitharaError } from '../../platform/errors.js';
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../types.js';
import { findPath, readBoxHeader, type BoxHeader } from './box.js';
import { parseMoov, type Mp4Movie, type Mp4Track } from './movie.js';
import { parseAudioSampleEntry, type Mp4AudioEntry } from './sample-entry.js';
import { SampleTable } from './sample-table.js';

/** Tunables of the MP4 demuxer. */
export const MP4_DEFAULTS = {
  /** Largest `moov` accepted, in bytes. Defaults to 64 MiB. */
  maxMoovBytes: 64 * 1024 * 1024,
  /** Most bytes read at once when coalescing the samples of one chunk. Defaults to 256 KiB. */
  maxBatchBytes: 256 * 1024,
  /** Frames per packet when uncompressed samples (one frame each) are grouped. Defaults to 4096. */
  pcmPacketFrames: 4096,
  /** Most top-level boxes walked while looking for `moov`. Defaults to 10000. */
  maxTopLevelBoxes: 10_000,
} as const;

/** Decoder preroll by codec, in decoder-output frames. */
const PREROLL: Partial<Record<TrackInfo['codec'], number>> = { aac: 2048, mp3: 2304, opus: 3840 };

/** Where `moov` was found and what the walk saw on the way. */
interface TopLevel {
  moovBytes: Uint8Array;
  moov: BoxHeader;
  /** Offset of the first `mdat` header, when one was passed. */
  mdatOffset: number | undefined;
}

/** Walks top-level boxes until `moov`, skipping everything else (mdat included) by its size. */
async function findMoov(reader: ByteReader): Promise<TopLevel> {
  let offset = 0;
  let mdatOffset: number | undefined;
  for (let n = 0; n < MP4_DEFAULTS.maxTopLevelBoxes; n++) {
    const length = reader.length;
    if (length !== undefined && offset + 8 > length) break;
    reader.seek(offset);
    const head = await reader.peek(16);
    if (head.byteLength < 8) break;
    const h = readBoxHeader(head, 0);
    if (!h) break;
    if (h.type === 'moov') {
      let size = h.size;
      if (size === Infinity) {
        if (length === undefined) throw new KitharaError('unsupported', 'MP4 moov runs to an unknown end.');
        size = length - offset;
      }
      if (size > MP4_DEFAULTS.maxMoovBytes) throw new KitharaError('unsupported', `MP4 moov is too large (${size} bytes).`);
      const moovBytes = await reader.copy(size);
      if (moovBytes.byteLength < size) throw new KitharaError('parse', 'MP4 file is truncated inside moov.');
      return { moovBytes, moov: { ...h, start: 0, size }, mdatOffset };
    }
    if (n === 0 && !/^[\x20-\x7e]{4}$/.test(h.type)) throw new KitharaError('parse', 'Not an MP4 file: bad first box.');
    if (h.type === 'mdat') mdatOffset ??= offset;
    if (h.size === Infinity) break;
    offset += h.size;
  }
  throw new KitharaError('parse', 'MP4 file has no moov box before its end.');
}

/** Picks delay and total frames from the edit list, iTunSMPB or the sample durations. */
function gapless(
  movie: Mp4Movie,
  track: Mp4Track,
  entry: Mp4AudioEntry,
  sumFrames: number,
  toFrames: (t: number) => number,
  sampleRate: number,
): { delayFrames: number; totalFrames: number } {
  const edit = track.edits.find((e) => e.mediaTime !== -1);
  let delayFrames = 0;
  if (edit && edit.mediaTime > 0) delayFrames = toFrames(edit.mediaTime);
  else if (movie.iTunSmpb) delayFrames = movie.iTunSmpb.delay;
  else if (entry.preSkip !== undefined) delayFrames = entry.preSkip;
  const fromSamples = Math.max(0, sumFrames - delayFrames);
  let totalFrames = fromSamples;
  if (edit && edit.segmentDuration > 0) {
    const fromEdit = Math.round((edit.segmentDuration * sampleRate) / movie.timescale);
    // A coarse movie timescale (often 1000) rounds the edit; when the sample durations agree to
    // within one movie tick, they are the exact count.
    totalFrames = Math.abs(fromEdit - fromSamples) < sampleRate / movie.timescale ? fromSamples : Math.min(fromEdit, fromSamples);
  } else if (movie.iTunSmpb && movie.iTunSmpb.samples > 0) {
    totalFrames = movie.iTunSmpb.samples;
  }
  return { delayFrames, totalFrames };
}

/** Opens an MP4 file on `reader` (positioned anywhere; the walk starts at 0). */
export async function openMp4(reader: ByteReader): Promise<Mp4Demuxer> {
  const { moovBytes, moov } = await findMoov(reader);
  const movie = parseMoov(moovBytes, moov);
  const track = movie.tracks.find((t) => t.handler === 'soun' && t.stbl);
  if (!track || !track.stbl) throw new KitharaError('unsupported', 'MP4 file has no audio track.');
  const stsdBox = findPath(moovBytes, track.stbl, ['stsd']);
  if (!stsdBox) throw new KitharaError('parse', 'MP4 audio track has no stsd box.');
  const entry = parseAudioSampleEntry(moovBytes, stsdBox);
  const table = SampleTable.fromStbl(moovBytes, track.stbl, entry.pcm?.blockAlign ?? 0);
  if (table.count === 0 && movie.fragmented) {
    throw new KitharaError('unsupported', 'Fragmented MP4 files are read by the fmp4 demuxer.');
  }
  let sampleRate = entry.sampleRate || track.timescale;
  // Implicit SBR: the core config says half the rate the media clock runs at.
  if (entry.codec === 'aac' && track.timescale === 2 * sampleRate) sampleRate = track.timescale;
  const timescale = track.timescale;
  const toFrames = timescale === sampleRate ? (t: number) => t : (t: number) => Math.round((t * sampleRate) / timescale);
  const { delayFrames, totalFrames } = gapless(movie, track, entry, toFrames(table.duration), toFrames, sampleRate);
  const info: TrackInfo = {
    container: 'mp4',
    codec: entry.codec,
    codecString: entry.codecString,
    sampleRate,
    channels: entry.channels,
    delayFrames,
    totalFrames,
    prerollFrames: PREROLL[entry.codec] ?? 0,
  };
  if (entry.description) info.description = entry.description;
  if (entry.pcm) info.pcm = entry.pcm;
  if (entry.bitrate) info.bitrate = entry.bitrate;
  return new Mp4Demuxer(reader, info, table, timescale, toFrames);
}

/** Serves one track's samples as packets. Created by {@link openMp4}. */
export class Mp4Demuxer implements Demuxer {
  private nextSample = 0;
  private queue: EncodedPacket[] = [];
  private readonly pcmGroup: number;

  /** @internal */
  constructor(
    private readonly reader: ByteReader,
    readonly track: TrackInfo,
    /** The track's sample table. */
    readonly samples: SampleTable,
    private readonly timescale: number,
    private readonly toFrames: (t: number) => number,
  ) {
    this.pcmGroup = track.codec === 'pcm' ? MP4_DEFAULTS.pcmPacketFrames : 1;
  }

  async next(): Promise<EncodedPacket | null> {
    const queued = this.queue.shift();
    if (queued) return queued;
    const table = this.samples;
    const first = this.nextSample;
    if (first >= table.count) return null;
    // Coalesce the following samples of the same chunk into one read.
    const chunkEnd = Math.min(table.chunkFirstSample(table.chunkOf(first) + 1), table.count);
    let end = first + 1;
    let bytes = table.size(first);
    while (end < chunkEnd && bytes + table.size(end) <= MP4_DEFAULTS.maxBatchBytes) bytes += table.size(end++);
    const offset = table.offset(first);
    this.reader.seek(offset);
    // Take the samples whose bytes have arrived (at least the first): on a slow network the
    // first packets go out without waiting for a whole batch.
    const head = await this.reader.head(table.size(first), bytes);
    if (head.byteLength < table.size(first)) throw new KitharaError('parse', `MP4 file is truncated: sample ${first} at ${offset} is missing.`);
    let have = table.size(first);
    let fit = first + 1;
    while (fit < end && have + table.size(fit) <= head.byteLength) have += table.size(fit++);
    end = fit;
    bytes = have;
    const data = head;
    this.reader.seek(offset + bytes);
    let at = 0;
    for (let s = first; s < end; ) {
      const groupEnd = Math.min(end, s + this.pcmGroup);
      let size = 0;
      for (let k = s; k < groupEnd; k++) size += table.size(k);
      const frame = this.toFrames(table.time(s));
      this.queue.push({
        data: data.slice(at, at + size),
        frame,
        frames: this.toFrames(table.time(groupEnd)) - frame,
        key: table.isSync(s),
      });
      at += size;
      s = groupEnd;
    }
    this.nextSample = end;
    return this.queue.shift() ?? null;
  }

  async seek(frame: number): Promise<number> {
    const t = this.timescale === this.track.sampleRate ? frame : (frame * this.timescale) / this.track.sampleRate;
    const s = this.samples.syncAtOrBefore(this.samples.sampleAtTime(Math.max(0, t)));
    this.nextSample = s;
    this.queue = [];
    return this.toFrames(this.samples.time(s));
  }
}
