import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16, crc8, flacFormat, openFlac, parseFlacFrameHeader, readFlacHeader } from '../../src/demux/flac/index.js';
import type { EncodedPacket } from '../../src/demux/types.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { concat, facts, fixture, id3Tag, memoryReader, noise, readAll, rejectsWith, sameBytes, TrickleSource, trickleReader } from './fixture-io.js';

// `ffprobe -show_packets` (checked once by hand): chirp.flac has 58 packets, the first at byte
// 8256; chirp-mono-48000.flac has 63, also from 8256; every packet size equals ours.
const FACTS: Record<string, { packets: number; firstOffset: number }> = {
  'chirp.flac': { packets: 58, firstOffset: 8256 },
  'chirp-mono-48000.flac': { packets: 63, firstOffset: 8256 },
};

/** Byte offsets of the packets, assuming they tile the file from `first`. */
function offsets(packets: EncodedPacket[], first: number): number[] {
  const out: number[] = [];
  let o = first;
  for (const p of packets) {
    out.push(o);
    o += p.data.length;
  }
  return out;
}

for (const file of Object.keys(FACTS)) {
  test(`${file}: STREAMINFO description, and packets that are exactly the frames`, async () => {
    const bytes = fixture(file);
    const f = facts(file);
    const d = await openFlac(memoryReader(bytes));
    assert.equal(d.track.codecString, 'flac');
    assert.equal(d.track.sampleRate, f.sampleRate);
    assert.equal(d.track.channels, f.channels);
    assert.equal(d.track.totalFrames, f.frames);
    assert.equal(d.track.delayFrames, 0);
    assert.equal(d.track.prerollFrames, 0);
    // 'fLaC', a STREAMINFO header with the last-block flag, then the file's own 34 bytes.
    const desc = d.track.description!;
    assert.deepEqual([...desc.subarray(0, 8)], [0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34]);
    assert.ok(sameBytes(desc.subarray(8), bytes.subarray(8, 42)), 'STREAMINFO body copied');
    const packets = await readAll(d);
    assert.equal(packets.length, FACTS[file]!.packets);
    let next = 0;
    for (const p of packets) {
      assert.equal(p.frame, next);
      assert.equal(crc16(p.data, 0, p.data.length), 0, `frame at ${p.frame} passes its CRC-16`);
      const h = parseFlacFrameHeader(p.data, 0, (await readFlacHeader(memoryReader(bytes))).info)!;
      assert.equal(crc8(p.data, 0, h.headerBytes - 1), p.data[h.headerBytes - 1]);
      assert.equal(h.blockSize, p.frames);
      next += p.frames;
    }
    assert.equal(next, f.frames);
    assert.ok(sameBytes(concat(...packets.map((p) => p.data)), bytes.subarray(FACTS[file]!.firstOffset)), 'packets tile the audio');
  });
}

test('seeks by bisection land on the frame that holds the target', async () => {
  const bytes = fixture('chirp.flac');
  const all = await readAll(await openFlac(memoryReader(bytes)));
  const d = await openFlac(memoryReader(bytes));
  for (const target of [200000, 0, 4607, 4608, 264599, 100000, 1, 10 ** 9]) {
    const at = await d.seek(target);
    const p = (await d.next())!;
    assert.equal(p.frame, at);
    const want = Math.min(target, 264599);
    assert.ok(p.frame <= want && want < p.frame + p.frames, `target ${target} -> ${p.frame}`);
    assert.ok(sameBytes(p.data, all.find((q) => q.frame === p.frame)!.data), 'same bytes as sequential');
  }
});

/** chirp.flac with its PADDING block turned into a SEEKTABLE (every 8th frame + a placeholder) and a smaller PADDING. */
async function withSeekTable(): Promise<Uint8Array> {
  const bytes = fixture('chirp.flac').slice();
  const head = await readFlacHeader(memoryReader(bytes));
  const packets = await readAll(await openFlac(memoryReader(bytes)));
  const offs = offsets(packets, head.firstFrameOffset);
  const points = packets.map((p, i) => [p.frame, offs[i]! - head.firstFrameOffset, p.frames]).filter((_, i) => i % 8 === 0);
  points.push([2 ** 53, 0, 0]); // placeholder (sample 0xFFFF…)
  // Find the PADDING block (type 1): it is the last block, before the first frame.
  let pos = 4;
  for (;;) {
    const type = bytes[pos]! & 0x7f;
    const len = (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (type === 1) break;
    pos += 4 + len;
  }
  const table = new Uint8Array(4 + points.length * 18);
  const v = new DataView(table.buffer);
  v.setUint32(0, (3 << 24) | (points.length * 18));
  points.forEach(([s, o, n], i) => {
    const at = 4 + i * 18;
    if (s === 2 ** 53) {
      v.setUint32(at, 0xffffffff);
      v.setUint32(at + 4, 0xffffffff);
    } else v.setUint32(at + 4, s!);
    v.setUint32(at + 12, o!);
    v.setUint16(at + 16, n!);
  });
  const padding = head.firstFrameOffset - pos - table.length - 4;
  const pad = new Uint8Array(4 + padding);
  new DataView(pad.buffer).setUint32(0, (0x81 << 24) | padding);
  bytes.set(table, pos);
  bytes.set(pad, pos + table.length);
  return bytes;
}

test('a SEEKTABLE is used: with unknown length a far seek reads only near the target', async () => {
  const plain = fixture('chirp.flac');
  const tabled = await withSeekTable();
  assert.equal((await readFlacHeader(memoryReader(tabled))).seekTable.length, 8);
  const all = await readAll(await openFlac(memoryReader(plain)));
  const cost = async (bytes: Uint8Array): Promise<number> => {
    const src = new TrickleSource(bytes);
    const d = await openFlac(new ByteReader(src, 4096));
    const before = src.reads;
    const at = await d.seek(250000);
    const p = (await d.next())!;
    assert.ok(p.frame === at && p.frame <= 250000 && 250000 < p.frame + p.frames, `landed on ${p.frame}`);
    assert.ok(sameBytes(p.data, all.find((q) => q.frame === p.frame)!.data), 'same bytes as sequential');
    return src.reads - before;
  };
  const withTable = await cost(tabled);
  const without = await cost(plain);
  assert.ok(withTable * 4 < without, `reads with table ${withTable}, without ${without}`);
});

test('a slow source of unknown length read in small pieces yields the same packets', async () => {
  const bytes = fixture('chirp-mono-48000.flac');
  const a = await readAll(await openFlac(memoryReader(bytes)));
  const b = await readAll(await openFlac(trickleReader(bytes, 1000)));
  assert.equal(b.length, a.length);
  b.forEach((p, i) => assert.ok(p.frame === a[i]!.frame && sameBytes(p.data, a[i]!.data), `packet ${i}`));
});

test('an ID3v2 tag before fLaC and an ID3v1 tag after the last frame are not audio', async () => {
  const clean = fixture('chirp.flac');
  const a = await readAll(await openFlac(memoryReader(clean)));
  const v1 = new Uint8Array(128);
  v1.set([0x54, 0x41, 0x47]);
  const b = await readAll(await openFlac(memoryReader(concat(id3Tag(500), clean, v1))));
  assert.equal(b.length, a.length);
  assert.ok(sameBytes(b.at(-1)!.data, a.at(-1)!.data), 'last frame without the tag');
});

test('a damaged frame header mid-stream costs that frame only; a cut last frame is dropped', async () => {
  const clean = fixture('chirp.flac');
  const a = await readAll(await openFlac(memoryReader(clean)));
  const offs = offsets(a, FACTS['chirp.flac']!.firstOffset);
  const damaged = clean.slice();
  damaged[offs[20]! + 1] = 0x00; // break frame 20's sync code
  const b = await readAll(await openFlac(memoryReader(damaged)));
  assert.deepEqual(b.map((p) => p.frame), a.filter((_, i) => i !== 20).map((p) => p.frame));
  assert.ok(sameBytes(b[19]!.data, a[19]!.data), 'frame before the damage intact');
  const cut = await readAll(await openFlac(memoryReader(clean.subarray(0, offs[30]! + 100))));
  assert.equal(cut.length, 30);
});

test('broken or missing metadata is a parse error', async () => {
  const clean = fixture('chirp.flac');
  await rejectsWith(openFlac(memoryReader(clean.subarray(0, 20))), 'parse');
  await rejectsWith(openFlac(memoryReader(clean.subarray(0, 8256))), 'parse');
  await rejectsWith(openFlac(memoryReader(noise(5000))), 'parse');
  const noInfo = clean.slice();
  noInfo[4] = 0x04; // first block is not STREAMINFO
  await rejectsWith(openFlac(memoryReader(noInfo)), 'parse');
  const garbageFrames = concat(clean.subarray(0, 8256), noise(20000, 4));
  await rejectsWith(openFlac(memoryReader(garbageFrames)), 'parse');
});

test('probe: fLaC scores high (also after ID3v2); other files score 0', () => {
  assert.ok(flacFormat.probe(fixture('chirp.flac').subarray(0, 65536), {}) >= 90, 'FLAC head');
  assert.ok(flacFormat.probe(concat(id3Tag(100), fixture('chirp.flac').subarray(0, 1000)), {}) >= 90, 'after ID3');
  assert.equal(flacFormat.probe(fixture('chirp.aac').subarray(0, 65536), {}), 0);
});
