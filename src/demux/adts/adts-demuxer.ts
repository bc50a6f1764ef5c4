/**
 * ADTS AAC streams (.aac): one packet per frame, header stripped, with the
 * AudioSpecificConfig built from the first header as the decoder description.
 *
 * Timeline: packet `i` starts at decoder-output frame `i * 1024`. ADTS carries no priming
 * information and `totalFrames` is unknown. Encoders do prime, though, so `delayFrames` assumes
 * the common 1024 ({@link ADTS_ASSUMED_PRIMING}):
 * ffmpeg's `aac` encoder puts 1024 frames of priming first (measured on chirp.aac: the
 * analytic signal's t=0 is at decoder output sample 1024; ffmpeg decodes 260 × 1024 =
 * 266240 samples for 264600 real ones, so 616 frames of padding at the end). Apple's
 * encoders prime 2112. ADTS can only signal object types 1..4 (Main, LC, SSR, LTP); HE-AAC
 * in ADTS is implicit SBR inside an LC stream, so the codec string stays 'mp4a.40.2' and the
 * decoder may output twice the header's sample rate.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../types.js';
import { parseError } from '../common/errors.js';
import { skipId3v2 } from '../common/id3.js';
import { findRun } from '../common/sync-scan.js';
import { averageEstimator, FrameWalker, type FrameEstimator, type FrameWalkerOptions } from '../common/frame-walker.js';
import { ADTS_SYNTAX, type AdtsHeader } from './adts-header.js';
import { AAC_FRAME_SAMPLES, adtsTrack, checkAdtsSupported } from './adts-track.js';

export { AAC_FRAME_SAMPLES, ADTS_ASSUMED_PRIMING } from './adts-track.js';


/** Tuning for {@link openAdts}; every field is optional. */
export interface AdtsOptions extends Partial<FrameWalkerOptions> {
  /** Bytes searched for the first frame after any ID3v2 tags. Defaults to 1 MiB. */
  searchLimit?: number;
}

/** Defaults of {@link AdtsOptions}. */
export const ADTS_DEFAULTS = {
  /** A seek walks frame headers (exact) when the target is estimated within 2 MiB. */
  maxScanAhead: 2 * 1024 * 1024,
  /** Garbage tolerated between frames before failing. */
  resyncLimit: 1024 * 1024,
  /** Garbage tolerated before the first frame. */
  searchLimit: 1024 * 1024,
} as const;

/** Opens an ADTS stream on `reader` (reads from offset 0). */
export async function openAdts(reader: ByteReader, options: AdtsOptions = {}): Promise<Demuxer> {
  const opts = { ...ADTS_DEFAULTS, ...options };
  const start = await skipId3v2(reader, 0);
  const found = await findRun(reader, ADTS_SYNTAX, start, opts.searchLimit, 3, null);
  if (found.at === null) throw parseError('No ADTS frames found (expected three consecutive valid ADTS headers).');
  const h = found.header;
  const walker = new FrameWalker(reader, ADTS_SYNTAX, h, found.at, opts);
  const track: TrackInfo = { ...adtsTrack('adts', h), bitrate: await averageBitrate(walker, h) };
  return new AdtsDemuxer(track, walker, averageEstimator(walker, h.frameBytes));
}



/** Bitrate from up to 64 frames from the start (the walker is rewound afterwards). */
async function averageBitrate(walker: FrameWalker<AdtsHeader>, h: AdtsHeader): Promise<number> {
  let frames = 0;
  let bytes = 0;
  for (let i = 0; i < 64; i++) {
    const f = await walker.step(false);
    if (!f) break;
    frames++;
    bytes += f.header.frameBytes;
  }
  await walker.seekIndex(0, { offsetOf: () => null, indexOf: () => 0 });
  return frames > 0 ? Math.round((bytes * 8 * h.sampleRate) / (frames * AAC_FRAME_SAMPLES)) : 0;
}

/** The ADTS {@link Demuxer}. */
class AdtsDemuxer implements Demuxer {
  constructor(
    readonly track: TrackInfo,
    private readonly walker: FrameWalker<AdtsHeader>,
    private readonly est: FrameEstimator,
  ) {}

  async next(): Promise<EncodedPacket | null> {
    const f = await this.walker.step(true);
    if (!f) return null;
    checkAdtsSupported(f.header);
    return { data: f.data.subarray(f.header.headerBytes), frame: f.index * AAC_FRAME_SAMPLES, frames: AAC_FRAME_SAMPLES, key: true };
  }

  async seek(frame: number): Promise<number> {
    const k = await this.walker.seekIndex(Math.floor(Math.max(0, frame) / AAC_FRAME_SAMPLES), this.est);
    return k * AAC_FRAME_SAMPLES;
  }
}
