// Checks the committed fixtures (scripts/make-fixtures.mjs) against fixtures/signal.mjs: the
// WAV files hold exactly the quantized chirp, FLAC decodes to the same samples, and every lossy
// file decodes (with ffmpeg) to the chirp at the position its container implies, at the quality
// the e2e thresholds assume.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alignTo, blockSnr, checkContinuity, exactCompare, expectedPcm, quantize, sample } from './analyze.mjs';
import { ffmpegDecode, ffprobeAudio } from './ffmpeg.mjs';

const MEDIA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'media');

interface ManifestEntry {
  file: string;
  container: string;
  codec: string;
  sampleRate: number;
  channels: number;
  frames: number;
  duration: number;
  lossless: boolean;
  bits?: number;
}

const manifest = JSON.parse(readFileSync(join(MEDIA, 'manifest.json'), 'utf8')) as ManifestEntry[];
const entry = (file: string): ManifestEntry => {
  const e = manifest.find((m) => m.file === file);
  assert.ok(e, `${file} is in the manifest`);
  return e;
};

/** The fmt fields and the data chunk of a RIFF/WAVE file. */
function parseWav(buf: Buffer): { format: number; channels: number; rate: number; bits: number; data: Buffer } {
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF');
  assert.equal(buf.toString('latin1', 8, 12), 'WAVE');
  assert.equal(buf.readUInt32LE(4), buf.length - 8, 'RIFF size');
  let fmt: Buffer | null = null;
  let data: Buffer | null = null;
  for (let o = 12; o + 8 <= buf.length; ) {
    const id = buf.toString('latin1', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    const body = buf.subarray(o + 8, o + 8 + size);
    if (id === 'fmt ') fmt = body;
    if (id === 'data') data = body;
    o += 8 + size + (size % 2);
  }
  assert.ok(fmt && data, 'fmt and data chunks');
  let format = fmt.readUInt16LE(0);
  if (format === 0xfffe) format = fmt.readUInt16LE(24); // sub-format GUID's first two bytes
  return { format, channels: fmt.readUInt16LE(2), rate: fmt.readUInt32LE(4), bits: fmt.readUInt16LE(14), data };
}

describe('fixture manifest', () => {
  it('lists every media file, and ffprobe agrees with it', () => {
    const files = readdirSync(MEDIA).filter((f) => f !== 'manifest.json' && /\.\w+$/.test(f));
    assert.deepEqual(manifest.map((m) => m.file).sort(), files.sort());
    for (const m of manifest) {
      const probe = ffprobeAudio(join(MEDIA, m.file));
      assert.equal(probe.sampleRate, m.sampleRate, m.file);
      assert.equal(probe.channels, m.channels, m.file);
      assert.equal(m.frames, Math.round(6 * m.sampleRate), m.file);
      assert.equal(probe.codec, m.codec, m.file);
    }
  });
});

describe('lossless fixtures', () => {
  for (const file of ['chirp-s16.wav', 'chirp-s24-48000.wav', 'chirp-s32.wav', 'chirp-f32.wav', 'chirp-mono-s16-22050.wav']) {
    it(`${file} holds exactly the quantized chirp`, () => {
      const m = entry(file);
      const wav = parseWav(readFileSync(join(MEDIA, file)));
      const isFloat = m.codec === 'pcm_f32le';
      assert.equal(wav.format, isFloat ? 3 : 1);
      assert.deepEqual([wav.channels, wav.rate, wav.bits], [m.channels, m.sampleRate, m.bits]);
      const bytes = wav.bits / 8;
      assert.equal(wav.data.length, m.frames * m.channels * bytes);
      let o = 0;
      for (let n = 0; n < m.frames; n++) {
        for (let ch = 0; ch < m.channels; ch++, o += bytes) {
          const x = sample(ch, n / m.sampleRate);
          const got = isFloat ? wav.data.readFloatLE(o) : wav.data.readIntLE(o, bytes);
          const want = isFloat ? Math.fround(x) : quantize(x, wav.bits);
          if (got !== want) assert.fail(`${file}: frame ${n} channel ${ch} is ${got}, expected ${want}`);
        }
      }
    });
  }

  it('chirp.flac decodes to the samples of chirp-s16.wav', () => {
    const flac = ffmpegDecode(join(MEDIA, 'chirp.flac'));
    const wav = ffmpegDecode(join(MEDIA, 'chirp-s16.wav'));
    const r = exactCompare(flac.planes, wav.planes);
    assert.ok(r.equal, JSON.stringify(r));
    assert.ok(exactCompare(flac.planes, expectedPcm(2, 44100, 264600, { bits: 16 })).equal, 'equals the analytic 16-bit chirp');
  });

  it('chirp-mono-48000.flac decodes to the 16-bit mono chirp at 48000', () => {
    const flac = ffmpegDecode(join(MEDIA, 'chirp-mono-48000.flac'));
    const r = exactCompare(flac.planes, expectedPcm(1, 48000, 288000, { bits: 16 }));
    assert.ok(r.equal, JSON.stringify(r));
  });
});

// Leading frames in ffmpeg's decode (0 when the container says how much priming to trim), and
// floors a little below what was measured (see the test kit report for the measured values).
const LOSSY: { file: string; lead: number; medianSnr: number; minBlockSnr: number; gain: number }[] = [
  { file: 'chirp-cbr.mp3', lead: 0, medianSnr: 70, minBlockSnr: 45, gain: 0.95 },
  { file: 'chirp-vbr.mp3', lead: 0, medianSnr: 38, minBlockSnr: 26, gain: 1 },
  { file: 'chirp-id3.mp3', lead: 1105, medianSnr: 70, minBlockSnr: 45, gain: 0.95 }, // no LAME tag
  { file: 'chirp-mono-22050.mp3', lead: 0, medianSnr: 70, minBlockSnr: 38, gain: 0.95 },
  { file: 'chirp.aac', lead: 1024, medianSnr: 65, minBlockSnr: 42, gain: 1 }, // ADTS: no priming info
  { file: 'chirp.m4a', lead: 0, medianSnr: 65, minBlockSnr: 42, gain: 1 },
  { file: 'chirp-moov-end.m4a', lead: 0, medianSnr: 65, minBlockSnr: 42, gain: 1 },
  { file: 'chirp.ogg', lead: 0, medianSnr: 22, minBlockSnr: 15, gain: 0.986 },
  { file: 'chirp.opus', lead: 0, medianSnr: 29, minBlockSnr: 15, gain: 1 },
];

describe('lossy fixtures decoded by ffmpeg', () => {
  for (const { file, lead, medianSnr, minBlockSnr, gain } of LOSSY) {
    it(`${file} starts ${lead} frames in and stays continuous at the expected quality`, () => {
      assert.ok(existsSync(join(MEDIA, file)), `${file} exists`);
      const m = entry(file);
      const d = ffmpegDecode(join(MEDIA, file));
      const a = alignTo(d.planes, d.rate, 1.0, { start: d.rate, searchMs: 100 });
      assert.ok(Math.abs(-a.lagFrames - lead) < 0.1, `${file}: ${-a.lagFrames} leading frames`);
      assert.ok(a.corr > 0.999, `${file}: corr ${a.corr}`);
      // Whole blocks away from the very start and end, where encoders smear.
      const frames = m.frames - 2048;
      const s = blockSnr(d.planes, d.rate, 0, { start: lead, frames });
      assert.ok(Math.abs(s.gain - gain) < 0.01, `${file}: gain ${s.gain}`);
      assert.ok(s.median > medianSnr, `${file}: median SNR ${s.median}`);
      const c = checkContinuity(d.planes, d.rate, 0, { start: lead, frames, minSnrDb: minBlockSnr });
      assert.ok(c.ok, `${file}: ${JSON.stringify({ drift: c.drift, minSnr: c.minSnr, minCorr: c.minCorr, jumps: c.jumps })}`);
    });
  }
});
