import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPackedAudioSegmentDemuxer, detectSegmentFormat } from '../../src/demux/segment/index.js';
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
  throwsKithara,
} from './segment-helpers.js';

const manifest = HAVE_HLS_FIXTURES
  ? (JSON.parse(readFileSync(join(HLS, 'manifest.json'), 'utf8')) as { file: string; firstPts90k?: number }[])
  : [];
const file = (dir: string, k: number): string => join(HLS, dir, `seg${k}.${dir === 'packed-aac' ? 'aac' : 'mp3'}`);

/** The PRIV transport-stream timestamp of a segment, found by searching for the owner string. */
function privTimestamp(bytes: Uint8Array): number {
  const owner = new TextEncoder().encode('com.apple.streaming.transportStreamTimestamp\0');
  const at = Buffer.from(bytes).indexOf(Buffer.from(owner));
  assert.ok(at > 0, 'segment has a PRIV timestamp');
  const v = new DataView(bytes.buffer, bytes.byteOffset + at + owner.byteLength, 8);
  return v.getUint32(0) * 2 ** 32 + v.getUint32(4);
}

/** An ID3v2.3 tag holding a TXXX frame and then the PRIV timestamp frame. */
function id3v23WithTimestamp(pts: number): Uint8Array {
  const enc = new TextEncoder();
  const frame = (id: string, body: Uint8Array): Uint8Array => {
    const h = new Uint8Array(10);
    h.set(enc.encode(id));
    new DataView(h.buffer).setUint32(4, body.byteLength);
    return concatBytes(h, body);
  };
  const ts = new Uint8Array(8);
  new DataView(ts.buffer).setUint32(0, Math.floor(pts / 2 ** 32));
  new DataView(ts.buffer).setUint32(4, pts % 2 ** 32);
  const body = concatBytes(
    frame('TXXX', concatBytes(new Uint8Array([0]), enc.encode('note\0hello'))),
    frame('PRIV', concatBytes(enc.encode('com.apple.streaming.transportStreamTimestamp\0'), ts)),
    new Uint8Array(16), // padding
  );
  const n = body.byteLength;
  return concatBytes(new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, (n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]), body);
}

describe('packed audio segment demuxer', { skip: !HAVE_FFMPEG || !HAVE_HLS_FIXTURES }, () => {
  for (const [dir, codec, header] of [['packed-aac', 'aac', 7], ['packed-mp3', 'mp3', 0]] as const) {
    it(`returns ffprobe's ${codec} frames byte for byte, timed by the ID3 PRIV timestamp`, () => {
      const d = createPackedAudioSegmentDemuxer();
      let end: number | undefined;
      for (let k = 0; k < 4; k++) {
        const bytes = bytesOf(file(dir, k));
        const packets = demuxChunked(d, bytes, 31 + k, 900);
        const ref = probePackets(file(dir, k), 44100);
        assert.equal(packets.length, ref.length, `segment ${k} packet count`);
        packets.forEach((p, i) => {
          const r = ref[i]!;
          assert.deepEqual(p.data, bytes.subarray(r.pos + header, r.pos + r.size), `segment ${k} frame ${i}`);
        });
        assertContiguous(packets);
        const pts = privTimestamp(bytes);
        assert.equal(packets[0]!.frame, Math.round((pts * 44100) / 90000), `segment ${k} starts at its timestamp`);
        assert.equal(d.segmentPts, pts / 90000);
        if (end !== undefined) assert.ok(Math.abs(packets[0]!.frame - end) <= 1, `segment ${k} follows on`);
        end = packets.at(-1)!.frame + packets.at(-1)!.frames;
      }
      const track = d.track!;
      assert.equal(track.codec, codec);
      assert.equal(track.container, codec === 'aac' ? 'adts' : 'mp3');
      assert.equal(track.sampleRate, 44100);
      assert.equal(track.channels, 2);
      assert.equal(d.firstPts, manifest.find((m) => m.file === dir)!.firstPts90k! / 90000);
      assert.equal(detectSegmentFormat(bytesOf(file(dir, 1))), codec === 'aac' ? 'adts' : 'mp3');
    });
  }

  it('gives the same packets for any chunking, and packets from the first 30%', () => {
    for (const dir of ['packed-aac', 'packed-mp3']) {
      const whole = createPackedAudioSegmentDemuxer();
      const chunked = createPackedAudioSegmentDemuxer();
      for (let k = 0; k < 4; k++) {
        const bytes = bytesOf(file(dir, k));
        assert.deepEqual(summary(demuxChunked(chunked, bytes, k + 1, 11)), summary(demuxWhole(whole, bytes)));
      }
      const d = createPackedAudioSegmentDemuxer();
      const bytes = bytesOf(file(dir, 2));
      const early = d.push(bytes.subarray(0, Math.floor(bytes.byteLength * 0.3)));
      assert.ok(early.length > 10, `${early.length} packets from 30%`);
    }
  });

  it('reads an ID3v2.3 tag with other frames, and continues from the previous segment without one', () => {
    const aac = bytesOf(join(MEDIA, 'chirp.aac'));
    const frames = probePackets(join(MEDIA, 'chirp.aac'), 44100).map((p) => aac.subarray(p.pos, p.pos + p.size));
    const pts = 2 ** 33 - 1000; // also wraps before the next segment's frames
    const d = createPackedAudioSegmentDemuxer();
    const a = demuxChunked(d, concatBytes(id3v23WithTimestamp(pts), ...frames.slice(0, 50)), 3, 64);
    assert.equal(a[0]!.frame, Math.round((pts * 44100) / 90000));
    const b = demuxWhole(d, concatBytes(...frames.slice(50, 100)));
    assert.equal(b[0]!.frame, a.at(-1)!.frame + 1024);
    assert.deepEqual(concatBytes(...[...a, ...b].map((p) => p.data)), concatBytes(...frames.slice(0, 100).map((f) => f.subarray(7))));
    d.reset();
    assert.equal(d.firstPts, undefined);
    const c = demuxWhole(d, concatBytes(id3v23WithTimestamp(90_000), ...frames.slice(100, 110)));
    assert.equal(c[0]!.frame, Math.round((2 ** 33 + 90_000) * 44100 / 90000), 'a timestamp past the wrap stays unwrapped');
  });

  it('fails with parse errors on broken input, and recovers for the next segment', () => {
    const good = bytesOf(file('packed-aac', 1));
    const d = createPackedAudioSegmentDemuxer();
    throwsKithara(() => demuxWhole(d, concatBytes(id3v23WithTimestamp(0), new Uint8Array(3000).fill(0x20))), 'parse');
    throwsKithara(() => d.push(new Uint8Array(100_000).fill(0x20)), 'parse');
    throwsKithara(() => demuxWhole(d, good.subarray(0, good.byteLength - 100)), 'parse'); // cut inside a frame
    assert.deepEqual(summary(demuxWhole(d, good)), summary(demuxWhole(createPackedAudioSegmentDemuxer(), good)));
  });

  it('never throws anything but a KitharaError on corrupted segments', () => {
    for (const dir of ['packed-aac', 'packed-mp3']) {
      const bytes = bytesOf(file(dir, 0));
      for (let seed = 1; seed <= 100; seed++) {
        const bad = bytes.slice();
        const next = randomInts(seed);
        for (let i = 0; i < 6; i++) bad[next(0, Math.min(bad.byteLength - 1, seed % 2 ? 120 : bad.byteLength))] = next(0, 255);
        try {
          demuxChunked(createPackedAudioSegmentDemuxer(), bad, seed, 3000);
        } catch (err) {
          throwsKithara(() => {
            throw err;
          });
        }
      }
    }
  });
});
