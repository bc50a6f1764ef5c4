import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTsSegmentDemuxer, detectSegmentFormat } from '../../src/demux/segment/index.js';
import type { EncodedPacket } from '../../src/demux/types.js';
import { ffmpeg } from '../lib/ffmpeg.mjs';
import {
  assertContiguous,
  bytesOf,
  concatBytes,
  demuxChunked,
  demuxWhole,
  HAVE_FFMPEG,
  HAVE_HLS_FIXTURES,
  HLS,
  MEDIA,
  probePackets,
  randomInts,
  summary,
  tempDir,
  throwsKithara,
} from './segment-helpers.js';

const seg = (dir: string, k: number): Uint8Array => bytesOf(join(HLS, dir, `seg${k}.ts`));
const manifest = HAVE_HLS_FIXTURES
  ? (JSON.parse(readFileSync(join(HLS, 'manifest.json'), 'utf8')) as { file: string; firstPts90k?: number }[])
  : [];

/** The ADTS frames ffmpeg copies out of `file`, as [header + payload] views. */
function adtsFramesOf(dir: string, file: string): Uint8Array[] {
  const out = join(dir, 'copy.aac');
  ffmpeg(['-i', file, '-c:a', 'copy', '-f', 'adts', out]);
  const bytes = bytesOf(out);
  return probePackets(out, 44100).map((p) => bytes.subarray(p.pos, p.pos + p.size));
}

// --- A minimal MPEG-TS writer, to control how frames and PES headers fall across packets. ---

function crc32Mpeg(b: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of b) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function section(body: number[]): Uint8Array {
  const s = new Uint8Array([0, ...body, 0, 0, 0, 0]); // pointer_field, section, CRC
  const crc = crc32Mpeg(s.subarray(1, s.byteLength - 4));
  new DataView(s.buffer).setUint32(s.byteLength - 4, crc);
  return s;
}

const counters = new Map<number, number>();
function tsPacket(pid: number, start: boolean, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(188).fill(0xff);
  const cc = counters.get(pid) ?? 0;
  counters.set(pid, (cc + 1) & 15);
  p[0] = 0x47;
  p[1] = (start ? 0x40 : 0) | (pid >> 8);
  p[2] = pid & 0xff;
  const stuffing = 184 - payload.byteLength;
  if (stuffing > 0) {
    p[3] = 0x30 | cc;
    p[4] = stuffing - 1;
    if (stuffing > 1) p[5] = 0;
  } else {
    p[3] = 0x10 | cc;
  }
  p.set(payload, 188 - payload.byteLength);
  return p;
}

function pesHeader(pts: number): number[] {
  const v = [0, 0, 1, 0xc0, 0, 0, 0x80, 0x80, 5];
  const hi = Math.floor(pts / 2 ** 30) & 7;
  const lo = pts % 2 ** 30;
  v.push(0x21 | (hi << 1), (lo >>> 22) & 0xff, (((lo >>> 15) & 0x7f) << 1) | 1, (lo >>> 7) & 0xff, ((lo & 0x7f) << 1) | 1);
  return v;
}

/**
 * A TS segment with PAT, PMT and the audio ES split into PES packets of random payload sizes (not
 * on frame boundaries); each PES header's first `headSplit` bytes sit alone in their first packet.
 */
function writeTs(frames: Uint8Array[], firstPts: number, rate: number, seed: number, streamType = 0x0f): Uint8Array {
  const next = randomInts(seed);
  const pat = section([0x00, 0xb0, 13, 0, 1, 0xc1, 0, 0, 0, 1, 0xf0, 0x00]);
  const pmt = section([0x02, 0xb0, 18, 0, 1, 0xc1, 0, 0, 0xe1, 0x00, 0xf0, 0, streamType, 0xe1, 0x00, 0xf0, 0]);
  const packets = [tsPacket(0, true, pat), tsPacket(0x1000, true, pmt)];
  const es = concatBytes(...frames);
  const starts: number[] = [];
  for (let at = 0, i = 0; i < frames.length; at += frames[i]!.byteLength, i++) starts.push(at);
  for (let at = 0; at < es.byteLength; ) {
    const size = next(200, 1500);
    const firstFrame = starts.findIndex((s) => s >= at);
    const pts = (firstPts + Math.round(((firstFrame < 0 ? frames.length : firstFrame) * 1024 * 90000) / rate)) % 2 ** 33;
    const pes = concatBytes(new Uint8Array(pesHeader(pts)), es.subarray(at, at + size));
    at += size;
    const headSplit = next(1, 12);
    packets.push(tsPacket(0x100, true, pes.subarray(0, headSplit)));
    for (let o = headSplit; o < pes.byteLength; o += 184) packets.push(tsPacket(0x100, false, pes.subarray(o, o + 184)));
  }
  return concatBytes(...packets);
}

describe('MPEG-TS segment demuxer', { skip: !HAVE_FFMPEG || !HAVE_HLS_FIXTURES }, () => {
  it('gives ffprobe\'s AAC packets and times, contiguous within and across segments', () => {
    const d = createTsSegmentDemuxer();
    let end: number | undefined;
    for (let k = 0; k < 4; k++) {
      const packets = demuxWhole(d, seg('ts', k));
      const track = d.track;
      assert.ok(track, 'track after the first segment');
      const ref = probePackets(join(HLS, 'ts', `seg${k}.ts`), track.sampleRate);
      assert.equal(packets.length, ref.length, `segment ${k} packet count`);
      packets.forEach((p, i) => {
        const r = ref[i]!;
        assert.equal(p.data.byteLength, r.size - 7, `packet ${i} size (ADTS header stripped)`);
        // ffmpeg interpolates the times of frames inside a PES to the tick; PES starts are exact.
        if (r.pos >= 0) assert.equal(p.frame, r.frame, `packet ${i} starts a PES`);
        else assert.ok(Math.abs(p.frame - r.exact) <= 1, `packet ${i}: ${p.frame} vs ${r.exact}`);
        assert.equal(p.frames, 1024);
        assert.ok(p.key, 'key');
      });
      assertContiguous(packets);
      if (end !== undefined) assert.ok(Math.abs(packets[0]!.frame - end) <= 1, `segment ${k} follows on`);
      end = packets.at(-1)!.frame + 1024;
      assert.equal(Math.round(d.segmentPts! * track.sampleRate), packets[0]!.frame, 'segmentPts is the first packet\'s time');
    }
    const track = d.track!;
    assert.deepEqual(
      { container: track.container, codec: track.codec, codecString: track.codecString, rate: track.sampleRate, channels: track.channels, delay: track.delayFrames },
      { container: 'ts', codec: 'aac', codecString: 'mp4a.40.2', rate: 44100, channels: 2, delay: 1024 },
    );
    assert.deepEqual(track.description, new Uint8Array([0x12, 0x10])); // AAC-LC, 44100, stereo
    assert.equal(d.firstPts, manifest.find((m) => m.file === 'ts')!.firstPts90k! / 90000);
  });

  it('returns the ADTS frames byte for byte (payloads, headers stripped)', () => {
    const dir = tempDir();
    try {
      for (let k = 0; k < 4; k++) {
        const frames = adtsFramesOf(dir, join(HLS, 'ts', `seg${k}.ts`));
        const packets = demuxWhole(createTsSegmentDemuxer(), seg('ts', k));
        assert.equal(packets.length, frames.length);
        packets.forEach((p, i) => assert.deepEqual(p.data, frames[i]!.subarray(7), `segment ${k} frame ${i}`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns the MP3 frames of MPEG audio in TS byte for byte, with ffprobe\'s times', () => {
    const dir = tempDir();
    try {
      const d = createTsSegmentDemuxer();
      for (let k = 0; k < 4; k++) {
        const file = join(HLS, 'ts-mp3', `seg${k}.ts`);
        const out = join(dir, `seg${k}.mp3`);
        ffmpeg(['-i', file, '-c:a', 'copy', '-write_xing', '0', '-id3v2_version', '0', '-f', 'mp3', out]);
        const packets = demuxChunked(d, seg('ts-mp3', k), k + 3);
        assert.deepEqual(concatBytes(...packets.map((p) => p.data)), bytesOf(out));
        const ref = probePackets(file, 44100);
        assert.equal(packets.length, ref.length);
        packets.forEach((p, i) => assert.ok(Math.abs(p.frame - ref[i]!.exact) <= 1, `packet ${i}`));
        assert.equal(packets[0]!.frame, ref[0]!.frame);
        assertContiguous(packets);
      }
      assert.equal(d.track!.codec, 'mp3');
      assert.equal(d.track!.container, 'ts');
      assert.equal(d.track!.delayFrames, 576 + 529);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same packets for any chunking, and packets from the first 30%', () => {
    for (const seed of [2, 5]) {
      const whole = createTsSegmentDemuxer();
      const chunked = createTsSegmentDemuxer();
      for (let k = 0; k < 4; k++) {
        assert.deepEqual(summary(demuxChunked(chunked, seg('ts', k), seed * 10 + k, seed === 2 ? 13 : 4000)), summary(demuxWhole(whole, seg('ts', k))));
      }
    }
    const d = createTsSegmentDemuxer();
    const s = seg('ts', 1);
    const early = d.push(s.subarray(0, Math.floor(s.byteLength * 0.3)));
    assert.ok(early.length > 10, `${early.length} packets from 30%`);
    const all = [...early, ...d.push(s.subarray(Math.floor(s.byteLength * 0.3))), ...d.endSegment()];
    assert.deepEqual(summary(all), summary(demuxWhole(createTsSegmentDemuxer(), s)));
  });

  it('joins frames that straddle PES packets and PES headers split across TS packets', () => {
    const dir = tempDir();
    try {
      const frames = adtsFramesOf(dir, join(HLS, 'ts', 'seg0.ts'));
      const ts = writeTs(frames, 900_000, 44100, 42);
      const packets = demuxChunked(createTsSegmentDemuxer(), ts, 8, 700);
      assert.equal(packets.length, frames.length);
      packets.forEach((p, i) => assert.deepEqual(p.data, frames[i]!.subarray(7)));
      assert.equal(packets[0]!.frame, 441_000);
      assertContiguous(packets);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unwraps the 33-bit PTS so frames keep growing across the wrap', () => {
    const dir = tempDir();
    try {
      const frames = adtsFramesOf(dir, join(HLS, 'ts', 'seg0.ts'));
      const half = frames.length >> 1;
      const t0 = 2 ** 33 - 45_000; // half a second before the wrap
      const t1 = t0 + Math.round((half * 1024 * 90000) / 44100); // past it
      const d = createTsSegmentDemuxer();
      const a = demuxWhole(d, writeTs(frames.slice(0, half), t0, 44100, 1));
      const b = demuxWhole(d, writeTs(frames.slice(half), t1 % 2 ** 33, 44100, 2));
      assert.ok(t1 > 2 ** 33 && t1 % 2 ** 33 < 90_000, 'the second segment starts past the wrap');
      assert.equal(a[0]!.frame, Math.round((t0 * 44100) / 90000));
      assert.ok(Math.abs(b[0]!.frame - (a.at(-1)!.frame + 1024)) <= 1, `${b[0]!.frame} follows ${a.at(-1)!.frame}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is detected as ts', () => {
    assert.equal(detectSegmentFormat(seg('ts', 0).subarray(0, 1000)), 'ts');
    assert.equal(detectSegmentFormat(seg('ts-mp3', 2)), 'ts');
  });

  it('rejects AC-3 audio as unsupported', () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'ac3.ts');
      ffmpeg(['-i', join(MEDIA, 'chirp-s16.wav'), '-t', '1', '-c:a', 'ac3', '-f', 'mpegts', file]);
      throwsKithara(() => demuxWhole(createTsSegmentDemuxer(), bytesOf(file)), 'unsupported');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with parse errors on broken input, and recovers for the next segment', () => {
    const d = createTsSegmentDemuxer();
    throwsKithara(() => demuxWhole(d, new Uint8Array(5000).fill(0x33)), 'parse');
    throwsKithara(() => d.push(new Uint8Array(200_000).fill(0x33)), 'parse');
    // Without PAT and PMT (the first packets dropped):
    const s = seg('ts', 0);
    let at = 0;
    while (((s[at + 1]! & 0x1f) << 8 | s[at + 2]!) !== 0x100) at += 188;
    throwsKithara(() => demuxWhole(createTsSegmentDemuxer(), s.subarray(at)), 'parse');
    // A segment cut inside a frame:
    throwsKithara(() => demuxWhole(d, s.subarray(0, 188 * 60)), 'parse');
    assert.deepEqual(summary(demuxWhole(d, seg('ts', 2))), summary(demuxWhole(createTsSegmentDemuxer(), seg('ts', 2))));
  });

  it('never throws anything but a KitharaError on corrupted segments', () => {
    for (const dir of ['ts', 'ts-mp3']) {
      const s = seg(dir, 0);
      for (let seed = 1; seed <= 100; seed++) {
        const bad = s.slice();
        const next = randomInts(seed);
        for (let i = 0; i < 8; i++) bad[next(0, bad.byteLength - 1)] = next(0, 255);
        const d = createTsSegmentDemuxer();
        const out: EncodedPacket[] = [];
        try {
          out.push(...demuxChunked(d, bad, seed, 5000));
        } catch (err) {
          throwsKithara(() => {
            throw err;
          });
        }
      }
    }
  });
});
