/**
 * MPEG audio elementary streams (.mp3, .mp2, .mp1): frames found by sync, the Xing/Info or
 * VBRI frame read for length and seek table, LAME's tag read for gapless trimming.
 *
 * Timeline: packet `i` (the i-th audio frame; the Xing/Info/VBRI frame is not a packet)
 * starts at frame `i * samplesPerFrame` of the decoder output. The decoder output lags the
 * encoder input by the encoder delay (LAME tag, usually 576) plus the layer III decoder
 * delay of 529 samples (528 of the synthesis filterbank + 1, the figure LAME's gapless
 * documentation and libmpg123's GAPLESS_DELAY use, and the one ffmpeg's mp3 demuxer adds
 * to the LAME delay). Measured on the fixtures: ffmpeg skips exactly 576 + 529 = 1105
 * samples, and the untrimmed decode of a LAME file has the analytic signal's t=0 at output
 * sample 1105. The LAME padding counts from the end of the decoder output, so
 * totalFrames = audioFrames × samplesPerFrame − delay − padding (no extra 529; ffmpeg's
 * decoded sample count agrees on every fixture).
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../types.js';
import { parseError } from '../common/errors.js';
import { skipId3v2 } from '../common/id3.js';
import { findRun } from '../common/sync-scan.js';
import { averageEstimator, FrameWalker, type FrameEstimator, type FrameWalkerOptions } from '../common/frame-walker.js';
import { averageFrameBytes, MPEG_SYNTAX, type MpegHeader } from './mpeg-header.js';
import { parseVbrHeader, type VbrHeader } from './vbr-header.js';
import { MP3_ASSUMED_ENCODER_DELAY, MP3_DECODER_DELAY, mpegTrack } from './mpeg-track.js';

export { MP3_ASSUMED_ENCODER_DELAY, MP3_DECODER_DELAY, MP3_PREROLL_FRAMES } from './mpeg-track.js';




/** Tuning for {@link openMp3}; every field is optional. */
export interface Mp3Options extends Partial<FrameWalkerOptions> {
  /** Bytes searched for the first frame after any ID3v2 tags. Defaults to 1 MiB. */
  searchLimit?: number;
}

/** Defaults of {@link Mp3Options}. */
export const MP3_DEFAULTS = {
  /** A seek walks frame headers (exact) when the target is estimated within 2 MiB. */
  maxScanAhead: 2 * 1024 * 1024,
  /** Garbage tolerated between frames before failing. */
  resyncLimit: 1024 * 1024,
  /** Garbage tolerated before the first frame. */
  searchLimit: 1024 * 1024,
} as const;

/** Opens an MPEG audio stream on `reader` (positioned anywhere; reads from 0). */
export async function openMp3(reader: ByteReader, options: Mp3Options = {}): Promise<Demuxer> {
  const opts = { ...MP3_DEFAULTS, ...options };
  const start = await skipId3v2(reader, 0);
  const found = await findRun(reader, MPEG_SYNTAX, start, opts.searchLimit, 3, null);
  if (found.at === null) throw parseError('No MPEG audio frames found (expected three consecutive valid frame headers).');
  const first = found.header;
  reader.seek(found.at);
  const firstFrame = await reader.copy(first.frameBytes);
  const vbr = parseVbrHeader(firstFrame, first);
  const audioStart = vbr ? found.at + first.frameBytes : found.at;
  const walker = new FrameWalker(reader, MPEG_SYNTAX, first, audioStart, opts);
  const cbr = vbr ? vbr.kind === 'info' : await looksConstant(walker);
  const track = trackInfo(first, vbr, cbr);
  return new Mp3Demuxer(track, walker, estimator(walker, first, vbr, cbr, found.at), first.samplesPerFrame);
}

/** Whether the first three audio frames share one bitrate (then the walker is rewound). */
async function looksConstant(walker: FrameWalker<MpegHeader>): Promise<boolean> {
  const rates = new Set<number>();
  for (let i = 0; i < 3; i++) {
    const f = await walker.step(false);
    if (f) rates.add(f.header.bitrate);
  }
  await walker.seekIndex(0, { offsetOf: () => null, indexOf: () => 0 });
  return rates.size <= 1;
}


function trackInfo(h: MpegHeader, vbr: VbrHeader | null, cbr: boolean): TrackInfo {
  const spf = h.samplesPerFrame;
  const decoderDelay = h.layer === 3 ? MP3_DECODER_DELAY : 0;
  let delayFrames = h.layer === 3 ? MP3_ASSUMED_ENCODER_DELAY + decoderDelay : 0;
  let totalFrames: number | undefined;
  if (vbr?.frames !== undefined && vbr.frames > 0) {
    const all = vbr.frames * spf;
    const lame = vbr.lame;
    if (lame && all - lame.delay - lame.padding > 0) {
      delayFrames = lame.delay + decoderDelay;
      totalFrames = all - lame.delay - lame.padding;
    } else {
      totalFrames = Math.max(0, all - delayFrames);
    }
  }
  let bitrate = h.bitrate;
  if (!cbr && vbr?.frames && vbr.bytes) bitrate = Math.round((vbr.bytes * 8 * h.sampleRate) / (vbr.frames * spf));
  const track: TrackInfo = { ...mpegTrack('mp3', h), delayFrames, bitrate };
  if (totalFrames !== undefined) track.totalFrames = totalFrames;
  return track;
}

/** Frame number <-> byte offset, from the Xing TOC, the VBRI TOC, or the bitrate. */
function estimator(
  walker: FrameWalker<MpegHeader>,
  first: MpegHeader,
  vbr: VbrHeader | null,
  cbr: boolean,
  vbrFrameOffset: number,
): FrameEstimator {
  const base = walker.firstOffset;
  if (cbr) {
    const avg = averageFrameBytes(first);
    return {
      offsetOf: (k) => Math.max(base, base + Math.floor(k * avg) - 2),
      indexOf: (o) => Math.round((o - base) / avg),
    };
  }
  const frames = vbr?.frames;
  const bytes = vbr?.bytes;
  if (vbr?.toc && frames && bytes) return xingTocEstimator(vbr.toc, frames, bytes, vbrFrameOffset, bytes / frames);
  if (vbr?.vbriToc && vbr.tocFrames && frames) return vbriEstimator(vbr.vbriToc, vbr.tocFrames, base);
  return averageEstimator(walker, first.frameBytes);
}

function xingTocEstimator(toc: Uint8Array, frames: number, bytes: number, origin: number, avg: number): FrameEstimator {
  const at = (i: number): number => (i >= 100 ? 256 : (toc[i] as number));
  return {
    offsetOf: (k) => {
      const pct = Math.min(99.999, Math.max(0, (k / frames) * 100));
      const i = Math.floor(pct);
      const frac = at(i) + (at(i + 1) - at(i)) * (pct - i);
      return Math.max(origin, Math.floor(origin + (frac / 256) * bytes - avg));
    },
    indexOf: (o) => {
      const frac = ((o - origin) / bytes) * 256;
      let i = 0;
      while (i < 99 && at(i + 1) <= frac) i++;
      const span = at(i + 1) - at(i);
      const pct = i + (span > 0 ? Math.min(1, Math.max(0, (frac - at(i)) / span)) : 0);
      return Math.min(frames - 1, Math.round((pct / 100) * frames));
    },
  };
}

function vbriEstimator(toc: number[], tocFrames: number, base: number): FrameEstimator {
  const starts = [0];
  for (const size of toc) starts.push((starts[starts.length - 1] as number) + size);
  return {
    offsetOf: (k) => {
      const i = Math.min(toc.length - 1, Math.floor(k / tocFrames));
      const within = Math.min(1, k / tocFrames - i) * (toc[i] as number);
      return base + Math.floor((starts[i] as number) + within);
    },
    indexOf: (o) => {
      let i = 0;
      while (i + 1 < starts.length && base + (starts[i + 1] as number) <= o) i++;
      const span = (starts[i + 1] ?? (starts[i] as number) + 1) - (starts[i] as number);
      return Math.round((i + Math.min(1, (o - base - (starts[i] as number)) / Math.max(1, span))) * tocFrames);
    },
  };
}

/** The MP3 {@link Demuxer}: one packet per audio frame, every packet a key packet. */
class Mp3Demuxer implements Demuxer {
  constructor(
    readonly track: TrackInfo,
    private readonly walker: FrameWalker<MpegHeader>,
    private readonly est: FrameEstimator,
    private readonly spf: number,
  ) {}

  async next(): Promise<EncodedPacket | null> {
    const f = await this.walker.step(true);
    if (!f) return null;
    return { data: f.data, frame: f.index * this.spf, frames: this.spf, key: true };
  }

  async seek(frame: number): Promise<number> {
    const k = await this.walker.seekIndex(Math.floor(Math.max(0, frame) / this.spf), this.est);
    return k * this.spf;
  }
}
