/**
 * Vorbis I headers (Vorbis I specification §4.2) as far as a demuxer needs them: the
 * identification header, the mode block flags at the end of the setup header, packet block
 * sizes, and the Xiph-laced `description` of the three headers. Pure.
 */
import { KitharaError } from '../../platform/errors.js';

/** Identification header fields. */
export interface VorbisId {
  channels: number;
  sampleRate: number;
  /** Nominal bitrate in bits per second; 0 when unset. */
  bitrate: number;
  /** Short block size (blocksize_0). */
  blockSize0: number;
  /** Long block size (blocksize_1). */
  blockSize1: number;
}

/** `true` when `packet` is a Vorbis header of `type` (1 id, 3 comment, 5 setup). */
export function isVorbisHeader(packet: Uint8Array, type: 1 | 3 | 5): boolean {
  return packet.byteLength >= 7 && packet[0] === type && String.fromCharCode(...packet.subarray(1, 7)) === 'vorbis';
}

/** Parses the identification header. Throws `parse` when malformed. */
export function parseVorbisId(packet: Uint8Array): VorbisId {
  if (!isVorbisHeader(packet, 1) || packet.byteLength < 30) throw new KitharaError('parse', 'Vorbis identification header is malformed.');
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  if (v.getUint32(7, true) !== 0) throw new KitharaError('unsupported', 'Vorbis version is not 0.');
  const sizes = packet[28] as number;
  const id: VorbisId = {
    channels: packet[11] as number,
    sampleRate: v.getUint32(12, true),
    bitrate: Math.max(0, v.getInt32(20, true)),
    blockSize0: 1 << (sizes & 15),
    blockSize1: 1 << (sizes >> 4),
  };
  const ok = (n: number): boolean => n >= 64 && n <= 8192;
  if (id.channels === 0 || id.sampleRate === 0 || !ok(id.blockSize0) || !ok(id.blockSize1) || id.blockSize0 > id.blockSize1) {
    throw new KitharaError('parse', 'Vorbis identification header has invalid fields.');
  }
  return id;
}

/** Bit `k` of a Vorbis packet (bits are packed LSB-first). */
function bit(b: Uint8Array, k: number): number {
  return ((b[k >> 3] as number) >> (k & 7)) & 1;
}

/** `n` bits from bit `k`, least significant first. */
function bits(b: Uint8Array, k: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v |= bit(b, k + i) << i;
  return v >>> 0;
}

/**
 * The block flag of each mode (true = long block), read backwards from the end of the setup
 * header. The modes are the last field of the setup header: a 6-bit count-1, then 41 bits per
 * mode (blockflag 1, windowtype 16 = 0, transformtype 16 = 0, mapping 8), then the framing bit.
 * Walking back from the framing bit, every mode must have zero window and transform types; the
 * largest mode count whose 6-bit count field agrees is taken.
 */
export function parseVorbisModes(setup: Uint8Array): boolean[] {
  if (!isVorbisHeader(setup, 5)) throw new KitharaError('parse', 'Vorbis setup header is malformed.');
  let last = setup.byteLength - 1;
  while (last >= 7 && setup[last] === 0) last--;
  if (last < 7) throw new KitharaError('parse', 'Vorbis setup header has no framing bit.');
  const framing = last * 8 + (31 - Math.clz32(setup[last] as number));
  let count = 0;
  for (let n = 1; n <= 64; n++) {
    const start = framing - 41 * n;
    if (start - 6 < 7 * 8) break;
    if (bits(setup, start + 1, 16) !== 0 || bits(setup, start + 17, 16) !== 0 || bits(setup, start + 33, 8) >= 64) break;
    if (bits(setup, start - 6, 6) === n - 1) count = n;
  }
  if (count === 0) throw new KitharaError('parse', 'Vorbis setup header modes could not be found.');
  const flags: boolean[] = [];
  for (let i = 0; i < count; i++) flags.push(bit(setup, framing - 41 * (count - i)) === 1);
  return flags;
}

/** Bits needed to store `x` (Vorbis `ilog`). */
function ilog(x: number): number {
  return x <= 0 ? 0 : 32 - Math.clz32(x);
}

/**
 * Block size of an audio packet from its mode number, or 0 for a header packet or an empty
 * packet. An out-of-range mode number gives 0 too (the decoder will reject the packet).
 */
export function vorbisBlockSize(packet: Uint8Array, modes: readonly boolean[], id: VorbisId): number {
  if (packet.byteLength === 0 || ((packet[0] as number) & 1) !== 0) return 0;
  const need = 1 + ilog(modes.length - 1);
  if (need > packet.byteLength * 8) return 0;
  const mode = bits(packet, 1, need - 1);
  const long = modes[mode];
  if (long === undefined) return 0;
  return long ? id.blockSize1 : id.blockSize0;
}

/**
 * Xiph lacing of header packets, as AudioDecoderConfig.description for Vorbis: the packet count
 * minus one, the lacing-coded sizes of all but the last packet, then the packets.
 */
export function xiphLace(packets: readonly Uint8Array[]): Uint8Array {
  const sizes: number[] = [];
  for (const p of packets.slice(0, -1)) {
    let n = p.byteLength;
    while (n >= 255) {
      sizes.push(255);
      n -= 255;
    }
    sizes.push(n);
  }
  const total = packets.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(1 + sizes.length + total);
  out[0] = packets.length - 1;
  out.set(sizes, 1);
  let at = 1 + sizes.length;
  for (const p of packets) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
