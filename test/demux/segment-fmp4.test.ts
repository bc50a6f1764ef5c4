import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFmp4SegmentDemuxer, detectSegmentFormat } from '../../src/demux/segment/index.js';
import type { EncodedPacket } from '../../src/demux/types.js';
import { readBoxHeader } from '../../src/demux/mp4/index.js';
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
  summary,
  tempDir,
  throwsKithara,
} from './segment-helpers.js';

const DIR = join(HLS, 'fmp4');
const init = (): Uint8Array => bytesOf(join(DIR, 'init.mp4'));
const segment = (k: number): Uint8Array => bytesOf(join(DIR, `seg${k}.m4s`));

/**
 * Asserts our packets are ffprobe's packets of `file` (whose bytes are `bytes`): time, size and the
 * bytes at `pos`. ffprobe's times are shifted by an edit list's media_time (`shift` frames).
 */
function assertMatchesProbe(packets: EncodedPacket[], file: string, bytes: Uint8Array, rate: number, shift: number): void {
  const ref = probePackets(file, rate);
  assert.equal(packets.length, ref.length, 'packet count');
  packets.forEach((p, i) => {
    const r = ref[i]!;
    assert.equal(p.frame - shift, r.frame, `packet ${i} time`);
    assert.equal(p.data.byteLength, r.size, `packet ${i} size`);
    assert.deepEqual(p.data, bytes.subarray(r.pos, r.pos + r.size), `packet ${i} bytes`);
  });
}

/** Splits a fragmented MP4 file at its first moof: [init, media]. */
function splitAtFirstMoof(file: Uint8Array): [Uint8Array, Uint8Array] {
  for (let at = 0; at < file.byteLength; ) {
    const h = readBoxHeader(file, at);
    assert.ok(h, 'box header');
    if (h.type === 'moof') return [file.subarray(0, at), file.subarray(at)];
    at += h.size;
  }
  throw new Error('no moof');
}

/** Counts boxes of `type` and the OR of their full-box flags, walking the given container types. */
function boxStats(bytes: Uint8Array, type: string): { count: number; flags: number } {
  let count = 0;
  let flags = 0;
  const walk = (start: number, end: number): void => {
    for (let at = start; at + 8 <= end; ) {
      const h = readBoxHeader(bytes, at);
      if (!h) return;
      const size = Math.min(h.size, end - at);
      if (h.type === type) {
        count++;
        flags |= (bytes[at + 9]! << 16) | (bytes[at + 10]! << 8) | bytes[at + 11]!;
      }
      if (h.type === 'moof' || h.type === 'traf') walk(at + h.headerSize, at + size);
      at += size;
    }
  };
  walk(0, bytes.byteLength);
  return { count, flags };
}

describe('fMP4 segment demuxer', { skip: !HAVE_FFMPEG || !HAVE_HLS_FIXTURES }, () => {
  it('gives ffprobe\'s packets, bytes and times for every HLS segment, contiguous across segments', () => {
    const dir = tempDir();
    try {
      const d = createFmp4SegmentDemuxer();
      assert.equal(d.track === undefined, true, 'no track before the init segment');
      d.setInit(init());
      const track = d.track;
      assert.ok(track, 'track after init');
      assert.equal(track.container, 'fmp4');
      assert.equal(track.codec, 'aac');
      assert.equal(track.codecString, 'mp4a.40.2');
      assert.equal(track.sampleRate, 44100);
      assert.equal(track.channels, 2);
      assert.ok(track.description && track.description.byteLength >= 2, 'AudioSpecificConfig');
      // ffmpeg's HLS fMP4 init has an edit with media_time 0: no priming is signalled.
      assert.equal(track.delayFrames, 0);
      let end: number | undefined;
      for (let k = 0; k < 4; k++) {
        const file = join(dir, `seg${k}.mp4`);
        const bytes = concatBytes(init(), segment(k));
        writeFileSync(file, bytes);
        const packets = demuxWhole(d, segment(k));
        assertMatchesProbe(packets, file, bytes, track.sampleRate, 0);
        assertContiguous(packets);
        if (end !== undefined) assert.equal(packets[0]!.frame, end, `segment ${k} starts where ${k - 1} ended`);
        end = packets.at(-1)!.frame + packets.at(-1)!.frames;
        assert.equal(d.segmentPts, packets[0]!.frame / track.sampleRate);
      }
      assert.equal(d.firstPts, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the init segment pushed in-band before the first media segment', () => {
    const a = createFmp4SegmentDemuxer();
    a.setInit(init());
    const b = createFmp4SegmentDemuxer();
    assert.deepEqual(summary(demuxWhole(b, concatBytes(init(), segment(0)))), summary(demuxWhole(a, segment(0))));
    assert.deepEqual(b.track, a.track);
  });

  it('gives the same packets for any chunking of the bytes', () => {
    for (const seed of [1, 7, 99]) {
      const whole = createFmp4SegmentDemuxer();
      const chunked = createFmp4SegmentDemuxer();
      whole.setInit(init());
      chunked.setInit(init());
      for (let k = 0; k < 4; k++) {
        assert.deepEqual(summary(demuxChunked(chunked, segment(k), seed + k, seed === 1 ? 17 : 5000)), summary(demuxWhole(whole, segment(k))));
      }
    }
  });

  it('emits packets before the segment is complete (first 30%)', () => {
    const d = createFmp4SegmentDemuxer();
    d.setInit(init());
    const seg = segment(1);
    const early = d.push(seg.subarray(0, Math.floor(seg.byteLength * 0.3)));
    const rest = [...d.push(seg.subarray(Math.floor(seg.byteLength * 0.3))), ...d.endSegment()];
    assert.ok(early.length > 10, `${early.length} packets from 30%`);
    const ref = createFmp4SegmentDemuxer();
    ref.setInit(init());
    assert.deepEqual(summary([...early, ...rest]), summary(demuxWhole(ref, seg)));
  });

  it('reads byte-range segments of one file, matching ffprobe on the whole file', () => {
    const file = join(HLS, 'byterange', 'index.m4s');
    const bytes = bytesOf(file);
    const playlist = readFileSync(join(HLS, 'byterange', 'index.m3u8'), 'utf8');
    const mapRange = /BYTERANGE="(\d+)@(\d+)"/.exec(playlist);
    assert.ok(mapRange, 'EXT-X-MAP byte range');
    const ranges = [...playlist.matchAll(/#EXT-X-BYTERANGE:(\d+)@(\d+)/g)].map((m) => [Number(m[2]), Number(m[1])] as const);
    assert.equal(ranges.length, 4);
    const d = createFmp4SegmentDemuxer();
    d.setInit(bytes.subarray(Number(mapRange[2]), Number(mapRange[2]) + Number(mapRange[1])));
    const packets: EncodedPacket[] = [];
    for (const [offset, length] of ranges) {
      d.segmentByteOffset = offset;
      packets.push(...demuxChunked(d, bytes.subarray(offset, offset + length), offset));
    }
    assertMatchesProbe(packets, file, bytes, 44100, 0);
  });

  it('handles explicit base data offsets, several moof/mdat pairs per segment and several trafs', () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'av.mp4');
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10', '-i', join(MEDIA, 'chirp-s16.wav'), '-t', '4', '-map', '0:v', '-map', '1:a',
        '-c:v', 'mpeg4', '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov', '-frag_duration', '500000', file]);
      const bytes = bytesOf(file);
      const [initBytes, media] = splitAtFirstMoof(bytes);
      const tfhd = boxStats(media, 'tfhd');
      assert.ok(tfhd.flags & 1, 'tfhd carries explicit base_data_offset');
      assert.ok(boxStats(media, 'traf').count >= 2 * boxStats(media, 'moof').count, 'two trafs per moof');
      assert.ok(boxStats(media, 'moof').count > 4);
      const d = createFmp4SegmentDemuxer();
      d.setInit(initBytes);
      d.segmentByteOffset = initBytes.byteLength;
      const packets = demuxChunked(d, media, 5);
      assertContiguous(packets);
      assertMatchesProbe(packets, file, bytes, 44100, 0);
      assert.equal(d.track!.delayFrames, 0, 'ffmpeg writes no edit list with empty_moov');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [codec, args, rate] of [
    ['mp3', ['-c:a', 'libmp3lame', '-b:a', '128k'], 44100],
    ['opus', ['-c:a', 'libopus', '-b:a', '96k'], 48000],
    ['flac', ['-c:a', 'flac', '-strict', '-2'], 44100],
  ] as const) {
    it(`reads ${codec} in fMP4 like ffprobe`, () => {
      const dir = tempDir();
      try {
        const file = join(dir, `${codec}.mp4`);
        ffmpeg(['-i', join(MEDIA, 'chirp-s16.wav'), ...args, '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', file]);
        const bytes = bytesOf(file);
        const [initBytes, media] = splitAtFirstMoof(bytes);
        const d = createFmp4SegmentDemuxer();
        d.setInit(initBytes);
        d.segmentByteOffset = initBytes.byteLength;
        const packets = demuxChunked(d, media, 11);
        assert.equal(d.track!.codec, codec);
        assert.equal(d.track!.sampleRate, rate);
        assertContiguous(packets);
        assertMatchesProbe(packets, file, bytes, rate, 0);
        const head = d.track!.description;
        // Without an edit list the delay is Opus's pre-skip (OpusHead bytes 10-11), else 0.
        assert.equal(d.track!.delayFrames, codec === 'opus' && head ? head[10]! | (head[11]! << 8) : 0);
        if (codec === 'opus') assert.ok(d.track!.delayFrames > 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('is detected as fmp4 from init and media segments', () => {
    assert.equal(detectSegmentFormat(init()), 'fmp4');
    assert.equal(detectSegmentFormat(segment(0)), 'fmp4');
  });

  it('fails with parse errors on broken input, and recovers for the next segment', () => {
    throwsKithara(() => createFmp4SegmentDemuxer().setInit(new Uint8Array(64).fill(0x41)), 'parse');
    throwsKithara(() => createFmp4SegmentDemuxer().push(segment(0)), 'parse'); // no init
    const d = createFmp4SegmentDemuxer();
    d.setInit(init());
    throwsKithara(() => d.push(new Uint8Array(1000).fill(0x01)), 'parse');
    const seg = segment(1);
    d.push(seg.subarray(0, seg.byteLength >> 1));
    throwsKithara(() => d.endSegment(), 'parse'); // truncated
    const ref = createFmp4SegmentDemuxer();
    ref.setInit(init());
    assert.deepEqual(summary(demuxWhole(d, segment(2))), summary(demuxWhole(ref, segment(2))));
  });

  it('never throws anything but a KitharaError on corrupted segments', () => {
    const seg = segment(0);
    for (let seed = 1; seed <= 150; seed++) {
      const bad = seg.slice();
      let s = seed * 2654435761;
      for (let i = 0; i < 4; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        bad[s % Math.min(bad.byteLength, 600)] = (s >>> 8) & 0xff; // the box headers and moof
      }
      const d = createFmp4SegmentDemuxer();
      d.setInit(init());
      try {
        demuxChunked(d, bad, seed, 4000);
      } catch (err) {
        throwsKithara(() => {
          throw err;
        });
      }
    }
  });
});
