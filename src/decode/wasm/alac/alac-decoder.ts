/**
 * Apple Lossless (ALAC) in pure TypeScript, bit-exact. No WebCodecs implementation decodes ALAC
 * and no maintained WASM build exists on npm, so this is the only ALAC path. It runs behind the
 * same {@link PacketDecoder} as the WASM codecs (kind 'wasm', named "software").
 *
 * Each packet decodes on its own (ALAC has no inter-packet state), so `reset` has nothing to
 * forget. Multichannel (3-8) streams come out in element order (Apple's ALAC channel layouts),
 * not remapped.
 */
import type { TrackInfo } from '../../../demux/types.js';
import { KitharaError } from '../../../platform/errors.js';
import type { Decoder } from '../../types.js';
import { PacketDecoder, type PacketCodec } from '../packet-decoder.js';
import { parseAlacConfig, type AlacConfig } from './alac-config.js';
import { AlacScratch, decodeAlacPacket } from './alac-frame.js';

/** Whether the ALAC decoder handles the track (it needs the magic cookie). */
export function alacSupports(track: TrackInfo): boolean {
  return track.codec === 'alac' && track.description !== undefined;
}

/** A synchronous ALAC codec over the magic cookie. */
export function createAlacCodec(config: AlacConfig): PacketCodec {
  const scratch = new AlacScratch(config.frameLength);
  return {
    decode: (packet) => ({ planes: decodeAlacPacket(packet.data, config, scratch), sampleRate: config.sampleRate }),
    reset: () => undefined,
    close: () => undefined,
  };
}

/** A software Decoder for ALAC. Throws `parse`/`unsupported` for a bad magic cookie. */
export function createAlacDecoder(track: TrackInfo): Promise<Decoder> {
  if (track.description === undefined) throw new KitharaError('unsupported', 'An ALAC track needs its magic cookie.');
  const config = parseAlacConfig(track.description);
  if (config.sampleRate === 0) config.sampleRate = track.sampleRate;
  return Promise.resolve(new PacketDecoder('Software ALAC (TypeScript)', track, () => Promise.resolve(createAlacCodec(config))));
}
