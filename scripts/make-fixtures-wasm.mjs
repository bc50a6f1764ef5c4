#!/usr/bin/env node
// Makes the software-decoder test vectors in fixtures/wasm/: short clips of the position-coded
// chirp (fixtures/signal.mjs), or of seeded white noise, encoded by ffmpeg in every codec and
// layout the WASM/TypeScript decoders of src/decode/wasm/ must handle.
//
//   node scripts/make-fixtures-wasm.mjs          make the files that are missing
//   node scripts/make-fixtures-wasm.mjs --force  remake every file
//
// Lossy vectors get a reference: ffmpeg's decode (mpg123-independent for MPEG audio; through
// libopus / libvorbis for Opus and Vorbis, see REFERENCE_DECODER) as raw s16le (`<file>.s16`, interleaved,
// every decoded frame, encoder delay included, exactly as `ffmpeg -f s16le` writes it).
// Lossless vectors need none: their samples are the master's, `quantize(sample(ch, n / rate),
// bits)` (or the seeded noise), and this script checks that ffmpeg decodes them to exactly that.
// fixtures/wasm/manifest.json lists every vector with its facts.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantize, sample } from '../fixtures/signal.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'wasm');

/** Flags that keep ffmpeg's output free of version strings, dates and random serials. */
const DETERMINISTIC = ['-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1'];

/**
 * The vectors. `signal`: 'chirp' (default), 'twin' (the left chirp in both channels, the right
 * at 0.8 × its amplitude) or 'noise'; `duration` in seconds; `args`: encoder
 * arguments; `layer`/`mpeg`: MPEG audio facts for the manifest.
 */
const VECTORS = [
  // MPEG audio layer III: MPEG-1, MPEG-2 (LSF) and MPEG-2.5 sample rates.
  { file: 'mp3-l3-44100-stereo.mp3', codec: 'mp3', rate: 44100, channels: 2, bits: 16, duration: 0.3, args: ['-c:a', 'libmp3lame', '-b:a', '128k'], mpeg: '1', layer: 3 },
  { file: 'mp3-l3-22050-mono.mp3', codec: 'mp3', rate: 22050, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'libmp3lame', '-b:a', '48k'], mpeg: '2', layer: 3 },
  { file: 'mp3-l3-11025-stereo.mp3', codec: 'mp3', rate: 11025, channels: 2, bits: 16, duration: 0.5, args: ['-c:a', 'libmp3lame', '-b:a', '32k'], mpeg: '2.5', layer: 3 },
  { file: 'mp3-l3-8000-mono.mp3', codec: 'mp3', rate: 8000, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'libmp3lame', '-b:a', '16k'], mpeg: '2.5', layer: 3 },
  // MPEG audio layer II (ffmpeg's mp2 encoder), MPEG-1 and MPEG-2 LSF. ffmpeg has no layer I encoder.
  { file: 'mp2-l2-48000-stereo.mp2', codec: 'mp2', rate: 48000, channels: 2, bits: 16, duration: 0.3, args: ['-c:a', 'mp2', '-b:a', '192k', '-f', 'mp2'], mpeg: '1', layer: 2 },
  { file: 'mp2-l2-24000-mono.mp2', codec: 'mp2', rate: 24000, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'mp2', '-b:a', '64k', '-f', 'mp2'], mpeg: '2', layer: 2 },
  // Vorbis and Opus.
  { file: 'vorbis-44100-stereo.ogg', codec: 'vorbis', rate: 44100, channels: 2, bits: 16, duration: 0.3, args: ['-c:a', 'libvorbis', '-q:a', '4'] },
  { file: 'vorbis-22050-mono.ogg', codec: 'vorbis', rate: 22050, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'libvorbis', '-q:a', '2'] },
  { file: 'opus-48000-stereo.opus', codec: 'opus', rate: 48000, channels: 2, bits: 16, duration: 0.3, args: ['-c:a', 'libopus', '-b:a', '96k'] },
  { file: 'opus-16000-mono.opus', codec: 'opus', rate: 16000, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'libopus', '-b:a', '24k'] },
  // FLAC: 16/24-bit, mono/stereo, 8000-96000 Hz (rates with and without a frame-header code),
  // every stereo decorrelation mode, high LPC orders and verbatim subframes (noise).
  { file: 'flac-16-44100-stereo.flac', codec: 'flac', rate: 44100, channels: 2, bits: 16, duration: 0.4, args: ['-c:a', 'flac'], lossless: true },
  { file: 'flac-16-8000-mono.flac', codec: 'flac', rate: 8000, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'flac'], lossless: true },
  { file: 'flac-16-11025-mono.flac', codec: 'flac', rate: 11025, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'flac'], lossless: true },
  { file: 'flac-24-96000-stereo.flac', codec: 'flac', rate: 96000, channels: 2, bits: 24, duration: 0.2, args: ['-c:a', 'flac', '-sample_fmt', 's32'], lossless: true },
  { file: 'flac-24-48000-mono.flac', codec: 'flac', rate: 48000, channels: 1, bits: 24, duration: 0.3, args: ['-c:a', 'flac', '-sample_fmt', 's32'], lossless: true },
  { file: 'flac-16-32000-indep.flac', codec: 'flac', rate: 32000, channels: 2, bits: 16, duration: 0.2, args: ['-c:a', 'flac', '-ch_mode', '0'], lossless: true },
  { file: 'flac-16-32000-left-side.flac', codec: 'flac', rate: 32000, channels: 2, bits: 16, duration: 0.2, args: ['-c:a', 'flac', '-ch_mode', '1'], lossless: true },
  { file: 'flac-16-32000-right-side.flac', codec: 'flac', rate: 32000, channels: 2, bits: 16, duration: 0.2, args: ['-c:a', 'flac', '-ch_mode', '2'], lossless: true },
  { file: 'flac-16-32000-mid-side.flac', codec: 'flac', rate: 32000, channels: 2, bits: 16, duration: 0.2, args: ['-c:a', 'flac', '-ch_mode', '3'], lossless: true },
  { file: 'flac-16-22050-level12.flac', codec: 'flac', rate: 22050, channels: 2, bits: 16, duration: 0.3, args: ['-c:a', 'flac', '-compression_level', '12'], lossless: true },
  { file: 'flac-16-44100-noise.flac', codec: 'flac', rate: 44100, channels: 2, bits: 16, duration: 0.1, args: ['-c:a', 'flac'], lossless: true, signal: 'noise' },
  // ALAC in MP4: 16/24-bit (24-bit stores its low byte raw: "shifted bits"), mono/stereo, twin
  // channels (one chirp, right at 0.8 × left: the encoder mixes the pair, mixRes ≠ 0) and noise
  // (the encoder falls back to verbatim "escape" frames).
  { file: 'alac-16-44100-stereo.m4a', codec: 'alac', rate: 44100, channels: 2, bits: 16, duration: 0.4, args: ['-c:a', 'alac'], lossless: true },
  { file: 'alac-16-22050-mono.m4a', codec: 'alac', rate: 22050, channels: 1, bits: 16, duration: 0.5, args: ['-c:a', 'alac'], lossless: true },
  { file: 'alac-24-96000-stereo.m4a', codec: 'alac', rate: 96000, channels: 2, bits: 24, duration: 0.2, args: ['-c:a', 'alac', '-sample_fmt', 's32p'], lossless: true },
  { file: 'alac-24-48000-mono.m4a', codec: 'alac', rate: 48000, channels: 1, bits: 24, duration: 0.3, args: ['-c:a', 'alac', '-sample_fmt', 's32p'], lossless: true },
  { file: 'alac-16-44100-twin.m4a', codec: 'alac', rate: 44100, channels: 2, bits: 16, duration: 0.2, args: ['-c:a', 'alac'], lossless: true, signal: 'twin' },
  { file: 'alac-24-44100-twin.m4a', codec: 'alac', rate: 44100, channels: 2, bits: 24, duration: 0.2, args: ['-c:a', 'alac', '-sample_fmt', 's32p'], lossless: true, signal: 'twin' },
  { file: 'alac-16-44100-noise.m4a', codec: 'alac', rate: 44100, channels: 2, bits: 16, duration: 0.1, args: ['-c:a', 'alac'], lossless: true, signal: 'noise' },
];

/**
 * ffmpeg's decoder for the references, where not its default: the reference libraries (libopus,
 * libvorbis). ffmpeg's native Opus decoder resamples SILK/hybrid frames differently from libopus
 * (5 dB SNR against it on the 16 kHz mono vector), which would measure resamplers, not decoding.
 */
const REFERENCE_DECODER = { opus: ['-c:a', 'libopus'], vorbis: ['-c:a', 'libvorbis'] };

/** Seeded full-scale white noise (a 32-bit LCG), the same on every run. */
export function noiseSample(index, bits, seed = 12345) {
  let x = (seed + Math.imul(index, 2654435761)) >>> 0;
  x = (Math.imul(x ^ (x >>> 15), 2246822519) >>> 0) ^ (x >>> 13);
  x = Math.imul(x, 3266489917) >>> 0;
  return (x >> (32 - bits)) | 0;
}

/** One integer sample of a master. */
export function masterSample(signal, n, ch, channels, rate, bits) {
  if (signal === 'noise') return noiseSample(n * channels + ch, bits);
  if (signal === 'twin') return quantize(sample(0, n / rate) * (ch === 0 ? 1 : 0.8), bits);
  return quantize(sample(ch, n / rate), bits);
}

/** The master's integer samples, interleaved. */
function masterSamples({ rate, channels, bits, duration, signal = 'chirp' }) {
  const frames = Math.round(duration * rate);
  const out = new Int32Array(frames * channels);
  for (let n = 0; n < frames; n++) {
    for (let ch = 0; ch < channels; ch++) {
      out[n * channels + ch] = masterSample(signal, n, ch, channels, rate, bits);
    }
  }
  return out;
}

/** Raw little-endian PCM of the master: s16le for 16-bit, s24le for 24-bit. */
function masterBytes(v, samples) {
  const width = v.bits / 8;
  const buf = Buffer.alloc(samples.length * width);
  samples.forEach((s, i) => (width === 2 ? buf.writeInt16LE(s, i * 2) : buf.writeIntLE(s, i * 3, 3)));
  return buf;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function ffmpeg(args) {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** Builds one vector (and its reference or check). */
function build(v, tmp) {
  const samples = masterSamples(v);
  const raw = join(tmp, `${v.file}.raw`);
  writeFileSync(raw, masterBytes(v, samples));
  const out = join(OUT, v.file);
  const input = ['-f', v.bits === 16 ? 's16le' : 's24le', '-ar', String(v.rate), '-ac', String(v.channels), '-i', raw];
  ffmpeg([...input, ...DETERMINISTIC, ...v.args, out]);
  if (v.lossless) {
    // Check that ffmpeg decodes the file to exactly the master.
    const pcm = ffmpeg(['-i', out, '-f', 's32le', '-']);
    const got = new Int32Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 4);
    const shift = 32 - v.bits;
    if (got.length !== samples.length) throw new Error(`${v.file}: ffmpeg decodes ${got.length} samples, the master has ${samples.length}`);
    for (let i = 0; i < got.length; i++) {
      if (got[i] >> shift !== samples[i]) throw new Error(`${v.file}: ffmpeg's decode differs from the master at sample ${i}`);
    }
  } else {
    writeFileSync(`${out}.s16`, ffmpeg([...(REFERENCE_DECODER[v.codec] ?? []), '-i', out, '-f', 's16le', '-']));
  }
}

function describe(v) {
  const { args: _args, ...facts } = v;
  return { ...facts, frames: Math.round(v.duration * v.rate), reference: v.lossless ? null : `${v.file}.s16` };
}

function main() {
  const force = process.argv.includes('--force');
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'kithara-wasm-fixtures-'));
  try {
    for (const v of VECTORS) {
      if (!force && existsSync(join(OUT, v.file)) && (v.lossless || existsSync(join(OUT, `${v.file}.s16`)))) continue;
      build(v, tmp);
      console.log(`made ${v.file}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(VECTORS.map(describe), null, 2)}\n`);
  let total = 0;
  for (const v of VECTORS) {
    total += statSync(join(OUT, v.file)).size;
    if (!v.lossless) total += statSync(join(OUT, `${v.file}.s16`)).size;
  }
  console.log(`fixtures/wasm: ${VECTORS.length} vectors, ${(total / 1024).toFixed(0)} KiB`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
