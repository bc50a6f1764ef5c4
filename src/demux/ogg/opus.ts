/**
 * Opus in Ogg (RFC 7845): the identification header and packet durations from the TOC byte
 * (RFC 6716 §3.1). Pure.
 */
import { KitharaError } from '../../platform/errors.js';

/** The fields of an OpusHead packet (RFC 7845 §5.1). */
export interface OpusHead {
  channels: number;
  /** Frames at 48 kHz to discard from the decoder output at the start. */
  preSkip: number;
  /** The original input rate (informational; Opus always decodes at 48000). */
  inputSampleRate: number;
  /** Output gain in Q7.8 dB. */
  outputGain: number;
  mappingFamily: number;
}

/** `true` when the packet starts with 'OpusHead'. */
export function isOpusHead(packet: Uint8Array): boolean {
  return packet.byteLength >= 8 && String.fromCharCode(...packet.subarray(0, 8)) === 'OpusHead';
}

/** Parses an OpusHead packet. Throws `parse` when malformed, `unsupported` for a new major version. */
export function parseOpusHead(packet: Uint8Array): OpusHead {
  if (!isOpusHead(packet) || packet.byteLength < 19) throw new KitharaError('parse', 'OpusHead packet is malformed.');
  if ((packet[8] as number) >> 4 !== 0) throw new KitharaError('unsupported', `OpusHead version ${packet[8]} is not supported.`);
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const head: OpusHead = {
    channels: packet[9] as number,
    preSkip: v.getUint16(10, true),
    inputSampleRate: v.getUint32(12, true),
    outputGain: v.getInt16(16, true),
    mappingFamily: packet[18] as number,
  };
  if (head.channels === 0) throw new KitharaError('parse', 'OpusHead has zero channels.');
  if (head.mappingFamily !== 0 && packet.byteLength < 21 + head.channels) {
    throw new KitharaError('parse', 'OpusHead channel mapping table is truncated.');
  }
  return head;
}

/** Frame length in 48 kHz samples for each TOC configuration number (RFC 6716 Table 2). */
const FRAME_SIZE = [
  // SILK NB, MB, WB: 10, 20, 40, 60 ms
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  // Hybrid SWB, FB: 10, 20 ms
  480, 960, 480, 960,
  // CELT NB, WB, SWB, FB: 2.5, 5, 10, 20 ms
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/**
 * Decoded length of an Opus packet in 48 kHz frames, from its TOC byte and, for code 3, its
 * frame count byte. Returns 0 for an empty or malformed packet (a decoder treats those as lost).
 */
export function opusPacketFrames(packet: Uint8Array): number {
  if (packet.byteLength < 1) return 0;
  const toc = packet[0] as number;
  const size = FRAME_SIZE[toc >> 3] as number;
  let count: number;
  switch (toc & 3) {
    case 0:
      count = 1;
      break;
    case 1:
    case 2:
      count = 2;
      break;
    default:
      if (packet.byteLength < 2) return 0;
      count = (packet[1] as number) & 0x3f;
  }
  const frames = size * count;
  // At most 120 ms per packet.
  return frames > 5760 ? 0 : frames;
}
