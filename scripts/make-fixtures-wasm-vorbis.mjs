#!/usr/bin/env node
// Makes the test vectors of the WASM Vorbis decoder in fixtures/wasm/vorbis/: short
// deterministic clips encoded by libvorbis (through ffmpeg), each with libvorbis's own decode as
// the reference (`<file>.s16`: raw interleaved s16le, every decoded frame, as
// `ffmpeg -c:a libvorbis -i <file> -f s16le` writes it; channels stay in Vorbis order there,
// while the decoder, like ffmpeg's native decoder and WebCodecs, outputs WAVE order).
//
//   node scripts/make-fixtures-wasm-vorbis.mjs          make the files that are missing
//   node scripts/make-fixtures-wasm-vorbis.mjs --force  remake every file
//
// The clips cover low and high rates (8 kHz mono … 96 kHz), the quality range (-q -1 … 10,
// which changes block sizes, books, floors and residue setups), 5.1 (several coupling steps and
// submaps), transients (short blocks and window switching) and bitrate management (packets
// whose residue is cut short). `chirp.ogg.s16` holds three 0.1 s excerpts of the reference
// decode of fixtures/media/chirp.ogg (start, middle, end) so that the 6 s file is checked without
// committing its whole decode. fixtures/wasm/vorbis/manifest.json lists the vectors.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sample } from '../fixtures/signal.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'wasm', 'vorbis');
const CHIRP = join(ROOT, 'fixtures', 'media', 'chirp.ogg');

/** Flags that keep ffmpeg's output free of version strings, dates and random serials. */
const DETERMINISTIC = ['-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1'];

/**
 * The vectors: rate, channels, duration (s), content ('chirp' or 'transients': the chirp with
 * clicks and noise bursts) and the encoder's arguments.
 */
const VECTORS = [
  { file: 'mono-8000-q0.ogg', rate: 8000, channels: 1, duration: 0.8, content: 'chirp', args: ['-q:a', '0'] },
  { file: 'stereo-11025-q2.ogg', rate: 11025, channels: 2, duration: 0.6, content: 'chirp', args: ['-q:a', '2'] },
  { file: 'mono-44100-q-1.ogg', rate: 44100, channels: 1, duration: 0.3, content: 'transients', args: ['-q:a', '-1'] },
  { file: 'stereo-44100-transients-q6.ogg', rate: 44100, channels: 2, duration: 0.3, content: 'transients', args: ['-q:a', '6'] },
  { file: 'stereo-96000-q10.ogg', rate: 96000, channels: 2, duration: 0.1, content: 'transients', args: ['-q:a', '10'] },
  { file: '5.1-48000-q3.ogg', rate: 48000, channels: 6, duration: 0.1, content: 'transients', args: ['-q:a', '3'] },
  { file: 'stereo-32000-managed.ogg', rate: 32000, channels: 2, duration: 0.4, content: 'transients', args: ['-b:a', '48k', '-minrate', '48k', '-maxrate', '48k'] },
];

/** Frames of each chirp.ogg excerpt, and where they start (the last one ends at the end). */
const EXCERPT = 4410;
const EXCERPT_STARTS = [0, 132300, -1];

/** Deterministic noise in [-1, 1) (xorshift32). */
function noise(seed) {
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

/** The clip, interleaved float32. */
function render(v) {
  const frames = Math.round(v.duration * v.rate);
  const out = new Float32Array(frames * v.channels);
  for (let ch = 0; ch < v.channels; ch++) {
    const rnd = noise(77 + ch);
    const gain = 1 - 0.1 * ch;
    for (let i = 0; i < frames; i++) {
      const t = i / v.rate;
      let x = gain * sample(ch, t) + 0.05 * Math.sin(2 * Math.PI * (500 + 150 * ch) * t);
      if (v.content === 'transients') {
        const phase = (t * 7 + ch * 0.05) % 1; // a click and a decaying noise burst 7 times a second
        if (phase < 0.03) x += 0.4 * rnd() * (1 - phase / 0.03);
        if (i % Math.round(v.rate / 9) === 0) x += 0.6;
      }
      out[i * v.channels + ch] = Math.max(-1, Math.min(1, x * 0.8));
    }
  }
  return out;
}

function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ffmpeg: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** libvorbis's decode of a file, s16le interleaved. */
function reference(file) {
  return ffmpeg(['-c:a', 'libvorbis', '-i', file, '-f', 's16le', '-']);
}

function main() {
  const force = process.argv.includes('--force');
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'kithara-vorbis-fixtures-'));
  const manifest = [];
  try {
    for (const v of VECTORS) {
      const out = join(OUT, v.file);
      const made = existsSync(out) && existsSync(`${out}.s16`);
      if (force || !made) {
        const raw = join(tmp, `${v.file}.f32`);
        writeFileSync(raw, render(v));
        ffmpeg(['-f', 'f32le', '-ar', String(v.rate), '-ac', String(v.channels), '-i', raw, ...DETERMINISTIC, '-c:a', 'libvorbis', ...v.args, out]);
        writeFileSync(`${out}.s16`, reference(out));
        console.log(`made ${v.file}`);
      }
      const { args, content: _content, ...facts } = v;
      manifest.push({ ...facts, encoder: args.join(' '), reference: `${v.file}.s16` });
    }
    const excerpts = join(OUT, 'chirp.ogg.s16');
    const full = reference(CHIRP);
    const frames = full.byteLength / 4;
    const starts = EXCERPT_STARTS.map((s) => (s < 0 ? frames - EXCERPT : s));
    if (force || !existsSync(excerpts)) {
      writeFileSync(excerpts, Buffer.concat(starts.map((s) => full.subarray(s * 4, (s + EXCERPT) * 4))));
      console.log('made chirp.ogg.s16');
    }
    manifest.push({ file: '../../media/chirp.ogg', rate: 44100, channels: 2, frames, excerpts: starts.map((start) => ({ start, frames: EXCERPT })), reference: 'chirp.ogg.s16' });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

main();
