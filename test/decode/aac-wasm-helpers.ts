/** Helpers for the WASM AAC decoder tests: vectors, decoding loops and SNR. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAdts } from '../../src/demux/adts/index.js';
import type { EncodedPacket, TrackInfo } from '../../src/demux/types.js';
import type { DecodedChunk } from '../../src/decode/types.js';
import { createAacWasmDecoder, type AacWasmDecoder } from '../../src/decode/wasm/aac/aac-wasm-decoder.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource } from '../../src/stream/source.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** fixtures/wasm/aac/ */
export const VECTORS_DIR = join(ROOT, 'fixtures', 'wasm', 'aac');

/** One entry of fixtures/wasm/aac/manifest.json. */
export interface AacVector {
  file: string;
  reference: string;
  sampleRate: number;
  channels: number;
  frames: number;
  features: string[];
  /** 'samples': SNR against the reference; 'band-energy': noise substitution, energies only. */
  compare: 'samples' | 'band-energy';
}

/** The committed vectors. */
export const vectors: AacVector[] = JSON.parse(readFileSync(join(VECTORS_DIR, 'manifest.json'), 'utf8'));

/** A file's bytes. */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The reference decode of a vector (ffmpeg, f32 interleaved), as planes. */
export function referenceOf(v: AacVector): Float32Array[] {
  const buf = readFileSync(join(VECTORS_DIR, v.reference));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const planes = Array.from({ length: v.channels }, () => new Float32Array(all.length / v.channels));
  for (let i = 0; i < all.length; i++) (planes[i % v.channels] as Float32Array)[Math.floor(i / v.channels)] = all[i] as number;
  return planes;
}

/** Track and packets of an ADTS file, read with the SDK's demuxer. */
export async function demuxAdts(path: string): Promise<{ track: TrackInfo; packets: EncodedPacket[] }> {
  const d = await openAdts(new ByteReader(new MemorySource(bytesOf(path))));
  const packets: EncodedPacket[] = [];
  for (let p = await d.next(); p; p = await d.next()) packets.push(p);
  return { track: d.track, packets };
}

/** A decoder for a track, typed as the concrete class (for `stats()`). */
export async function decoderFor(track: TrackInfo): Promise<AacWasmDecoder> {
  return (await createAacWasmDecoder(track)) as AacWasmDecoder;
}

/** Decodes packets and returns the chunks (throws the decoder's error, if any). */
export async function decodeAll(decoder: AacWasmDecoder, packets: EncodedPacket[]): Promise<DecodedChunk[]> {
  const out: DecodedChunk[] = [];
  for (const p of packets) {
    decoder.decode(p);
    await decoder.ready();
    out.push(...decoder.takeOutput());
  }
  await decoder.flush();
  out.push(...decoder.takeOutput());
  if (decoder.error) throw decoder.error;
  return out;
}

/** Joins chunks into planes (chunks must be contiguous). */
export function joinChunks(chunks: DecodedChunk[]): Float32Array[] {
  const channels = chunks[0]?.planes.length ?? 0;
  const total = chunks.reduce((n, c) => n + c.frames, 0);
  return Array.from({ length: channels }, (_, ch) => {
    const plane = new Float32Array(total);
    let at = 0;
    for (const c of chunks) {
      plane.set(c.planes[ch] as Float32Array, at);
      at += c.frames;
    }
    return plane;
  });
}

/** SNR in dB of `got` against `ref` over [from, to). */
export function snrDb(got: Float32Array, ref: Float32Array, from = 0, to = ref.length): number {
  let signal = 0;
  let noise = 0;
  for (let i = from; i < to; i++) {
    const r = ref[i] as number;
    const d = (got[i] as number) - r;
    signal += r * r;
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
