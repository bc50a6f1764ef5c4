/**
 * WAV demuxer: PCM packets of {@link WAV_PACKET_FRAMES} frames straight from the data chunk.
 * Every frame is a key frame, so seeks are sample-exact: `seek(f)` makes the next packet
 * start exactly at `f`. A data chunk shorter than declared (a cut file) or with an unknown
 * size (a streamed WAV) is read to the end of the resource, whole frames only.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../types.js';
import { readWavHeader, type WavInfo } from './wav-header.js';

/** Frames per packet. */
export const WAV_PACKET_FRAMES = 4096;

/** Opens a WAVE file on `reader` (reads from offset 0). */
export async function openWav(reader: ByteReader): Promise<Demuxer> {
  return new WavDemuxer(reader, await readWavHeader(reader));
}

class WavDemuxer implements Demuxer {
  readonly track: TrackInfo;
  private frame = 0;
  /** Frames in the data chunk, when the header or the resource length tells. */
  private readonly total: number | undefined;

  constructor(
    private readonly reader: ByteReader,
    private readonly info: WavInfo,
  ) {
    const { blockAlign } = info.layout;
    let bytes = info.dataBytes;
    const length = reader.length;
    if (length !== undefined) bytes = Math.min(bytes ?? Infinity, Math.max(0, length - info.dataOffset));
    this.total = bytes === undefined ? undefined : Math.floor(bytes / blockAlign);
    this.track = {
      container: 'wav',
      codec: 'pcm',
      codecString: `pcm-${info.layout.format}`,
      sampleRate: info.sampleRate,
      channels: info.channels,
      delayFrames: 0,
      prerollFrames: 0,
      pcm: info.layout,
      bitrate: info.sampleRate * blockAlign * 8,
    };
    if (this.total !== undefined) this.track.totalFrames = this.total;
  }

  async next(): Promise<EncodedPacket | null> {
    const { blockAlign } = this.info.layout;
    let frames = WAV_PACKET_FRAMES;
    if (this.total !== undefined) frames = Math.min(frames, this.total - this.frame);
    if (frames <= 0) return null;
    this.reader.seek(this.info.dataOffset + this.frame * blockAlign);
    const got = await this.reader.bytes(frames * blockAlign);
    frames = Math.floor(got.length / blockAlign);
    if (frames === 0) return null;
    const packet = { data: got.slice(0, frames * blockAlign), frame: this.frame, frames, key: true };
    this.frame += frames;
    return packet;
  }

  async seek(frame: number): Promise<number> {
    let f = Math.max(0, Math.floor(frame));
    if (this.total !== undefined) f = Math.min(f, this.total);
    this.frame = f;
    return f;
  }
}
