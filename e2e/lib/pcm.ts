/** Node-side helpers for browser tests: decode PCM sent from the page, load fixtures. */
import { readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';

/** base64 of Float32 bytes → Float32Array. */
export function fromBase64(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

/** Interleaved → planar. */
export function planar(interleaved: Float32Array, channels: number): Float32Array[] {
  const frames = Math.floor(interleaved.length / channels);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < channels; ch++) (planes[ch] as Float32Array)[i] = interleaved[i * channels + ch] as number;
  }
  return planes;
}

/** One entry of fixtures/media/manifest.json. */
export interface FixtureInfo {
  file: string;
  container: string;
  codec: string;
  sampleRate: number;
  channels: number;
  frames: number;
  lossless: boolean;
  bits?: number;
}

/** The fixture manifest. */
export function manifest(): FixtureInfo[] {
  const raw = JSON.parse(readFileSync('fixtures/media/manifest.json', 'utf8')) as FixtureInfo[] | { files: FixtureInfo[] };
  return Array.isArray(raw) ? raw : raw.files;
}
