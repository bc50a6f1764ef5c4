#!/usr/bin/env node
// Makes the committed test fixtures in fixtures/media/ from the position-coded chirp in
// fixtures/signal.mjs. WAV files are written here byte by byte (so their samples are exactly
// quantize(sample(ch, n / rate), bits)); every other file is encoded by ffmpeg from a WAV master
// rendered into a temporary folder.
//
//   node scripts/make-fixtures.mjs            make the files that are missing
//   node scripts/make-fixtures.mjs --force    remake every file
//   node scripts/make-fixtures.mjs --only chirp.flac,chirp.ogg
//
// Outputs are declared in SECTIONS, a table of { file, ...manifest fields, build(ctx, out) }.
// To add fixtures (for example an HLS ladder), append a section; an entry whose `manifest` is
// false is built but left out of manifest.json. fixtures/media/manifest.json is rewritten on
// every run from the table.
//
// A section may set `root` (another folder, with its own manifest.json) and `describe(fields,
// out)` (its manifest entry). The HLS section (scripts/make-fixtures-hls.mjs) does both: its
// outputs are folders in fixtures/hls/, remade whole when missing or with --force.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantize, sample } from '../fixtures/signal.mjs';
import { hlsSection } from './make-fixtures-hls.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MEDIA = join(ROOT, 'fixtures', 'media');
const HLS = join(ROOT, 'fixtures', 'hls');

/** Length of every fixture, in seconds. */
const DURATION = 6.0;

// ---------------------------------------------------------------------------------------------
// WAV writing

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// KSDATAFORMAT_SUBTYPE_PCM: 00000001-0000-0010-8000-00aa00389b71, stored little-endian.
const SUBTYPE_PCM = Buffer.from('0100000000001000800000aa00389b71', 'hex');

/**
 * Encodes a WAV file holding the chirp.
 * @param {{ rate: number, channels: number, sampleFormat: 's16'|'s24'|'s32'|'f32', extensible?: boolean, duration?: number }} spec
 * @returns {Buffer}
 */
function encodeWav({ rate, channels, sampleFormat, extensible = false, duration = DURATION }) {
  const frames = Math.round(duration * rate);
  const bits = { s16: 16, s24: 24, s32: 32, f32: 32 }[sampleFormat];
  const bytesPerSample = bits / 8;
  const blockAlign = channels * bytesPerSample;
  const dataBytes = frames * blockAlign;
  const isFloat = sampleFormat === 'f32';

  const chunks = [];
  // fmt chunk
  let fmt;
  if (extensible) {
    fmt = Buffer.alloc(40);
    fmt.writeUInt16LE(WAVE_FORMAT_EXTENSIBLE, 0);
  } else if (isFloat) {
    fmt = Buffer.alloc(18); // non-PCM formats carry cbSize = 0
    fmt.writeUInt16LE(WAVE_FORMAT_IEEE_FLOAT, 0);
  } else {
    fmt = Buffer.alloc(16);
    fmt.writeUInt16LE(WAVE_FORMAT_PCM, 0);
  }
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bits, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16); // cbSize
    fmt.writeUInt16LE(bits, 18); // valid bits per sample
    fmt.writeUInt32LE(channels === 1 ? 0x4 : 0x3, 20); // FC, or FL|FR
    SUBTYPE_PCM.copy(fmt, 24);
  }
  chunks.push(riffChunk('fmt ', fmt));
  if (isFloat) {
    const fact = Buffer.alloc(4);
    fact.writeUInt32LE(frames, 0);
    chunks.push(riffChunk('fact', fact));
  }

  const data = Buffer.alloc(dataBytes);
  let o = 0;
  for (let n = 0; n < frames; n++) {
    const t = n / rate;
    for (let ch = 0; ch < channels; ch++) {
      const x = sample(ch, t);
      if (isFloat) data.writeFloatLE(Math.fround(x), o);
      else if (bits === 16) data.writeInt16LE(quantize(x, 16), o);
      else if (bits === 24) data.writeIntLE(quantize(x, 24), o, 3);
      else data.writeInt32LE(quantize(x, 32), o);
      o += bytesPerSample;
    }
  }
  chunks.push(riffChunk('data', data));

  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  return riffChunk('RIFF', body);
}

function riffChunk(id, payload) {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(payload.length, 4);
  const pad = payload.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([head, payload, pad]);
}

// ---------------------------------------------------------------------------------------------
// Build context: temporary masters and ffmpeg

/** Flags that keep ffmpeg's output free of version strings, dates and random serials. */
const DETERMINISTIC = ['-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1'];

function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (r.error) throw new Error(`cannot run ffmpeg: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Lazily made inputs shared by several outputs (WAV masters, a cover picture). */
function makeContext(tmp) {
  const cache = new Map();
  const once = (key, make) => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key);
  };
  return {
    ffmpeg,
    /** The temporary folder (removed at the end of the run). */
    tmp,
    /** Flags that keep ffmpeg's output reproducible. */
    deterministic: DETERMINISTIC,
    /** Path of a temporary WAV master of the chirp (for lossy encodes use 'f32' or 's24'). */
    master(rate, channels, sampleFormat, duration = DURATION) {
      return once(`master-${rate}-${channels}-${sampleFormat}-${duration}`, () => {
        const path = join(tmp, `master-${rate}-${channels}-${sampleFormat}-${duration}.wav`);
        writeFileSync(path, encodeWav({ rate, channels, sampleFormat, duration, extensible: sampleFormat !== 's16' && sampleFormat !== 'f32' }));
        return path;
      });
    },
    /** A 96x96 PNG of seeded noise: about 28 kB, so the ID3 tag that carries it is large. */
    cover() {
      return once('cover', () => {
        const raw = join(tmp, 'cover.rgb');
        const png = join(tmp, 'cover.png');
        writeFileSync(raw, seededBytes(96 * 96 * 3, 0x6b697468));
        ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '96x96', '-i', raw, ...DETERMINISTIC, '-frames:v', '1', png]);
        return png;
      });
    },
  };
}

/** xorshift32 bytes, so the cover picture is identical on every run. */
function seededBytes(n, seed) {
  const out = Buffer.alloc(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The table of outputs

/** Writes a WAV fixture directly. */
const wav = (file, rate, channels, sampleFormat, extensible) => ({
  file,
  container: 'wav',
  codec: sampleFormat === 'f32' ? 'pcm_f32le' : `pcm_${sampleFormat}le`,
  sampleRate: rate,
  channels,
  lossless: true,
  bits: { s16: 16, s24: 24, s32: 32, f32: 32 }[sampleFormat],
  build: (_ctx, out) => writeFileSync(out, encodeWav({ rate, channels, sampleFormat, extensible })),
});

/** Encodes with ffmpeg from a master; `args` go between the inputs and the output path. */
const encode = (fields, masterSpec, args) => ({
  ...fields,
  build: (ctx, out) => ctx.ffmpeg(['-i', ctx.master(...masterSpec), ...DETERMINISTIC, ...args, out]),
});

const STEREO_44 = { sampleRate: 44100, channels: 2 };

/** @type {{ name: string, outputs: object[] }[]} */
const SECTIONS = [
  {
    name: 'wav',
    outputs: [
      wav('chirp-s16.wav', 44100, 2, 's16', false),
      wav('chirp-s24-48000.wav', 48000, 2, 's24', true),
      wav('chirp-s32.wav', 44100, 2, 's32', true),
      wav('chirp-f32.wav', 44100, 2, 'f32', false),
      wav('chirp-mono-s16-22050.wav', 22050, 1, 's16', false),
    ],
  },
  {
    name: 'mp3',
    outputs: [
      encode({ file: 'chirp-cbr.mp3', container: 'mp3', codec: 'mp3', ...STEREO_44, lossless: false },
        [44100, 2, 'f32'], ['-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '1', '-id3v2_version', '0']),
      encode({ file: 'chirp-vbr.mp3', container: 'mp3', codec: 'mp3', ...STEREO_44, lossless: false },
        [44100, 2, 'f32'], ['-c:a', 'libmp3lame', '-q:a', '4', '-write_xing', '1', '-id3v2_version', '0']),
      {
        file: 'chirp-id3.mp3', container: 'mp3', codec: 'mp3', ...STEREO_44, lossless: false,
        build: (ctx, out) => ctx.ffmpeg([
          '-i', ctx.master(44100, 2, 'f32'), '-i', ctx.cover(), ...DETERMINISTIC,
          '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '128k', '-c:v', 'copy',
          '-disposition:v', 'attached_pic', '-id3v2_version', '3', '-write_xing', '0',
          '-metadata', 'title=Kithara chirp', '-metadata', 'artist=Kithara fixtures',
          '-metadata:s:v', 'title=Cover', '-metadata:s:v', 'comment=Cover (front)', out,
        ]),
      },
      encode({ file: 'chirp-mono-22050.mp3', container: 'mp3', codec: 'mp3', sampleRate: 22050, channels: 1, lossless: false },
        [22050, 1, 'f32'], ['-c:a', 'libmp3lame', '-b:a', '64k', '-write_xing', '1', '-id3v2_version', '0']),
    ],
  },
  {
    name: 'aac',
    // ffmpeg's default 'twoloop' AAC coder smears this chirp (block SNR down to 9 dB); the 'fast'
    // coder writes the same AAC-LC bitstream format at about 40 dB or better everywhere.
    outputs: [
      encode({ file: 'chirp.aac', container: 'adts', codec: 'aac', ...STEREO_44, lossless: false },
        [44100, 2, 'f32'], ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', '-f', 'adts']),
      encode({ file: 'chirp.m4a', container: 'mp4', codec: 'aac', ...STEREO_44, lossless: false },
        [44100, 2, 'f32'], ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', '-movflags', '+faststart']),
      encode({ file: 'chirp-moov-end.m4a', container: 'mp4', codec: 'aac', ...STEREO_44, lossless: false },
        [44100, 2, 'f32'], ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k']),
    ],
  },
  {
    name: 'flac',
    outputs: [
      // From the 16-bit master, so the decode equals chirp-s16.wav sample for sample.
      encode({ file: 'chirp.flac', container: 'flac', codec: 'flac', ...STEREO_44, lossless: true, bits: 16 },
        [44100, 2, 's16'], ['-c:a', 'flac', '-sample_fmt', 's16']),
      encode({ file: 'chirp-mono-48000.flac', container: 'flac', codec: 'flac', sampleRate: 48000, channels: 1, lossless: true, bits: 16 },
        [48000, 1, 's16'], ['-c:a', 'flac', '-sample_fmt', 's16']),
    ],
  },
  {
    name: 'ogg',
    outputs: [
      encode({ file: 'chirp.ogg', container: 'ogg', codec: 'vorbis', ...STEREO_44, lossless: false },
        [44100, 2, 'f32'], ['-c:a', 'libvorbis', '-q:a', '4']),
      // Opus always runs at 48000; the master is rendered at 48000 so nothing resamples.
      encode({ file: 'chirp.opus', container: 'ogg', codec: 'opus', sampleRate: 48000, channels: 2, lossless: false },
        [48000, 2, 'f32'], ['-c:a', 'libopus', '-b:a', '96k', '-f', 'ogg']),
    ],
  },
  hlsSection(HLS),
];

// ---------------------------------------------------------------------------------------------
// Main

function parseArgs(argv) {
  const opts = { force: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--only') opts.only = new Set((argv[++i] ?? '').split(','));
    else if (a.startsWith('--only=')) opts.only = new Set(a.slice(7).split(','));
    else throw new Error(`unknown argument ${a} (use --force, --only a,b)`);
  }
  return opts;
}

/** Bytes in a file, or in a folder and its subfolders. */
function sizeOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** The manifest entry of a plain file fixture in fixtures/media/. */
const describeMediaFile = (fields) => ({ ...fields, frames: Math.round(DURATION * fields.sampleRate), duration: DURATION });

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = mkdtempSync(join(tmpdir(), 'kithara-fixtures-'));
  const ctx = makeContext(tmp);
  /** @type {Map<string, object[]>} manifest entries by root folder */
  const manifests = new Map();
  let made = 0;
  try {
    for (const section of SECTIONS) {
      const root = section.root ?? MEDIA;
      const describe = section.describe ?? describeMediaFile;
      mkdirSync(root, { recursive: true });
      if (!manifests.has(root)) manifests.set(root, []);
      for (const output of section.outputs) {
        const { build, manifest: inManifest = true, ...fields } = output;
        const out = join(root, output.file);
        const wanted = !opts.only || opts.only.has(output.file);
        if (wanted && (opts.force || !existsSync(out))) {
          if (section.root) rmSync(out, { recursive: true, force: true }); // folder outputs start empty
          build(ctx, out);
          made++;
          console.log(`made ${section.name}/${output.file} (${sizeOf(out)} bytes)`);
        }
        if (inManifest) manifests.get(root).push(describe(fields, out));
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const [root, manifest] of manifests) {
    writeFileSync(join(root, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  console.log(made ? `${made} fixture(s) made` : 'all fixtures present (use --force to remake)');
}

main();
