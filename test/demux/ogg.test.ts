import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KitharaError } from '../../src/platform/errors.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource, type ByteSource } from '../../src/stream/source.js';
import { oggFormat, oggCrc32, opusPacketFrames, parsePage, type OggPage } from '../../src/demux/ogg/index.js';
import type { Demuxer, EncodedPacket } from '../../src/demux/types.js';
import { ffmpeg, ffmpegDecode } from '../lib/ffmpeg.mjs';

const MEDIA = join(import.meta.dirname, '..', '..', 'fixtures', 'media');
const manifest = JSON.parse(readFileSync(join(MEDIA, 'manifest.json'), 'utf8')) as { file: string; frames: number; channels: number; sampleRate: number; codec: string }[];
const HAVE_FFMPEG = spawnSync('ffprobe', ['-version']).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;

/** A source that records reads, optionally hides its length, and answers asynchronously. */
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
}

function ffprobePackets(file: string): ProbePacket[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts,duration,size', '-of', 'json', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).packets as Record<string, string>[]).map((p) => ({ pts: Number(p.pts), duration: Number(p.duration), size: Number(p.size) }));
}

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(MEDIA, name)));
}

async function open(bytes: Uint8Array, chunk?: number, knownLength = true): Promise<Demuxer> {
  return oggFormat.open(new ByteReader(new RecordingSource(bytes, knownLength), chunk));
}

async function all(d: Demuxer): Promise<EncodedPacket[]> {
  const out: EncodedPacket[] = [];
  for (let p = await d.next(); p; p = await d.next()) out.push(p);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof KitharaError && e.code === code);
}

/** Every page of a file, in order. */
function pagesOf(bytes: Uint8Array): OggPage[] {
  const out: OggPage[] = [];
  for (let at = 0; at < bytes.byteLength; ) {
    const r = parsePage(bytes, at, at);
    assert.equal(r.kind, 'page', `page at ${at}`);
    if (r.kind !== 'page') break;
    out.push(r.page);
    at += r.page.size;
  }
  return out;
}

/** Rewrites a page's checksum after editing it. */
function fixCrc(bytes: Uint8Array, page: OggPage): void {
  bytes.fill(0, page.offset + 22, page.offset + 26);
  const crc = oggCrc32(bytes.subarray(page.offset, page.offset + page.size));
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(page.offset + 22, crc, true);
}

describe('Ogg CRC-32', () => {
  it('is CRC-32/POSIX without its final inversion (check value of "123456789")', () => {
    const crc = oggCrc32(new TextEncoder().encode('123456789'));
    assert.equal((crc ^ 0xffffffff) >>> 0, 0x765e7680);
  });

  it('matches the stored checksum of every page of the fixtures', () => {
    for (const name of ['chirp.ogg', 'chirp.opus']) assert.ok(pagesOf(load(name)).length > 3);
  });
});

const CASES = [
  { name: 'chirp.opus', codec: 'opus' as const },
  { name: 'chirp.ogg', codec: 'vorbis' as const },
];

for (const { name, codec } of CASES) {
  describe(`Ogg demuxer on ${name}`, () => {
    const bytes = load(name);
    const facts = manifest.find((m) => m.file === name);

    it('describes the stream and trims to the real length', async () => {
      assert.ok(facts);
      const d = await open(bytes);
      const t = d.track;
      assert.equal(t.container, 'ogg');
      assert.equal(t.codec, codec);
      assert.equal(t.codecString, codec);
      assert.equal(t.channels, facts.channels);
      assert.equal(t.sampleRate, codec === 'opus' ? 48000 : facts.sampleRate);
      assert.equal(t.totalFrames, facts.frames);
      const desc = t.description ?? new Uint8Array(0);
      if (codec === 'opus') {
        assert.equal(new TextDecoder().decode(desc.subarray(0, 8)), 'OpusHead');
        assert.equal(t.delayFrames, desc[10]! | (desc[11]! << 8));
        assert.equal(t.prerollFrames, 3840);
      } else {
        // Xiph lacing: count-1, two laced sizes, then the three headers.
        assert.equal(desc[0], 2);
        let at = 1;
        const sizes: number[] = [];
        for (let k = 0; k < 2; k++) {
          let n = 0;
          while (desc[at] === 255) n += desc[at++]!;
          sizes.push(n + desc[at++]!);
        }
        const id = desc.subarray(at, at + sizes[0]!);
        const comment = desc.subarray(at + sizes[0]!, at + sizes[0]! + sizes[1]!);
        const setup = desc.subarray(at + sizes[0]! + sizes[1]!);
        assert.deepEqual([id[0], comment[0], setup[0]], [1, 3, 5]);
        assert.equal(new TextDecoder().decode(setup.subarray(1, 7)), 'vorbis');
        assert.equal(t.prerollFrames, 2 * (1 << (id[28]! >> 4)));
        assert.equal(t.delayFrames, 0);
      }
    });

    it('times packets like ffprobe and totals what ffmpeg decodes', { skip: !HAVE_FFMPEG }, async () => {
      const ref = ffprobePackets(join(MEDIA, name));
      const d = await open(bytes);
      const packets = await all(d);
      assert.equal(packets.length, ref.length);
      const shift = codec === 'opus' ? d.track.delayFrames : 0;
      packets.forEach((p, i) => {
        const r = ref[i]!;
        assert.equal(p.data.byteLength, r.size, `packet ${i} size`);
        // ffprobe gives Vorbis's first packet (which decodes to nothing) a made-up length before 0.
        if (codec === 'vorbis' && i === 0) return assert.equal(p.frames, 0);
        assert.equal(p.frame, r.pts + shift, `packet ${i} start`);
        // ffprobe shortens the last packet to the end granule; we keep its decoded length.
        if (i < ref.length - 1) assert.equal(p.frames, r.duration, `packet ${i} length`);
        else assert.equal(p.frame + Math.min(p.frames, r.duration), d.track.delayFrames + d.track.totalFrames!);
      });
      const decoded = ffmpegDecode(join(MEDIA, name), codec === 'opus' ? { rate: 48000 } : {}).frames;
      assert.equal(d.track.totalFrames, decoded);
    });

    it('gives the same packets through tiny reads from a source of unknown length', async () => {
      const known = await open(bytes);
      const ref = await all(known);
      const d = await open(bytes, 11, false);
      assert.equal(d.track.totalFrames, undefined);
      assert.deepEqual(await all(d), ref);
      // The end-of-stream page supplies the length once it is reached.
      assert.equal(d.track.totalFrames, known.track.totalFrames);
    });

    it('seeks to the packet that holds the target', async () => {
      const ref = await all(await open(bytes));
      const d = await open(bytes);
      const last = ref[ref.length - 1]!;
      const end = last.frame + last.frames;
      for (const target of [0, 1, 500, 4000, 48_000, 100_000, 200_003, end - 1, end + 10_000, -3]) {
        const at = await d.seek(target);
        const p = await d.next();
        assert.ok(p, `target ${target}`);
        assert.equal(p.frame, at);
        const i = ref.findIndex((r) => r.frame === p.frame && r.frames === p.frames && r.data.byteLength === p.data.byteLength);
        assert.ok(i >= 0, `target ${target} landed on an unknown packet`);
        assert.deepEqual(p, ref[i]);
        const clamped = Math.min(Math.max(target, 0), end - 1);
        if (target <= 0) assert.equal(i, 0);
        else assert.ok(p.frame <= clamped && clamped < p.frame + p.frames, `target ${target} → ${p.frame}+${p.frames}`);
        // Reading on continues exactly like the reference.
        const q = await d.next();
        assert.deepEqual(q, ref[i + 1] ?? null);
      }
    });
  });
}

describe('Ogg demuxer on damaged input', () => {
  const bytes = load('chirp.opus');
  const pages = pagesOf(bytes);

  it('skips a page with a bad checksum and keeps timing the rest from granules', async () => {
    const ref = await all(await open(bytes));
    const victim = pages[Math.floor(pages.length / 2)]!;
    const bad = bytes.slice();
    bad[victim.offset + victim.size - 5]! ^= 0x55;
    const got = await all(await open(bad));
    assert.ok(got.length < ref.length);
    for (const p of got) {
      const r = ref.find((x) => x.frame === p.frame);
      assert.ok(r, `packet at ${p.frame} is not in the reference`);
      assert.deepEqual(p, r);
    }
  });

  it('reports a bad checksum in the header pages as a parse error', async () => {
    const bad = bytes.slice();
    bad[pages[1]!.offset + 40]! ^= 1;
    await rejectsWith(open(bad), 'parse');
  });

  it('reports a file cut inside a page as a parse error', async () => {
    const cutAt = pages[pages.length - 3]!.offset + 100;
    const d = await open(bytes.slice(0, cutAt));
    await rejectsWith(all(d), 'parse');
    await rejectsWith(open(bytes.slice(0, pages[1]!.offset + 10)), 'parse');
  });

  it('reports non-Ogg data as a parse error and an Ogg file without Opus or Vorbis as unsupported', async () => {
    await rejectsWith(open(new Uint8Array(1000).fill(7)), 'parse');
    await rejectsWith(open(new Uint8Array(0)), 'parse');
    const other = bytes.slice(0, pages[0]!.size);
    other.set(new TextEncoder().encode('FishHead'), 28);
    fixCrc(other, pages[0]!);
    await rejectsWith(open(other), 'unsupported');
  });
});

describe('Vorbis start trimming from the first granule', () => {
  it('turns a first page granule smaller than its packets into delayFrames', async () => {
    const bytes = load('chirp.ogg');
    const ref = await open(bytes);
    const cut = 100;
    const edited = bytes.slice();
    const view = new DataView(edited.buffer);
    for (const page of pagesOf(bytes)) {
      if (page.granule <= 0) continue; // header pages (granule 0) and pages without one
      view.setUint32(page.offset + 6, page.granule - cut, true);
      fixCrc(edited, page);
    }
    const d = await open(edited);
    assert.equal(d.track.delayFrames, cut);
    assert.equal(d.track.totalFrames, ref.track.totalFrames! - cut);
    // Packet timing in decoder-output frames is unchanged.
    assert.deepEqual(await all(d), await all(ref));
  });
});

describe('Ogg probe', () => {
  it('claims Opus and Vorbis files and nothing else', () => {
    assert.equal(oggFormat.probe(load('chirp.opus').subarray(0, 4096), {}), 100);
    assert.equal(oggFormat.probe(load('chirp.ogg').subarray(0, 4096), {}), 100);
    assert.equal(oggFormat.probe(load('chirp.m4a').subarray(0, 4096), {}), 0);
    assert.equal(oggFormat.probe(load('chirp.flac').subarray(0, 4096), {}), 0);
  });
});

describe('Ogg seeking in a long file', () => {
  it('bisects by granule with a handful of reads and lands on the right packet', { skip: !HAVE_FFMPEG }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kithara-ogg-'));
    try {
      const file = join(dir, 'long.opus');
      ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=120', '-ac', '2', '-c:a', 'libopus', '-b:a', '64k', file]);
      const bytes = new Uint8Array(readFileSync(file));
      const ref = await all(await open(bytes));
      const source = new RecordingSource(bytes);
      const d = await oggFormat.open(new ByteReader(source, 16 * 1024));
      for (const seconds of [31.5, 90, 7, 119]) {
        source.reads.length = 0;
        const target = Math.round(seconds * 48000) + d.track.delayFrames;
        const at = await d.seek(target);
        const p = await d.next();
        assert.ok(p && p.frame === at && p.frame <= target && target < p.frame + p.frames);
        assert.deepEqual(p, ref.find((r) => r.frame === at));
        const read = source.reads.reduce((n, r) => n + r.length, 0);
        assert.ok(source.reads.length <= 30 && read < bytes.byteLength / 4, `${source.reads.length} reads, ${read} of ${bytes.byteLength} bytes`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Opus packet durations (RFC 6716 §3.1)', () => {
  it('follow the TOC configuration and frame count code', () => {
    const toc = (config: number, code: number): number => (config << 3) | code;
    // SILK NB 60 ms, one frame.
    assert.equal(opusPacketFrames(Uint8Array.of(toc(3, 0))), 2880);
    // Hybrid FB 10 ms, two frames (code 1 and code 2).
    assert.equal(opusPacketFrames(Uint8Array.of(toc(14, 1))), 960);
    assert.equal(opusPacketFrames(Uint8Array.of(toc(14, 2), 1)), 960);
    // CELT FB 2.5 ms, code 3 with a count byte of 5 (upper flag bits set too).
    assert.equal(opusPacketFrames(Uint8Array.of(toc(28, 3), 0xc0 | 5)), 600);
    // CELT 20 ms × 6 = 120 ms is the most a packet may hold; 7 is invalid.
    assert.equal(opusPacketFrames(Uint8Array.of(toc(31, 3), 6)), 5760);
    assert.equal(opusPacketFrames(Uint8Array.of(toc(31, 3), 7)), 0);
    assert.equal(opusPacketFrames(new Uint8Array(0)), 0);
  });
});
