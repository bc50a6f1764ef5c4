import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KitharaError } from '../../src/platform/errors.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource, type ByteSource } from '../../src/stream/source.js';
import { mp4Format } from '../../src/demux/mp4/index.js';
import { readBoxHeader } from '../../src/demux/mp4/box.js';
import type { Demuxer, EncodedPacket } from '../../src/demux/types.js';
import { ffmpegDecode } from '../lib/ffmpeg.mjs';

const MEDIA = join(import.meta.dirname, '..', '..', 'fixtures', 'media');
const manifest = JSON.parse(readFileSync(join(MEDIA, 'manifest.json'), 'utf8')) as { file: string; frames: number; channels: number; sampleRate: number }[];
const HAVE_FFPROBE = spawnSync('ffprobe', ['-version']).status === 0;

/** A source that records every read, optionally hides its length, and answers asynchronously. */
class RecordingSource implements ByteSource {
  readonly reads: { offset: number; length: number }[] = [];
  private readonly inner: MemorySource;
  constructor(
    readonly bytes: Uint8Array,
    private readonly knownLength = true,
  ) {
    this.inner = new MemorySource(bytes);
  }
  get length(): number | undefined {
    return this.knownLength ? this.bytes.byteLength : undefined;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    await new Promise((r) => setImmediate(r));
    return this.inner.read(offset, length);
  }
}

interface ProbePacket {
  pts: number;
  duration: number;
  size: number;
  pos: number;
}

function ffprobePackets(file: string): ProbePacket[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts,duration,size,pos', '-of', 'json', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).packets as Record<string, string>[]).map((p) => ({
    pts: Number(p.pts),
    duration: Number(p.duration),
    size: Number(p.size),
    pos: Number(p.pos),
  }));
}

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(MEDIA, name)));
}

async function open(bytes: Uint8Array, chunk?: number, knownLength = true): Promise<{ demuxer: Demuxer; source: RecordingSource }> {
  const source = new RecordingSource(bytes, knownLength);
  return { demuxer: await mp4Format.open(new ByteReader(source, chunk)), source };
}

async function all(d: Demuxer): Promise<EncodedPacket[]> {
  const out: EncodedPacket[] = [];
  for (let p = await d.next(); p; p = await d.next()) out.push(p);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof KitharaError && e.code === code);
}

/** Offset and end of the first top-level mdat. */
function mdatRange(bytes: Uint8Array): [number, number] {
  for (let at = 0; at < bytes.byteLength; ) {
    const h = readBoxHeader(bytes, at);
    assert.ok(h);
    if (h.type === 'mdat') return [at + h.headerSize, at + h.size];
    at += h.size;
  }
  throw new Error('no mdat');
}

for (const name of ['chirp.m4a', 'chirp-moov-end.m4a']) {
  describe(`MP4 demuxer on ${name}`, () => {
    const bytes = load(name);
    const facts = manifest.find((m) => m.file === name);

    it('describes the AAC track and its gapless numbers', async () => {
      assert.ok(facts);
      const { demuxer } = await open(bytes);
      const t = demuxer.track;
      assert.equal(t.container, 'mp4');
      assert.equal(t.codec, 'aac');
      assert.equal(t.codecString, 'mp4a.40.2');
      assert.equal(t.sampleRate, facts.sampleRate);
      assert.equal(t.channels, facts.channels);
      assert.equal(t.prerollFrames, 2048);
      // AudioSpecificConfig: AOT 2 in the top five bits.
      assert.equal((t.description?.[0] ?? 0) >> 3, 2);
      assert.equal(t.totalFrames, facts.frames);
      assert.equal(t.delayFrames, 1024);
    });

    it('yields the packets ffprobe sees, with their bytes, in decoder-output frames', { skip: !HAVE_FFPROBE }, async () => {
      const ref = ffprobePackets(join(MEDIA, name));
      const { demuxer } = await open(bytes);
      const packets = await all(demuxer);
      assert.equal(packets.length, ref.length);
      const delay = -(ref[0] as ProbePacket).pts;
      assert.equal(demuxer.track.delayFrames, delay);
      packets.forEach((p, i) => {
        const r = ref[i] as ProbePacket;
        assert.equal(p.frame, r.pts + delay, `packet ${i} start`);
        assert.equal(p.frames, r.duration, `packet ${i} length`);
        assert.equal(p.data.byteLength, r.size, `packet ${i} size`);
        assert.deepEqual(p.data, bytes.subarray(r.pos, r.pos + r.size), `packet ${i} bytes`);
        assert.ok(p.key);
      });
      const sum = packets.reduce((s, p) => s + p.frames, 0);
      assert.equal(demuxer.track.totalFrames, sum - delay);
    });

    it('gives the same packets through tiny reads from a source of unknown length', async () => {
      const ref = await all((await open(bytes)).demuxer);
      const { demuxer } = await open(bytes, 13, false);
      const packets = await all(demuxer);
      assert.deepEqual(packets, ref);
    });

    it('never reads into the mdat body while opening', async () => {
      const [bodyStart, bodyEnd] = mdatRange(bytes);
      const { source } = await open(bytes, 4096);
      assert.ok(source.reads.length <= 4, `${source.reads.length} reads`);
      for (const r of source.reads) {
        const overlaps = r.offset < bodyEnd && r.offset + r.length > bodyStart;
        // Only the read of the file's first bytes may touch the start of the media data.
        if (r.offset !== 0) assert.ok(!overlaps, `read at ${r.offset}+${r.length} overlaps mdat ${bodyStart}..${bodyEnd}`);
        else assert.ok(r.length <= 4096);
      }
    });

    it('seeks to the packet whose interval holds the target', async () => {
      const ref = await all((await open(bytes)).demuxer);
      const { demuxer } = await open(bytes);
      const last = ref[ref.length - 1] as EncodedPacket;
      for (const target of [0, 1, 1023, 1024, 1025, 100_000, 264_600, last.frame + last.frames - 1, 10_000_000, -5]) {
        const at = await demuxer.seek(target);
        const p = await demuxer.next();
        assert.ok(p);
        assert.equal(p.frame, at);
        const i = ref.findIndex((r) => r.frame === at);
        assert.ok(i >= 0);
        assert.deepEqual(p, ref[i]);
        const clamped = Math.min(Math.max(target, 0), last.frame + last.frames - 1);
        assert.ok(p.frame <= clamped && clamped < p.frame + p.frames, `target ${target} → ${p.frame}+${p.frames}`);
      }
    });
  });
}

describe('MP4 demuxer on broken input', () => {
  const bytes = load('chirp.m4a');
  const [bodyStart, bodyEnd] = mdatRange(bytes);

  it('reports a file cut inside the media data as a parse error when the packets run out', async () => {
    const { demuxer } = await open(bytes.slice(0, bodyStart + Math.floor((bodyEnd - bodyStart) / 2)));
    await rejectsWith(all(demuxer), 'parse');
  });

  it('reports a file cut inside moov as a parse error', async () => {
    await rejectsWith(open(bytes.slice(0, 600)), 'parse');
  });

  it('reports a moov-at-end file cut before its moov as a parse error', async () => {
    const end = load('chirp-moov-end.m4a');
    await rejectsWith(open(end.slice(0, mdatRange(end)[1])), 'parse');
  });

  it('reports garbage as a parse error', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
    await rejectsWith(open(junk), 'parse');
    await rejectsWith(open(new Uint8Array(0)), 'parse');
  });

  it('reports a corrupted sample table as a parse error', async () => {
    const bad = bytes.slice();
    // Make stsz claim far more samples than its box holds.
    const at = Buffer.from(bad).indexOf('stsz');
    bad.set([0x7f, 0xff, 0xff, 0xff], at + 12);
    await rejectsWith(open(bad), 'parse');
  });
});

describe('ffmpeg decode of the MP4 fixture', () => {
  it('trims the priming but keeps the last packet whole, so it has the padding more than totalFrames', async () => {
    const { demuxer } = await open(load('chirp.m4a'));
    const packets = await all(demuxer);
    const decoded = ffmpegDecode(join(MEDIA, 'chirp.m4a')).frames;
    const last = packets[packets.length - 1] as EncodedPacket;
    const padding = 1024 - last.frames;
    assert.equal(decoded, (demuxer.track.totalFrames ?? 0) + padding);
  });
});

describe('MP4 gapless info from iTunSMPB', () => {
  /** A box: 32-bit size, type, payload. */
  const box = (type: string, ...payload: Uint8Array[]): Uint8Array => {
    const size = 8 + payload.reduce((n, p) => n + p.byteLength, 0);
    const out = new Uint8Array(size);
    new DataView(out.buffer).setUint32(0, size);
    out.set(new TextEncoder().encode(type), 4);
    let at = 8;
    for (const p of payload) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  };
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const zeros = (n: number): Uint8Array => new Uint8Array(n);

  it('takes delay and length from iTunSMPB when there is no edit list', async () => {
    const src = load('chirp-moov-end.m4a');
    const file = Buffer.from(src);
    const moovAt = file.indexOf('moov') - 4;
    // Hide the edit list and the existing udta, then append a udta carrying iTunSMPB.
    file.write('free', file.indexOf('edts', moovAt));
    file.write('free', file.indexOf('udta', moovAt));
    const smpb = ' 00000000 00000840 00000123 000000000003FF70 00000000 00000000';
    const udta = box(
      'udta',
      box(
        'meta',
        zeros(4),
        box('hdlr', zeros(8), text('mdir'), zeros(13)),
        box('ilst', box('----', box('mean', zeros(4), text('com.apple.iTunes')), box('name', zeros(4), text('iTunSMPB')), box('data', Uint8Array.of(0, 0, 0, 1), zeros(4), text(smpb)))),
      ),
    );
    const out = new Uint8Array(file.byteLength + udta.byteLength);
    out.set(file);
    out.set(udta, file.byteLength);
    new DataView(out.buffer).setUint32(moovAt, file.byteLength - moovAt + udta.byteLength);
    const { demuxer } = await open(out);
    assert.equal(demuxer.track.delayFrames, 0x840);
    assert.equal(demuxer.track.totalFrames, 0x3ff70);
  });
});
