/** Helpers for the software decoder tests: vectors from fixtures/wasm/, demuxing, decoding, comparing. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource } from '../../src/stream/source.js';
import { openDemuxer } from '../../src/demux/detect.js';
import { formats } from '../../src/demux/registry.js';
import type { EncodedPacket, TrackInfo } from '../../src/demux/types.js';
import type { DecodedChunk, Decoder } from '../../src/decode/types.js';
import { masterSample } from '../../scripts/make-fixtures-wasm.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WASM = join(ROOT, 'fixtures', 'wasm');

/** One fixtures/wasm/manifest.json entry. */
export interface Vector {
  file: string;
  codec: string;
  rate: number;
  channels: number;
  bits: number;
  duration: number;
  frames: number;
  lossless?: boolean;
  signal?: 'chirp' | 'twin' | 'noise';
  reference: string | null;
}

/** Every vector. */
export const vectors: Vector[] = JSON.parse(readFileSync(join(WASM, 'manifest.json'), 'utf8'));

/** The path of a vector file. */
export function vectorPath(file: string): string {
  return join(WASM, file);
}

/** Demuxes a file (fixtures/wasm/ name or absolute path) with the repository's demuxers. */
export async function demux(file: string): Promise<{ track: TrackInfo; packets: EncodedPacket[] }> {
  const path = file.startsWith('/') ? file : vectorPath(file);
  const d = await openDemuxer(new ByteReader(new MemorySource(new Uint8Array(readFileSync(path)))), { url: path }, formats);
  const packets: EncodedPacket[] = [];
  for (let p = await d.next(); p; p = await d.next()) packets.push(p);
  return { track: d.track, packets };
}

/** Feeds packets the way the pipeline does (decode, then wait on `ready` when work is queued) and flushes. */
export async function decodeAll(decoder: Decoder, packets: readonly EncodedPacket[]): Promise<DecodedChunk[]> {
  const chunks: DecodedChunk[] = [];
  for (const p of packets) {
    if (decoder.queueSize > 0) await decoder.ready();
    chunks.push(...decoder.takeOutput());
    decoder.decode(p);
  }
  await decoder.flush();
  chunks.push(...decoder.takeOutput());
  return chunks;
}

/** Places chunks on one timeline of planes (gaps stay zero); checks order and contiguity. */
export function assemble(chunks: readonly DecodedChunk[]): { planes: Float32Array[]; start: number; end: number; contiguous: boolean } {
  const first = chunks[0];
  if (first === undefined) return { planes: [], start: 0, end: 0, contiguous: true };
  const last = chunks[chunks.length - 1] as DecodedChunk;
  const start = first.frame;
  const end = last.frame + last.frames;
  const planes = first.planes.map(() => new Float32Array(end - start));
  let contiguous = true;
  let at = start;
  for (const c of chunks) {
    if (c.frame !== at) contiguous = false;
    at = c.frame + c.frames;
    c.planes.forEach((p, ch) => planes[ch]?.set(p, c.frame - start));
  }
  return { planes, start, end, contiguous };
}

/** The master's integer samples of a lossless vector, per channel (see scripts/make-fixtures-wasm.mjs). */
export function masterInts(v: Vector): Int32Array[] {
  const planes = Array.from({ length: v.channels }, () => new Int32Array(v.frames));
  for (let n = 0; n < v.frames; n++) {
    for (let ch = 0; ch < v.channels; ch++) {
      (planes[ch] as Int32Array)[n] = masterSample(v.signal ?? 'chirp', n, ch, v.channels, v.rate, v.bits);
    }
  }
  return planes;
}


/** ffmpeg's reference decode of a lossy vector (s16le, interleaved), as float planes. */
export function reference(v: Vector): Float32Array[] {
  if (v.reference === null) throw new Error(`${v.file} has no reference`);
  const buf = readFileSync(vectorPath(v.reference));
  const s = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  const ch = s.length / v.channels === Math.floor(s.length / v.channels) ? v.channels : 1;
  const frames = s.length / ch;
  const planes = Array.from({ length: ch }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) for (let c = 0; c < ch; c++) (planes[c] as Float32Array)[i] = (s[i * ch + c] as number) / 32768;
  return planes;
}

/**
 * SNR in dB of `got` against `ref`, with `got[i + offset]` compared to `ref[i]` over the
 * reference's frames `[from, to)`, every channel.
 */
export function snrDb(got: readonly Float32Array[], ref: readonly Float32Array[], offset: number, from = 0, to = Infinity): number {
  let signal = 0;
  let noise = 0;
  ref.forEach((r, ch) => {
    const g = got[ch] as Float32Array;
    const end = Math.min(r.length, to, g.length - offset);
    for (let i = Math.max(from, -offset); i < end; i++) {
      const a = r[i] as number;
      const d = (g[i + offset] as number) - a;
      signal += a * a;
      noise += d * d;
    }
  });
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}
