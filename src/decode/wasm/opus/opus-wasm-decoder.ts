/**
 * Opus through libopus compiled to WASM (the `opus-decoder` package), one raw Opus packet at a
 * time (RFC 6716), configured from the OpusHead in `track.description` (RFC 7845 §5.1: channel
 * count, mapping family, stream counts and the channel mapping table).
 *
 * Pre-skip: the package can drop the first `preSkip` samples itself; it is told 0, so every
 * decoded sample comes out and each packet's output starts at its own `frame`. That is the
 * demuxer's timeline (pre-skip included, as `track.delayFrames`), which the pipeline trims.
 * WebCodecs differs only in where its first output lands (see `startRule` in
 * `webcodecs-decoder.ts`); both put every chunk at its true frame, so the pipeline sees the same
 * samples. Output is always 48 kHz.
 *
 * A packet must decode to the duration its TOC announced to the demuxer; anything else (libopus
 * reading a damaged TOC) is a `decode` error.
 */
import { OpusDecoder } from 'opus-decoder';
import { KitharaError } from '../../../platform/errors.js';
import type { TrackInfo } from '../../../demux/types.js';
import type { Decoder } from '../../types.js';
import { expectFrames, PacketDecoder, type PacketCodec, type PacketOutput } from '../packet-decoder.js';

/** The decoder layout an OpusHead describes. */
export interface OpusLayout {
  channels: number;
  streamCount: number;
  coupledStreamCount: number;
  channelMappingTable: number[];
}

/** Reads the channel layout from an OpusHead; mapping family 0 when there is none. */
export function opusLayout(track: TrackInfo): OpusLayout {
  const head = track.description;
  const family0 = (channels: number): OpusLayout => ({
    channels,
    streamCount: 1,
    coupledStreamCount: channels > 1 ? 1 : 0,
    channelMappingTable: channels > 1 ? [0, 1] : [0],
  });
  if (head === undefined) {
    if (track.channels > 2) throw new KitharaError('unsupported', 'An Opus track with more than 2 channels needs its OpusHead.');
    return family0(track.channels);
  }
  if (head.byteLength < 19) throw new KitharaError('parse', 'The OpusHead is shorter than 19 bytes.');
  const channels = head[9] as number;
  const family = head[18] as number;
  if (family === 0) {
    if (channels < 1 || channels > 2) throw new KitharaError('parse', `OpusHead mapping family 0 with ${channels} channels.`);
    return family0(channels);
  }
  if (head.byteLength < 21 + channels) throw new KitharaError('parse', 'The OpusHead channel mapping table is truncated.');
  return {
    channels,
    streamCount: head[19] as number,
    coupledStreamCount: head[20] as number,
    channelMappingTable: Array.from(head.subarray(21, 21 + channels)),
  };
}

/** Whether the libopus decoder handles the track. */
export function opusWasmSupports(track: TrackInfo): boolean {
  return track.codec === 'opus';
}

/** A software Decoder for Opus. */
export function createOpusWasmDecoder(track: TrackInfo): Promise<Decoder> {
  const layout = opusLayout(track);
  return Promise.resolve(new PacketDecoder('WASM libopus (Opus)', track, () => loadOpus(layout)));
}

async function loadOpus(layout: OpusLayout): Promise<PacketCodec> {
  const options = { ...layout, preSkip: 0, sampleRate: 48000 as const };
  const decoder = new OpusDecoder(options);
  await decoder.ready;
  return {
    decode(packet): PacketOutput {
      const out = decoder.decodeFrame(packet.data);
      if (out.errors.length > 0) {
        throw new KitharaError('decode', `libopus rejected the packet at ${packet.frame}: ${out.errors[0]?.message ?? 'unknown error'}`);
      }
      expectFrames(out.channelData, packet, 'Opus');
      return { planes: out.channelData, sampleRate: 48000 };
    },
    reset: () => decoder.reset(),
    close: () => decoder.free(),
  };
}
