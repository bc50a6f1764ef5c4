// Bench media: 60 s of the fixtures/signal.mjs chirp as MP3 (128k CBR), M4A (AAC-LC 128k) and
// FLAC, made with ffmpeg into bench/media/ (gitignored) when missing. The lossy files come from a
// float master, FLAC from a 16-bit one, like scripts/make-fixtures.mjs does for the 6 s fixtures.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantize, sample } from '../../fixtures/signal.mjs';

/** Length of every bench file, in seconds. */
export const BENCH_MEDIA_SECONDS = 60;
const RATE = 44100;
const CHANNELS = 2;

/** The bench files: key, file name, what it is, and the ffmpeg encoder arguments. */
export const BENCH_MEDIA = [
  { key: 'mp3', file: 'chirp-60s.mp3', label: 'MP3 128k CBR', master: 'f32',
    args: ['-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '1', '-id3v2_version', '0'] },
  { key: 'm4a', file: 'chirp-60s.m4a', label: 'M4A AAC-LC 128k', master: 'f32',
    args: ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', '-movflags', '+faststart'] },
  { key: 'flac', file: 'chirp-60s.flac', label: 'FLAC 16-bit', master: 's16',
    args: ['-c:a', 'flac', '-sample_fmt', 's16'] },
];

/** Raw interleaved PCM of the chirp (f32le or s16le), 44100 Hz stereo, `seconds` long. */
export function renderRaw(kind, seconds = BENCH_MEDIA_SECONDS) {
  const frames = Math.round(seconds * RATE);
  const bytes = kind === 'f32' ? 4 : 2;
  const buf = Buffer.alloc(frames * CHANNELS * bytes);
  let o = 0;
  for (let n = 0; n < frames; n++) {
    const t = n / RATE;
    for (let ch = 0; ch < CHANNELS; ch++) {
      const x = sample(ch, t);
      if (kind === 'f32') buf.writeFloatLE(Math.fround(x), o);
      else buf.writeInt16LE(quantize(x, 16), o);
      o += bytes;
    }
  }
  return buf;
}

/**
 * Makes the missing bench files in `dir`.
 * @param {string} dir absolute path of bench/media
 * @returns {{ key: string, file: string, label: string, bytes: number }[]}
 */
export function ensureBenchMedia(dir) {
  mkdirSync(dir, { recursive: true });
  const missing = BENCH_MEDIA.filter((m) => !existsSync(join(dir, m.file)));
  if (missing.length > 0) {
    const tmp = mkdtempSync(join(tmpdir(), 'kithara-bench-'));
    try {
      const masters = new Map();
      for (const m of missing) {
        if (!masters.has(m.master)) {
          const path = join(tmp, `master.${m.master}`);
          writeFileSync(path, renderRaw(m.master));
          masters.set(m.master, path);
        }
        const fmt = m.master === 'f32' ? 'f32le' : 's16le';
        console.log(`bench: making bench/media/${m.file}`);
        const r = spawnSync('ffmpeg', [
          '-hide_banner', '-loglevel', 'error', '-y',
          '-f', fmt, '-ar', String(RATE), '-ac', String(CHANNELS), '-i', masters.get(m.master),
          '-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1',
          ...m.args, join(dir, m.file),
        ], { encoding: 'utf8' });
        if (r.error) throw new Error(`cannot run ffmpeg: ${r.error.message}`);
        if (r.status !== 0) throw new Error(`ffmpeg failed for ${m.file}:\n${r.stderr}`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return BENCH_MEDIA.map((m) => ({ key: m.key, file: m.file, label: m.label, bytes: statSync(join(dir, m.file)).size }));
}
