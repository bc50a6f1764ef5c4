import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMp3, parseMpegHeader, parseVbrHeader, mp3Format, MP3_DECODER_DELAY, MP3_ASSUMED_ENCODER_DELAY, MP3_PREROLL_FRAMES } from '../../src/demux/mp3/index.js';
import type { EncodedPacket } from '../../src/demux/types.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource } from '../../src/stream/source.js';
import { concat, facts, fixture, id3Tag, memoryReader, noise, readAll, rejectsWith, sameBytes, trickleReader } from './fixture-io.js';

// Facts checked once against ffmpeg 6 on these fixtures (see the demux README):
// `ffprobe -show_packets` lists 231 packets for the 44.1 kHz files and 232 for the 22.05 kHz one;
// ffmpeg skips 1105 samples (LAME delay 576 + 529) and decodes exactly manifest.frames samples.
const PACKETS: Record<string, number> = { 'chirp-cbr.mp3': 231, 'chirp-vbr.mp3': 231, 'chirp-id3.mp3': 231, 'chirp-mono-22050.mp3': 232 };
const LAME_DELAY_PLUS_DECODER = 1105;

/** The bytes of `packets` laid end to end. */
function joined(packets: EncodedPacket[]): Uint8Array {
  return concat(...packets.map((p) => p.data));
}

test('CBR MP3 with an Info+LAME tag: gapless numbers match ffmpeg and the Info frame is not a packet', async () => {
  const bytes = fixture('chirp-cbr.mp3');
  const d = await openMp3(memoryReader(bytes));
  assert.equal(d.track.codec, 'mp3');
  assert.equal(d.track.codecString, 'mp3');
  assert.equal(d.track.sampleRate, 44100);
  assert.equal(d.track.channels, 2);
  assert.equal(d.track.delayFrames, LAME_DELAY_PLUS_DECODER);
  assert.equal(d.track.totalFrames, facts('chirp-cbr.mp3').frames);
  assert.equal(d.track.prerollFrames, MP3_PREROLL_FRAMES * 1152);
  assert.equal(d.track.bitrate, 128000);
  const packets = await readAll(d);
  assert.equal(packets.length, PACKETS['chirp-cbr.mp3']);
  packets.forEach((p, i) => {
    assert.equal(p.frame, i * 1152);
    assert.equal(p.frames, 1152);
    assert.equal(p.key, true);
  });
  // Everything after the first frame (the Info frame: 144·128000/44100 = 417 bytes) is audio.
  const infoFrame = Math.floor((144 * 128000) / 44100);
  assert.ok(sameBytes(joined(packets), bytes.subarray(infoFrame)), 'packets are the bytes after the Info frame');
});

test('VBR MP3: Xing frame count and LAME tag give the exact length; bitrate is the average', async () => {
  const d = await openMp3(memoryReader(fixture('chirp-vbr.mp3')));
  assert.equal(d.track.delayFrames, LAME_DELAY_PLUS_DECODER);
  assert.equal(d.track.totalFrames, facts('chirp-vbr.mp3').frames);
  const packets = await readAll(d);
  assert.equal(packets.length, PACKETS['chirp-vbr.mp3']);
  assert.ok(new Set(packets.map((p) => p.data.length)).size > 3, 'frame sizes vary');
  assert.ok(d.track.bitrate! > 32000 && d.track.bitrate! < 128000, `bitrate ${d.track.bitrate}`);
});

test('MPEG-2 layer III mono: 576-sample frames, exact length', async () => {
  const d = await openMp3(memoryReader(fixture('chirp-mono-22050.mp3')));
  assert.equal(d.track.sampleRate, 22050);
  assert.equal(d.track.channels, 1);
  assert.equal(d.track.delayFrames, LAME_DELAY_PLUS_DECODER);
  assert.equal(d.track.totalFrames, facts('chirp-mono-22050.mp3').frames);
  const packets = await readAll(d);
  assert.equal(packets.length, PACKETS['chirp-mono-22050.mp3']);
  assert.deepEqual(packets.slice(0, 3).map((p) => [p.frame, p.frames]), [[0, 576], [576, 576], [1152, 576]]);
});

test('a large ID3v2 tag with a picture is skipped; without a LAME tag the usual LAME encoder delay is assumed', async () => {
  const bytes = fixture('chirp-id3.mp3');
  const tagBytes = 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!);
  assert.ok(tagBytes > 20000, 'the fixture has a large tag');
  const d = await openMp3(memoryReader(bytes));
  assert.equal(d.track.delayFrames, MP3_ASSUMED_ENCODER_DELAY + MP3_DECODER_DELAY);
  assert.equal(d.track.totalFrames, undefined);
  const packets = await readAll(d);
  assert.equal(packets.length, PACKETS['chirp-id3.mp3']);
  assert.ok(sameBytes(joined(packets), bytes.subarray(tagBytes)), 'packets are the bytes after the tag');
});

test('a slow source of unknown length read in small pieces yields the same packets', async () => {
  const bytes = fixture('chirp-vbr.mp3');
  const a = await readAll(await openMp3(memoryReader(bytes)));
  const d = await openMp3(trickleReader(bytes));
  const b = await readAll(d);
  assert.equal(b.length, a.length);
  b.forEach((p, i) => {
    assert.equal(p.frame, a[i]!.frame);
    assert.ok(sameBytes(p.data, a[i]!.data), `packet ${i}`);
  });
});

for (const file of ['chirp-cbr.mp3', 'chirp-vbr.mp3', 'chirp-id3.mp3']) {
  test(`${file}: seeks land on the frame holding the target, forwards and backwards`, async () => {
    const bytes = fixture(file);
    const all = await readAll(await openMp3(memoryReader(bytes)));
    const d = await openMp3(memoryReader(bytes));
    for (const target of [200000, 5, 1152 * 100 + 7, 263000, 0, 99999, 1e9]) {
      const at = await d.seek(target);
      const p = await d.next();
      assert.ok(p, 'a packet after the seek');
      assert.equal(p.frame, at);
      const want = Math.min(target, all.at(-1)!.frame);
      assert.ok(p.frame <= want && want < p.frame + p.frames, `target ${target} -> ${p.frame}`);
      assert.ok(sameBytes(p.data, all[p.frame / 1152]!.data), 'the packet really is that frame');
    }
  });
}

test('far CBR seeks by bitrate arithmetic are exact; far VBR seeks by Xing TOC stay within a frame', async () => {
  for (const [file, tolerance] of [['chirp-cbr.mp3', 0], ['chirp-id3.mp3', 0], ['chirp-vbr.mp3', 1]] as const) {
    const bytes = fixture(file);
    const all = await readAll(await openMp3(memoryReader(bytes)));
    const index = new Map(all.map((p, i) => [Buffer.from(p.data).toString('base64'), i]));
    for (let target = 3000; target < all.length * 1152; target += 17 * 1152 + 311) {
      const d = await openMp3(memoryReader(bytes), { maxScanAhead: 0 }); // nothing scanned: estimate
      const at = await d.seek(target);
      const p = (await d.next())!;
      assert.equal(p.frame, at);
      const trueIndex = index.get(Buffer.from(p.data).toString('base64'))!;
      assert.ok(Math.abs(p.frame / 1152 - trueIndex) <= tolerance, `${file} target ${target}: claimed ${p.frame / 1152}, really ${trueIndex}`);
    }
  }
});

test('garbage before the first frame and between frames is skipped by resync', async () => {
  const clean = fixture('chirp-cbr.mp3');
  const packets = await readAll(await openMp3(memoryReader(clean)));
  const cut = 417 + packets.slice(0, 50).reduce((n, p) => n + p.data.length, 0);
  const dirty = concat(noise(3000, 7), clean.subarray(0, cut), noise(5000, 9), clean.subarray(cut));
  const got = await readAll(await openMp3(memoryReader(dirty)));
  assert.equal(got.length, packets.length);
  got.forEach((p, i) => assert.ok(sameBytes(p.data, packets[i]!.data), `packet ${i}`));
});

test('a seek that walks held bytes across garbage, a stray tag and window edges lands exactly where reading would', async () => {
  // The walk parses plain frames straight from the reader's window without awaiting
  // (FrameWalker.stepHeld) and leaves everything else to the awaited step: both must agree.
  const clean = fixture('chirp-cbr.mp3');
  const packets = await readAll(await openMp3(memoryReader(clean)));
  const size = (n: number): number => packets.slice(0, n).reduce((a, p) => a + p.data.length, 0);
  const cut1 = 417 + size(40);
  const cut2 = 417 + size(90);
  const dirty = concat(clean.subarray(0, cut1), noise(3001, 5), clean.subarray(cut1, cut2), id3Tag(777), clean.subarray(cut2));
  const sequential = await readAll(await openMp3(memoryReader(dirty)));
  assert.equal(sequential.length, packets.length);
  for (const window of [65536, 1000, 333]) {
    for (const target of [30 * 1152 + 5, 60 * 1152, 95 * 1152 + 1000, 150 * 1152]) {
      const d = await openMp3(new ByteReader(new MemorySource(dirty), window));
      const at = await d.seek(target);
      const p = (await d.next())!;
      assert.equal(p.frame, at);
      assert.ok(p.frame <= target && target < p.frame + p.frames, `window ${window}, target ${target} -> ${p.frame}`);
      assert.ok(sameBytes(p.data, sequential[p.frame / 1152]!.data), `window ${window}, target ${target}: the packet really is frame ${p.frame / 1152}`);
    }
  }
});

test('two ID3v2 tags, trailing ID3v1 tag: audio only', async () => {
  const clean = fixture('chirp-cbr.mp3');
  const v1 = new Uint8Array(128);
  v1.set([0x54, 0x41, 0x47]);
  const bytes = concat(id3Tag(100), id3Tag(3000), clean, v1);
  const packets = await readAll(await openMp3(trickleReader(bytes)));
  assert.equal(packets.length, PACKETS['chirp-cbr.mp3']);
  assert.ok(sameBytes(packets.at(-1)!.data, clean.subarray(clean.length - packets.at(-1)!.data.length)), 'the last packet is the last frame');
});

test('a file cut inside a frame ends after the last whole frame', async () => {
  const clean = fixture('chirp-cbr.mp3');
  const packets = await readAll(await openMp3(memoryReader(clean.subarray(0, 417 + 418 * 100 + 200))));
  assert.ok(packets.length === 100 || packets.length === 99, `got ${packets.length}`);
  assert.ok(packets.every((p) => p.data.length >= 417), 'whole frames only');
});

test('not MP3 at all, or too short to hold three frames, is a parse error', async () => {
  await rejectsWith(openMp3(memoryReader(noise(200000))), 'parse');
  await rejectsWith(openMp3(memoryReader(fixture('chirp-cbr.mp3').subarray(0, 300))), 'parse');
  await rejectsWith(openMp3(memoryReader(new Uint8Array(0))), 'parse');
  await rejectsWith(openMp3(memoryReader(id3Tag(50))), 'parse');
});

/** A layer II stream of empty frames (header + zeros): enough for the demuxer. */
function layer2Stream(frames: number): Uint8Array {
  // MPEG-1 layer II, no CRC, 192 kbit/s (index 10), 48 kHz (index 1), no padding, stereo.
  const header = [0xff, 0xfd, 0xa4, 0x00];
  const h = parseMpegHeader(new Uint8Array(header), 0)!;
  const out = new Uint8Array(h.frameBytes * frames);
  for (let i = 0; i < frames; i++) out.set(header, i * h.frameBytes);
  return out;
}

test('MPEG-1 layer II: codec mp2, WebCodecs string mp4a.6B, 1152-sample frames, no gapless guess', async () => {
  const h = parseMpegHeader(new Uint8Array([0xff, 0xfd, 0xa4, 0x00]), 0)!;
  assert.equal(h.frameBytes, (144 * 192000) / 48000);
  const d = await openMp3(memoryReader(layer2Stream(20)));
  assert.equal(d.track.codec, 'mp2');
  assert.equal(d.track.codecString, 'mp4a.6B');
  assert.equal(d.track.sampleRate, 48000);
  assert.equal(d.track.delayFrames, 0);
  const packets = await readAll(d);
  assert.equal(packets.length, 20);
  assert.equal(packets[19]!.frame, 19 * 1152);
});

test('header tables: MPEG-2.5 layer III and layer I frame sizes', () => {
  // MPEG-2.5 (version bits 00), layer III, 8 kbit/s (1), 8 kHz (2), padded.
  const v25 = parseMpegHeader(new Uint8Array([0xff, 0xe2, 0x1a, 0xc0]), 0)!;
  assert.equal(v25.version, 2.5);
  assert.equal(v25.sampleRate, 8000);
  assert.equal(v25.samplesPerFrame, 576);
  assert.equal(v25.frameBytes, (72 * 8000) / 8000 + 1);
  // MPEG-1 layer I, 448 kbit/s (14), 32 kHz (2), padded: (12·448000/32000 + 1)·4.
  const l1 = parseMpegHeader(new Uint8Array([0xff, 0xff, 0xea, 0x00]), 0)!;
  assert.equal(l1.layer, 1);
  assert.equal(l1.frameBytes, (168 + 1) * 4);
  assert.equal(parseMpegHeader(new Uint8Array([0xff, 0xfb, 0xf0, 0x00]), 0), null, 'bitrate index 15');
  assert.equal(parseMpegHeader(new Uint8Array([0xff, 0xfb, 0x0c, 0x00]), 0), null, 'free format / bad rate');
});

test('a VBRI header gives frame count and TOC, and its frame is not a packet', async () => {
  const clean = fixture('chirp-cbr.mp3');
  const first = parseMpegHeader(clean, 0)!;
  const vbriFrame = new Uint8Array(first.frameBytes);
  vbriFrame.set(clean.subarray(0, 4));
  const at = 36;
  vbriFrame.set([0x56, 0x42, 0x52, 0x49], at); // 'VBRI'
  const view = new DataView(vbriFrame.buffer);
  view.setUint16(at + 4, 1); // version
  view.setUint32(at + 10, clean.length); // bytes
  view.setUint32(at + 14, 231); // frames
  view.setUint16(at + 18, 3); // TOC entries
  view.setUint16(at + 20, 1); // scale
  view.setUint16(at + 22, 2); // bytes per entry
  view.setUint16(at + 24, 77); // frames per entry
  for (let i = 0; i < 3; i++) view.setUint16(at + 26 + 2 * i, 77 * 418);
  const vbri = parseVbrHeader(vbriFrame, first)!;
  assert.equal(vbri.kind, 'vbri');
  assert.equal(vbri.frames, 231);
  assert.deepEqual(vbri.vbriToc, [77 * 418, 77 * 418, 77 * 418]);
  const bytes = concat(vbriFrame, clean.subarray(first.frameBytes));
  const d = await openMp3(memoryReader(bytes), { maxScanAhead: 0 });
  assert.equal(d.track.totalFrames, 231 * 1152 - MP3_ASSUMED_ENCODER_DELAY - MP3_DECODER_DELAY);
  const at2 = await d.seek(150 * 1152);
  assert.ok(Math.abs(at2 / 1152 - 150) <= 2, `landed on ${at2 / 1152}`);
});

test('probe: MP3 content scores high, hints add a little, other bytes score 0', () => {
  const head = fixture('chirp-cbr.mp3').subarray(0, 65536);
  const plain = mp3Format.probe(head, {});
  assert.ok(plain >= 80, `score ${plain}`);
  assert.ok(mp3Format.probe(head, { url: 'https://x/a.mp3?x=1' }) > plain, 'extension adds points');
  assert.equal(mp3Format.probe(noise(65536), {}), 0);
  assert.equal(mp3Format.probe(fixture('chirp.aac').subarray(0, 65536), {}), 0);
  assert.equal(mp3Format.probe(fixture('chirp.flac').subarray(0, 65536), {}), 0);
});
