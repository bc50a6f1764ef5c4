/**
 * Vorbis through libvorbis compiled to WASM (the `@wasm-audio-decoders/ogg-vorbis` package),
 * fed raw Vorbis packets.
 *
 * The package's public API takes Ogg pages (it parses them with `codec-parser`). Its inner
 * decoder, created by the public class as `_decoder`, takes the raw packets we have:
 * `sendSetupHeader(identification)`, `sendSetupHeader(setup)` (it substitutes an empty comment
 * header itself), `initDsp()`, then `decodePackets([packet])`. That inner API is not documented,
 * so it is reached through {@link RawVorbisDecoder}, checked at load time (an `unsupported` error
 * if a package update moved it), and the package version is pinned in package.json.
 *
 * libvorbis emits nothing for the first packet after (re)initialisation and then each packet's
 * overlap with the previous one: the demuxer's packet timing (Vorbis I §4.3.8), so output stays on
 * the packet timeline.
 */
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { KitharaError } from '../../../platform/errors.js';
import type { TrackInfo } from '../../../demux/types.js';
import type { Decoder } from '../../types.js';
import { clampFrames, PacketDecoder, type PacketCodec, type PacketOutput } from '../packet-decoder.js';

/** The three Vorbis header packets. */
export interface VorbisHeaders {
  identification: Uint8Array;
  comment: Uint8Array;
  setup: Uint8Array;
}

/**
 * Splits a Xiph-laced header block (the WebCodecs description of Vorbis: a count byte, the
 * laced sizes of all packets but the last, then the packets).
 */
export function unlaceVorbisHeaders(description: Uint8Array): VorbisHeaders {
  const broken = (): KitharaError => new KitharaError('parse', 'The Vorbis header block (Xiph lacing) is malformed.');
  if (description.byteLength < 1 || description[0] !== 2) throw broken();
  const sizes: number[] = [];
  let at = 1;
  for (let k = 0; k < 2; k++) {
    let size = 0;
    for (;;) {
      const b = description[at++];
      if (b === undefined) throw broken();
      size += b;
      if (b < 255) break;
    }
    sizes.push(size);
  }
  const [a, b] = sizes as [number, number];
  if (at + a + b > description.byteLength) throw broken();
  const packets = {
    identification: description.subarray(at, at + a),
    comment: description.subarray(at + a, at + a + b),
    setup: description.subarray(at + a + b),
  };
  const isHeader = (p: Uint8Array, type: number): boolean =>
    p[0] === type && p[1] === 0x76 && p[2] === 0x6f && p[3] === 0x72 && p[4] === 0x62 && p[5] === 0x69 && p[6] === 0x73;
  if (!isHeader(packets.identification, 1) || !isHeader(packets.comment, 3) || !isHeader(packets.setup, 5)) throw broken();
  return packets;
}

/** The package's inner packet decoder (undocumented; see the file header). */
interface RawVorbisDecoder {
  ready: Promise<void>;
  reset(): Promise<void>;
  free(): void;
  sendSetupHeader(data: Uint8Array): void;
  initDsp(): void;
  decodePackets(packets: Uint8Array[]): {
    channelData: Float32Array[];
    samplesDecoded: number;
    sampleRate: number;
    errors: { message: string }[];
  };
}

function isRawVorbisDecoder(x: unknown): x is RawVorbisDecoder {
  const d = x as Partial<Record<keyof RawVorbisDecoder, unknown>> | undefined;
  return d !== undefined && typeof d.sendSetupHeader === 'function' && typeof d.initDsp === 'function'
    && typeof d.decodePackets === 'function' && typeof d.reset === 'function' && typeof d.free === 'function';
}

/** Whether the libvorbis decoder handles the track (it needs the header packets). */
export function vorbisWasmSupports(track: TrackInfo): boolean {
  return track.codec === 'vorbis' && track.description !== undefined;
}

/** A software Decoder for Vorbis. */
export function createVorbisWasmDecoder(track: TrackInfo): Promise<Decoder> {
  if (track.description === undefined) throw new KitharaError('unsupported', 'A Vorbis track needs its header packets.');
  const headers = unlaceVorbisHeaders(track.description);
  return Promise.resolve(new PacketDecoder('WASM libvorbis (Vorbis)', track, () => loadVorbis(headers, track)));
}

async function loadVorbis(headers: VorbisHeaders, track: TrackInfo): Promise<PacketCodec> {
  const outer = new OggVorbisDecoder();
  await outer.ready;
  const inner: unknown = (outer as unknown as { _decoder?: unknown })._decoder;
  if (!isRawVorbisDecoder(inner)) {
    outer.free();
    throw new KitharaError('unsupported', 'This version of @wasm-audio-decoders/ogg-vorbis has no raw packet decoder.');
  }
  const setup = (): void => {
    inner.sendSetupHeader(headers.identification);
    inner.sendSetupHeader(headers.setup);
    inner.initDsp();
  };
  setup();
  return {
    decode(packet): PacketOutput {
      // An audio packet starts with a 0 bit (Vorbis I §4.3.1); libvorbis would skip anything else silently.
      if (packet.data.byteLength === 0 || ((packet.data[0] as number) & 1) !== 0) {
        throw new KitharaError('decode', `The Vorbis packet at frame ${packet.frame} is not an audio packet: it is corrupt.`);
      }
      const out = inner.decodePackets([packet.data]);
      if (out.errors.length > 0) {
        throw new KitharaError('decode', `libvorbis rejected the packet at ${packet.frame}: ${out.errors[0]?.message ?? 'unknown error'}`);
      }
      return { planes: clampFrames(out.channelData, packet), sampleRate: out.sampleRate || track.sampleRate };
    },
    reset: () => inner.reset().then(setup),
    close: () => inner.free(),
  };
}
