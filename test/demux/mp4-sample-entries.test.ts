import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource } from '../../src/stream/source.js';
import { mp4Format, parseAudioSpecificConfig } from '../../src/demux/mp4/index.js';
import type { Demuxer, EncodedPacket } from '../../src/demux/types.js';
import { ffmpeg } from '../lib/ffmpeg.mjs';

const MEDIA = join(import.meta.dirname, '..', '..', 'fixtures', 'media');
const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;

function ffprobe(file: string, entries: string): Record<string, string>[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', entries, '-of', 'json', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  return json.packets ?? json.streams;
}

async function openFile(file: string): Promise<Demuxer> {
  return mp4Format.open(new ByteReader(new MemorySource(new Uint8Array(readFileSync(file)))));
}

async function all(d: Demuxer): Promise<EncodedPacket[]> {
  const out: EncodedPacket[] = [];
  for (let p = await d.next(); p; p = await d.next()) out.push(p);
  return out;
}

describe('MP4 sample entries made by ffmpeg', { skip: !HAVE_FFMPEG }, () => {
  let dir = '';
  const wav = join(MEDIA, 'chirp-s16.wav');
  const make = (name: string, args: string[]): string => {
    const out = join(dir, name);
    ffmpeg(['-i', wav, ...args, out]);
    return out;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kithara-mp4-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Checks packet count, sizes and lengths against ffprobe (whose pts are shifted by the edit). */
  async function matchesFfprobe(file: string, d: Demuxer): Promise<EncodedPacket[]> {
    const ref = ffprobe(file, 'packet=pts,duration,size');
    const packets = await all(d);
    assert.equal(packets.length, ref.length);
    packets.forEach((p, i) => {
      assert.equal(p.data.byteLength, Number(ref[i]!.size), `packet ${i} size`);
      assert.equal(p.frame - d.track.delayFrames, Number(ref[i]!.pts), `packet ${i} start`);
    });
    return packets;
  }

  it('reads MP3 in MP4 (objectTypeIndication 0x6B) with the encoder delay from the edit list', async () => {
    const file = make('mp3.m4a', ['-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp4']);
    const d = await openFile(file);
    assert.equal(d.track.codec, 'mp3');
    assert.equal(d.track.codecString, 'mp3');
    assert.equal(d.track.description, undefined);
    assert.equal(d.track.prerollFrames, 2304);
    assert.equal(d.track.totalFrames, 264600);
    const packets = await matchesFfprobe(file, d);
    assert.ok(packets.slice(0, -1).every((p) => p.frames === 1152));
    assert.ok(packets.every((p) => p.data[0] === 0xff && (p.data[1]! & 0xe0) === 0xe0));
  });

  it('reads ALAC with its magic cookie as the description', async () => {
    const file = make('alac.m4a', ['-c:a', 'alac']);
    const d = await openFile(file);
    const t = d.track;
    assert.equal(t.codec, 'alac');
    assert.equal(t.description?.byteLength, 24);
    const cookie = new DataView(t.description!.buffer, t.description!.byteOffset);
    assert.equal(cookie.getUint32(0), 4096); // frameLength, as ffmpeg's alac encoder uses
    assert.equal(t.description![5], 16); // bitDepth
    assert.equal(t.description![9], 2); // numChannels
    assert.equal(cookie.getUint32(20), 44100); // sampleRate
    assert.equal(t.totalFrames, 264600);
    await matchesFfprobe(file, d);
  });

  it('reads FLAC in MP4 with fLaC + metadata blocks as the description', async () => {
    const file = make('flac.mp4', ['-c:a', 'flac', '-strict', '-2', '-f', 'mp4']);
    const d = await openFile(file);
    const t = d.track;
    assert.equal(t.codec, 'flac');
    assert.equal(t.codecString, 'flac');
    assert.equal(new TextDecoder().decode(t.description!.subarray(0, 4)), 'fLaC');
    assert.equal(t.description![4]! & 0x7f, 0); // STREAMINFO first
    assert.equal(t.sampleRate, 44100);
    assert.equal(t.channels, 2);
    assert.equal(t.totalFrames, 264600);
    const packets = await matchesFfprobe(file, d);
    assert.ok(packets.every((p) => p.data[0] === 0xff && (p.data[1]! & 0xfe) === 0xf8));
  });

  it('reads Opus in MP4 and rebuilds an OpusHead from dOps', async () => {
    const file = make('opus.mp4', ['-c:a', 'libopus', '-b:a', '96k', '-f', 'mp4']);
    const d = await openFile(file);
    const t = d.track;
    const head = t.description!;
    assert.equal(t.codec, 'opus');
    assert.equal(t.sampleRate, 48000);
    assert.equal(new TextDecoder().decode(head.subarray(0, 8)), 'OpusHead');
    assert.equal(head[8], 1);
    assert.equal(head[9], 2);
    const preSkip = head[10]! | (head[11]! << 8);
    assert.equal(t.delayFrames, preSkip);
    assert.equal(t.totalFrames, 288000);
    assert.equal(t.prerollFrames, 3840);
    await matchesFfprobe(file, d);
  });

  it('reads 16-bit PCM (sowt) and groups one-frame samples into packets', async () => {
    const file = make('sowt.mov', ['-c:a', 'pcm_s16le', '-f', 'mov']);
    const d = await openFile(file);
    const t = d.track;
    assert.equal(t.codec, 'pcm');
    assert.deepEqual(t.pcm, { format: 's16', blockAlign: 4 });
    const packets = await all(d);
    assert.equal(packets.reduce((n, p) => n + p.frames, 0), 264600);
    assert.ok(packets.every((p) => p.data.byteLength === p.frames * 4));
    // The samples are the WAV's samples.
    const wavBytes = new Uint8Array(readFileSync(wav));
    const pcm = wavBytes.subarray(wavBytes.byteLength - 264600 * 4);
    const at = packets[10]!;
    assert.deepEqual(at.data, pcm.subarray(at.frame * 4, at.frame * 4 + at.data.byteLength));
  });

  it('refuses a fragmented file as unsupported', async () => {
    const file = make('frag.m4a', ['-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov+default_base_moof']);
    await assert.rejects(openFile(file), (e: unknown) => (e as { code?: string }).code === 'unsupported');
  });
});

describe('AudioSpecificConfig', () => {
  /** Packs [value, bits] fields MSB-first. */
  const pack = (fields: [number, number][]): Uint8Array => {
    const bits = fields.map(([v, n]) => v.toString(2).padStart(n, '0')).join('');
    const out = new Uint8Array(Math.ceil(bits.length / 8));
    for (let i = 0; i < bits.length; i++) if (bits[i] === '1') out[i >> 3]! |= 0x80 >> (i & 7);
    return out;
  };

  it('reads AAC-LC', () => {
    const asc = parseAudioSpecificConfig(pack([[2, 5], [4, 4], [2, 4], [0, 3]]));
    assert.deepEqual([asc.codecString, asc.sampleRate, asc.outputSampleRate, asc.channels, asc.sbr], ['mp4a.40.2', 44100, 44100, 2, false]);
  });

  it('reads explicit hierarchical HE-AAC (AOT 5) with its extension rate', () => {
    const asc = parseAudioSpecificConfig(pack([[5, 5], [6, 4], [2, 4], [3, 4], [2, 5], [0, 3]]));
    assert.deepEqual([asc.codecString, asc.sampleRate, asc.outputSampleRate, asc.coreObjectType], ['mp4a.40.5', 24000, 48000, 2]);
  });

  it('reads HE-AAC v2 (AOT 29) as stereo output of a mono core', () => {
    const asc = parseAudioSpecificConfig(pack([[29, 5], [7, 4], [1, 4], [4, 4], [2, 5], [0, 3]]));
    assert.deepEqual([asc.codecString, asc.channels, asc.outputSampleRate, asc.ps], ['mp4a.40.29', 2, 44100, true]);
  });

  it('reads backward-compatible SBR and PS signalling after an AAC-LC config', () => {
    const asc = parseAudioSpecificConfig(pack([[2, 5], [7, 4], [1, 4], [0, 3], [0x2b7, 11], [5, 5], [1, 1], [4, 4], [0x548, 11], [1, 1]]));
    assert.deepEqual([asc.codecString, asc.outputSampleRate, asc.sbr, asc.ps], ['mp4a.40.29', 44100, true, true]);
  });

  it('reads an escaped object type (31 → 32 + 6 bits) and an explicit frequency', () => {
    const asc = parseAudioSpecificConfig(pack([[31, 5], [2, 6], [15, 4], [37800, 24], [1, 4]]));
    assert.deepEqual([asc.objectType, asc.sampleRate, asc.channels], [34, 37800, 1]);
  });

  it('rejects a truncated config as a parse error', () => {
    assert.throws(() => parseAudioSpecificConfig(Uint8Array.of(0x12)), (e: unknown) => (e as { code?: string }).code === 'parse');
  });
});
