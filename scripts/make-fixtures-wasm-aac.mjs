#!/usr/bin/env node
// Makes the AAC-LC test vectors of the WASM decoder in fixtures/wasm/aac/: short deterministic
// clips encoded by ffmpeg's native AAC encoder as ADTS with noise substitution off
// (`-aac_pns 0`), each with ffmpeg's own decode as the reference (`<name>.f32`: raw interleaved
// float32, every decoded frame, priming included, exactly as `ffmpeg -f f32le` writes it, so
// sample n of the reference is sample n of a decoder that starts at the first packet).
//
//   node scripts/make-fixtures-wasm-aac.mjs          make the files that are missing
//   node scripts/make-fixtures-wasm-aac.mjs --force  remake every file
//
// The clips exercise the coding tools: transients (castanet-like noise bursts and clicks) force
// short windows and window switching, `-aac_ms 1` M/S, a panned wideband signal with `-aac_is 1`
// intensity stereo, `-aac_tns 1` TNS, and every sampling rate the decoder has band tables for.
// One vector keeps PNS on; its test compares band energies (noise is random by design).
// ffmpeg's encoder never writes pulse data, so one vector is rewritten to carry it
// (scripts/aac-pulse-vector.mjs) and decoded by ffmpeg for its reference.
// fixtures/wasm/aac/manifest.json lists the vectors.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sample } from '../fixtures/signal.mjs';
import { addPulseData } from './aac-pulse-vector.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'wasm', 'aac');

/** Flags that keep ffmpeg's output free of version strings and metadata. */
const DETERMINISTIC = ['-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1'];

/** Seeded uniform noise in [-1, 1) (xorshift32), one generator per channel and signal. */
function noiseSource(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2147483648 - 1;
  };
}

/** Tonal content: the chirp plus a few steady partials and a little noise (many bands, escapes). */
function rich(channels, rate, frames) {
  const planes = [];
  for (let ch = 0; ch < channels; ch++) {
    const noise = noiseSource(1000 + ch);
    const p = new Float32Array(frames);
    const top = rate / 2;
    for (let i = 0; i < frames; i++) {
      const t = i / rate;
      let v = 0.6 * sample(ch, t);
      for (const [f, a] of [[440 + 110 * ch, 0.12], [1234, 0.06], [0.3 * top, 0.03], [0.45 * top, 0.01]]) {
        v += a * Math.sin(2 * Math.PI * f * t);
      }
      p[i] = v + 0.01 * noise();
    }
    planes.push(p);
  }
  return planes;
}

/** Castanet-like decaying noise bursts every 70 ms, a click every 110 ms, over a quiet tone. */
function transients(channels, rate, frames) {
  const planes = [];
  for (let ch = 0; ch < channels; ch++) {
    const noise = noiseSource(2000 + ch);
    const p = new Float32Array(frames);
    const click = Math.round(0.11 * rate);
    for (let i = 0; i < frames; i++) {
      const t = i / rate;
      const since = t % 0.07;
      let v = 0.1 * Math.sin(2 * Math.PI * (330 + 60 * ch) * t);
      v += 0.7 * Math.exp(-since / 0.004) * noise();
      if (i % click === 17) v += ch === 0 ? 0.9 : -0.7;
      p[i] = v;
    }
    planes.push(p);
  }
  return planes;
}

/** A wideband signal panned right-of-centre: the same content in both channels, R at 0.4 × L. */
function panned(channels, rate, frames) {
  const noise = noiseSource(3000);
  const left = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / rate;
    left[i] = 0.3 * noise() + 0.3 * Math.sin(2 * Math.PI * 700 * t) + 0.2 * Math.sin(2 * Math.PI * 9000 * t);
  }
  const right = left.map((v) => 0.4 * v);
  return [left, right].slice(0, channels);
}

/** White noise and a tone at equal level: the encoder substitutes the noisy bands (PNS). */
function noisy(channels, rate, frames) {
  const noise = noiseSource(4000);
  const p = new Float32Array(frames);
  for (let i = 0; i < frames; i++) p[i] = 0.3 * noise() + 0.3 * Math.sin((2 * Math.PI * 500 * i) / rate);
  return [p].slice(0, channels);
}

const SIGNALS = { rich, transients, panned, noisy };

/**
 * The vectors: `features` are the coding tools the test must find in the stream (counts > 0 in
 * the decoder's statistics).
 */
const VECTORS = [
  { name: 'transients-stereo-44100', signal: 'transients', rate: 44100, channels: 2, duration: 0.22, bitrate: '128k', args: ['-aac_ms', '1', '-aac_is', '0', '-aac_tns', '1'], features: ['short', 'start', 'stop', 'ms', 'tns', 'grouped'] },
  { name: 'intensity-stereo-44100', signal: 'panned', rate: 44100, channels: 2, duration: 0.15, bitrate: '64k', args: ['-aac_ms', '0', '-aac_is', '1', '-aac_tns', '0'], features: ['is'] },
  { name: 'rich-mono-8000', signal: 'rich', rate: 8000, channels: 1, duration: 0.4, bitrate: '24k', args: [], features: ['escapes'] },
  { name: 'rich-stereo-11025', signal: 'rich', rate: 11025, channels: 2, duration: 0.25, bitrate: '48k', args: ['-aac_ms', '1'], features: ['ms'] },
  { name: 'transients-mono-16000', signal: 'transients', rate: 16000, channels: 1, duration: 0.3, bitrate: '32k', args: [], features: ['short'] },
  { name: 'rich-stereo-22050', signal: 'rich', rate: 22050, channels: 2, duration: 0.2, bitrate: '64k', args: [], features: [] },
  { name: 'transients-mono-32000', signal: 'transients', rate: 32000, channels: 1, duration: 0.25, bitrate: '64k', args: ['-aac_tns', '1'], features: ['short', 'tns'] },
  { name: 'rich-mono-48000', signal: 'rich', rate: 48000, channels: 1, duration: 0.15, bitrate: '96k', args: [], features: [] },
  { name: 'transients-mono-64000', signal: 'transients', rate: 64000, channels: 1, duration: 0.1, bitrate: '96k', args: [], features: ['short'] },
  { name: 'rich-mono-96000', signal: 'rich', rate: 96000, channels: 1, duration: 0.08, bitrate: '128k', args: [], features: [] },
  { name: 'rich-5.1-8000', signal: 'rich', rate: 8000, channels: 6, duration: 0.2, bitrate: '96k', args: [], features: ['lfe'] },
  // Noise substitution: random by design, so its test compares band energies, not samples.
  { name: 'pns-mono-16000', signal: 'noisy', rate: 16000, channels: 1, duration: 0.25, bitrate: '32k', args: ['-aac_pns', '1'], features: ['pns'], pns: true },
  { name: 'pulse-mono-44100', signal: 'rich', rate: 44100, channels: 1, duration: 0.2, bitrate: '96k', args: [], features: ['pulse'], pulse: true },
];

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function interleave(planes) {
  const frames = planes[0].length;
  const out = new Float32Array(frames * planes.length);
  planes.forEach((p, c) => p.forEach((v, i) => (out[i * planes.length + c] = v)));
  return Buffer.from(out.buffer);
}

function build(v) {
  const aac = join(OUT, `${v.name}.aac`);
  const frames = Math.round(v.duration * v.rate);
  const master = interleave(SIGNALS[v.signal](v.channels, v.rate, frames));
  const layout = v.channels === 6 ? ['-channel_layout', '5.1'] : [];
  let encoded = run('ffmpeg', [
    '-v', 'error', '-f', 'f32le', '-ar', String(v.rate), '-ac', String(v.channels), ...layout, '-i', 'pipe:0',
    '-c:a', 'aac', ...(v.pns ? [] : ['-aac_pns', '0']), '-b:a', v.bitrate, ...v.args, ...DETERMINISTIC, '-f', 'adts', 'pipe:1',
  ], master);
  if (v.pulse) encoded = addPulseData(encoded);
  writeFileSync(aac, encoded);
  const pcm = run('ffmpeg', ['-v', 'error', '-i', aac, '-f', 'f32le', 'pipe:1']);
  writeFileSync(join(OUT, `${v.name}.f32`), pcm);
  return { packets: pcm.length / 4 / v.channels / 1024 };
}

const force = process.argv.includes('--force');
mkdirSync(OUT, { recursive: true });
const manifest = [];
for (const v of VECTORS) {
  const aac = join(OUT, `${v.name}.aac`);
  const ref = join(OUT, `${v.name}.f32`);
  if (force || !existsSync(aac) || !existsSync(ref)) {
    build(v);
    console.log(`made ${v.name}`);
  }
  const frames = readFileSync(ref).length / 4 / v.channels;
  manifest.push({
    file: `${v.name}.aac`,
    reference: `${v.name}.f32`,
    sampleRate: v.rate,
    channels: v.channels,
    frames,
    features: v.features,
    compare: v.pns ? 'band-energy' : 'samples',
  });
}
writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
