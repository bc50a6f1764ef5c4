/**
 * FLAC in pure TypeScript, bit-exact (RFC 9639). Each packet is one whole frame as the FLAC,
 * Ogg-FLAC-free and MP4 'fLaC' demuxers produce it: header (checked against STREAMINFO and its
 * CRC-8 by the demuxer's header parser), one subframe per channel, stereo decorrelation
 * (left/side, side/right, mid/side), and the CRC-16 footer, which is verified, so a damaged
 * frame is a `decode` error rather than noise.
 *
 * Why not `@wasm-audio-decoders/flac`: it scales output by 1/(2^(bits-1) - 1), so it is not
 * sample-exact without a rescaling pass, it pulls in an LGPL Ogg/FLAC parser, and it weighs
 * ~44 KB gzip against ~4 KB for this. FLAC frames are independent, so `reset` has no state to
 * forget.
 */
import type { TrackInfo } from '../../../demux/types.js';
import { crc16, parseFlacFrameHeader } from '../../../demux/flac/flac-frame.js';
import type { FlacStreamInfo } from '../../../demux/flac/flac-metadata.js';
import { KitharaError } from '../../../platform/errors.js';
import type { Decoder } from '../../types.js';
import { BitReader } from '../bit-reader.js';
import { PacketDecoder, type PacketCodec, type PacketOutput } from '../packet-decoder.js';
import { decodeSubframe } from './flac-subframe.js';

const SAMPLE_BITS = [0, 8, 12, -1, 16, 20, 24, 32];

/** Reads STREAMINFO from a WebCodecs FLAC description ('fLaC' + metadata blocks). */
export function flacStreamInfo(description: Uint8Array): FlacStreamInfo {
  const magic = description[0] === 0x66 && description[1] === 0x4c && description[2] === 0x61 && description[3] === 0x43;
  const at = magic ? 4 : 0;
  if (description.byteLength < at + 4 + 34 || ((description[at] as number) & 0x7f) !== 0) {
    throw new KitharaError('parse', 'The FLAC description does not start with a STREAMINFO block.');
  }
  const v = new DataView(description.buffer, description.byteOffset + at + 4, 34);
  const packed = v.getUint32(10);
  return {
    minBlockSize: v.getUint16(0),
    maxBlockSize: v.getUint16(2),
    maxFrameSize: (v.getUint16(7) << 8) | v.getUint8(9),
    sampleRate: packed >>> 12,
    channels: ((packed >>> 9) & 7) + 1,
    bitsPerSample: ((packed >>> 4) & 31) + 1,
    totalSamples: (packed & 15) * 2 ** 32 + v.getUint32(14),
  };
}

/** Decodes one FLAC frame into planar Float32 (`sample / 2^(bits-1)`). */
export function decodeFlacFrame(data: Uint8Array, info: FlacStreamInfo, scratch: Float64Array[]): PacketOutput {
  const broken = (message: string): KitharaError => new KitharaError('decode', `Corrupt FLAC frame: ${message}.`);
  const header = parseFlacFrameHeader(data, 0, info);
  if (header === null) throw broken('bad header (sync, codes, CRC-8 or a mismatch with STREAMINFO)');
  if (data.byteLength < header.headerBytes + 2 || crc16(data, 0, data.byteLength) !== 0) throw broken('CRC-16 mismatch');
  const b3 = data[3] as number;
  const assignment = b3 >> 4;
  const depth = SAMPLE_BITS[(b3 >> 1) & 7] || info.bitsPerSample;
  const count = header.blockSize;
  const channels = assignment < 8 ? assignment + 1 : 2;
  const bits = new BitReader(data.subarray(header.headerBytes, data.byteLength - 2));
  for (let ch = 0; ch < channels; ch++) {
    let buf = scratch[ch];
    if (buf === undefined || buf.length < count) {
      buf = new Float64Array(Math.max(count, info.maxBlockSize));
      scratch[ch] = buf;
    }
    const side = (assignment === 8 && ch === 1) || (assignment === 9 && ch === 0) || (assignment === 10 && ch === 1);
    decodeSubframe(bits, buf, count, depth + (side ? 1 : 0));
    if (bits.overrun) throw broken('it is truncated');
  }
  const scale = 1 / 2 ** (depth - 1);
  const planes: Float32Array[] = [];
  for (let ch = 0; ch < channels; ch++) planes.push(new Float32Array(count));
  const a = scratch[0] as Float64Array;
  const s = scratch[1] as Float64Array;
  const [l, r] = planes as [Float32Array, Float32Array];
  if (assignment === 8) {
    for (let i = 0; i < count; i++) {
      l[i] = (a[i] as number) * scale;
      r[i] = ((a[i] as number) - (s[i] as number)) * scale;
    }
  } else if (assignment === 9) {
    for (let i = 0; i < count; i++) {
      l[i] = ((a[i] as number) + (s[i] as number)) * scale;
      r[i] = (s[i] as number) * scale;
    }
  } else if (assignment === 10) {
    for (let i = 0; i < count; i++) {
      const side = s[i] as number;
      const mid = (a[i] as number) * 2 + (side & 1);
      l[i] = Math.floor((mid + side) / 2) * scale;
      r[i] = Math.floor((mid - side) / 2) * scale;
    }
  } else {
    for (let ch = 0; ch < channels; ch++) {
      const src = scratch[ch] as Float64Array;
      const dst = planes[ch] as Float32Array;
      for (let i = 0; i < count; i++) dst[i] = (src[i] as number) * scale;
    }
  }
  // The header parser has checked that the frame's rate, if it states one, is STREAMINFO's.
  return { planes, sampleRate: info.sampleRate };
}

/** Whether the FLAC decoder handles the track (it needs STREAMINFO). */
export function flacSupports(track: TrackInfo): boolean {
  return track.codec === 'flac' && track.description !== undefined;
}

/** A synchronous FLAC codec over STREAMINFO. */
export function createFlacCodec(info: FlacStreamInfo): PacketCodec {
  const scratch: Float64Array[] = [];
  return {
    decode: (packet) => decodeFlacFrame(packet.data, info, scratch),
    reset: () => undefined,
    close: () => undefined,
  };
}

/** A software Decoder for FLAC. Throws `parse` for a missing or bad STREAMINFO. */
export function createFlacDecoder(track: TrackInfo): Promise<Decoder> {
  if (track.description === undefined) throw new KitharaError('unsupported', 'A FLAC track needs its STREAMINFO.');
  const info = flacStreamInfo(track.description);
  return Promise.resolve(new PacketDecoder('Software FLAC (TypeScript)', track, () => Promise.resolve(createFlacCodec(info))));
}
