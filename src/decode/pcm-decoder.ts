/** Raw PCM (WAV, MP4 lpcm) needs no codec: packets convert straight to planar Float32. */
import { KitharaError } from '../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../demux/types.js';
import { pcmToPlanar } from '../demux/wav/pcm-convert.js';
import type { DecodedChunk, Decoder } from './types.js';

/** A synchronous, exact PCM "decoder". */
export class PcmDecoder implements Decoder {
  readonly kind = 'pcm' as const;
  readonly name: string;
  readonly queueSize = 0;
  readonly error: KitharaError | undefined = undefined;
  private output: DecodedChunk[] = [];

  constructor(private readonly track: TrackInfo) {
    if (track.pcm === undefined) throw new KitharaError('unsupported', 'A PCM track has no sample layout.');
    this.name = `PCM ${track.pcm.format}${track.pcm.bigEndian === true ? ' big-endian' : ''}`;
  }

  decode(packet: EncodedPacket): void {
    const layout = this.track.pcm;
    if (layout === undefined) return;
    const planes = pcmToPlanar(packet.data, layout, this.track.channels);
    const frames = planes[0]?.length ?? 0;
    this.output.push({ frame: packet.frame, frames, sampleRate: this.track.sampleRate, planes });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  takeOutput(): DecodedChunk[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  reset(): void {
    this.output = [];
  }

  close(): void {
    this.output = [];
  }
}
