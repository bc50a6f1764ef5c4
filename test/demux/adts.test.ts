import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adtsFormat, openAdts, parseAdtsHeader, ADTS_ASSUMED_PRIMING } from '../../src/demux/adts/index.js';
import { concat, fixture, id3Tag, memoryReader, noise, readAll, rejectsWith, sameBytes, trickleReader } from './fixture-io.js';

// `ffprobe -show_packets fixtures/media/chirp.aac` lists 260 packets (checked once by hand,
// along with every packet size = our payload + 7 header bytes).
const PACKETS = 260;

/** Splits an ADTS file into frames by the 13-bit frame_length field, independently of the demuxer. */
function framesOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p + 7 <= bytes.length; ) {
    const len = ((bytes[p + 3]! & 3) << 11) | (bytes[p + 4]! << 3) | (bytes[p + 5]! >> 5);
    out.push(bytes.subarray(p, p + len));
    p += len;
  }
  return out;
}

test('AAC-LC ADTS: AudioSpecificConfig from the header, 1024-frame packets without headers', async () => {
  const bytes = fixture('chirp.aac');
  const d = await openAdts(memoryReader(bytes));
  assert.equal(d.track.codec, 'aac');
  assert.equal(d.track.codecString, 'mp4a.40.2');
  assert.equal(d.track.sampleRate, 44100);
  assert.equal(d.track.channels, 2);
  // objectType 2, sampling index 4 (44100), channel config 2: 00010 0100 0010 000 = 0x12 0x10.
  assert.deepEqual([...d.track.description!], [0x12, 0x10]);
  assert.equal(d.track.delayFrames, ADTS_ASSUMED_PRIMING);
  assert.equal(d.track.totalFrames, undefined);
  assert.equal(d.track.prerollFrames, 2048);
  const packets = await readAll(d);
  const frames = framesOf(bytes);
  assert.equal(packets.length, PACKETS);
  assert.equal(frames.length, PACKETS);
  packets.forEach((p, i) => {
    assert.equal(p.frame, i * 1024);
    assert.equal(p.frames, 1024);
    assert.ok(sameBytes(p.data, frames[i]!.subarray(7)), `packet ${i} is frame ${i} without its header`);
  });
});

test('a slow source of unknown length read in small pieces yields the same packets', async () => {
  const bytes = fixture('chirp.aac');
  const a = await readAll(await openAdts(memoryReader(bytes)));
  const b = await readAll(await openAdts(trickleReader(bytes, 300)));
  assert.equal(b.length, a.length);
  b.forEach((p, i) => assert.ok(p.frame === a[i]!.frame && sameBytes(p.data, a[i]!.data), `packet ${i}`));
});

test('seeks inside the scanned range are exact; far estimated seeks stay within 4 frames', async () => {
  const bytes = fixture('chirp.aac');
  const all = await readAll(await openAdts(memoryReader(bytes)));
  const index = new Map(all.map((p, i) => [Buffer.from(p.data).toString('base64'), i]));
  const d = await openAdts(memoryReader(bytes));
  for (const target of [150000, 1023, 1024, 0, 265000, 77777]) {
    const at = await d.seek(target);
    const p = (await d.next())!;
    assert.equal(p.frame, at);
    assert.ok(p.frame <= target && target < p.frame + 1024, `target ${target} -> ${p.frame}`);
    assert.equal(index.get(Buffer.from(p.data).toString('base64')), p.frame / 1024);
  }
  let worst = 0;
  for (let target = 5000; target < all.length * 1024; target += 13 * 1024 + 100) {
    const e = await openAdts(memoryReader(bytes), { maxScanAhead: 0 });
    const at = await e.seek(target);
    const p = (await e.next())!;
    worst = Math.max(worst, Math.abs(at / 1024 - index.get(Buffer.from(p.data).toString('base64'))!));
  }
  assert.ok(worst <= 4, `worst estimated-seek error ${worst} frames`);
});

test('leading ID3v2 tag and garbage are skipped', async () => {
  const clean = fixture('chirp.aac');
  const packets = await readAll(await openAdts(memoryReader(concat(id3Tag(2000), noise(999, 3), clean))));
  assert.equal(packets.length, PACKETS);
});

/** Rewrites every header of `bytes` to carry a CRC (9-byte headers, two made-up CRC bytes). */
function withCrc(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of framesOf(bytes)) {
    const out = new Uint8Array(f.length + 2);
    out.set(f.subarray(0, 7));
    out[1]! &= 0xfe; // protection_absent = 0
    const len = f.length + 2;
    out[3] = (out[3]! & 0xfc) | (len >> 11);
    out[4] = (len >> 3) & 0xff;
    out[5] = ((len & 7) << 5) | (out[5]! & 0x1f);
    out.set([0xab, 0xcd], 7);
    out.set(f.subarray(7), 9);
    parts.push(out);
  }
  return concat(...parts);
}

test('headers with CRC: the 2 CRC bytes are not part of the payload', async () => {
  const clean = fixture('chirp.aac');
  const a = await readAll(await openAdts(memoryReader(clean)));
  const b = await readAll(await openAdts(memoryReader(withCrc(clean))));
  assert.equal(b.length, a.length);
  b.forEach((p, i) => assert.ok(sameBytes(p.data, a[i]!.data), `packet ${i}`));
});

test('several raw data blocks per frame, or channel configuration 0, are unsupported', async () => {
  const many = fixture('chirp.aac').slice();
  for (const f of framesOf(many)) f[6] = (f[6]! & 0xfc) | 1;
  await rejectsWith(openAdts(memoryReader(many)), 'unsupported');
  const pce = fixture('chirp.aac').slice();
  for (const f of framesOf(pce)) {
    f[2] = f[2]! & 0xfe;
    f[3] = f[3]! & 0x3f;
  }
  await rejectsWith(openAdts(memoryReader(pce)), 'unsupported');
});

test('no ADTS frames is a parse error; a cut last frame is dropped', async () => {
  await rejectsWith(openAdts(memoryReader(noise(100000, 5))), 'parse');
  await rejectsWith(openAdts(memoryReader(fixture('chirp.aac').subarray(0, 20))), 'parse');
  const bytes = fixture('chirp.aac');
  const frames = framesOf(bytes);
  const cut = frames.slice(0, 10).reduce((n, f) => n + f.length, 0) + 50;
  assert.equal((await readAll(await openAdts(memoryReader(bytes.subarray(0, cut))))).length, 10);
});

test('header parser rejects MPEG audio and reserved sampling indexes', () => {
  assert.equal(parseAdtsHeader(fixture('chirp-cbr.mp3'), 0), null);
  const h = fixture('chirp.aac').slice(0, 7);
  assert.ok(parseAdtsHeader(h, 0), 'the fixture header parses');
  h[2] = (h[2]! & 0xc3) | (13 << 2);
  assert.equal(parseAdtsHeader(h, 0), null);
});

test('probe: ADTS content scores high; MP3 and noise score 0', () => {
  assert.ok(adtsFormat.probe(fixture('chirp.aac').subarray(0, 65536), {}) >= 80, 'ADTS head');
  assert.equal(adtsFormat.probe(fixture('chirp-cbr.mp3').subarray(0, 65536), {}), 0);
  assert.equal(adtsFormat.probe(noise(65536), {}), 0);
});
