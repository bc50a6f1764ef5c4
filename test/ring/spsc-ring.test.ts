import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ctl, createRing, ringInfo, ringViews } from '../../src/ring/spsc-ring.js';
import { RingWriter } from '../../src/ring/ring-writer.js';
import { RingReader } from '../../src/ring/ring-reader.js';
import { outputs, randInt, seeded, sentinel, sentinelPlanes } from './helpers.js';

test('createRing rounds the capacity up to a power of two and records it in the header', () => {
  const sab = createRing(2, 1000);
  assert.deepEqual(ringInfo(sab), { channels: 2, capacity: 1024 });
  assert.equal(new RingWriter(sab).free(), 1024);
  assert.deepEqual(ringInfo(createRing(1, 4096)), { channels: 1, capacity: 4096 });
  assert.throws(() => ringInfo(new SharedArrayBuffer(4096)));
  assert.throws(() => createRing(0, 128));
});

test('write stops at the free space and returns 0 when the ring is full', () => {
  const sab = createRing(2, 256);
  const w = new RingWriter(sab);
  const planes = sentinelPlanes(2, 0, 400);
  assert.equal(w.write(planes, 400), 256);
  assert.equal(w.free(), 0);
  assert.equal(w.write(planes, 10, 256), 0);
  const r = new RingReader(sab);
  r.sync();
  const out = outputs(2, 100);
  assert.equal(r.read(out, 100), 100);
  assert.equal(w.free(), 100);
  assert.equal(w.write(planes, 144, 256), 100);
});

/** Moves `total` frames through the ring with random sizes and checks every sample. */
function stress(seed: number, capacity: number, initialIndex: number, total: number): { readIndex: number } {
  const rand = seeded(seed);
  const channels = 2;
  const sab = createRing(channels, capacity, { initialIndex });
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  const cap = w.capacity;
  const out = outputs(channels, 300);
  let written = 0;
  let read = 0;
  while (read < total) {
    if (rand() < 0.5 && written < total) {
      const want = Math.min(randInt(rand, 1, Math.floor(cap * 1.5)), total - written);
      const free = w.free();
      const n = w.write(sentinelPlanes(channels, written, want), want);
      assert.equal(n, Math.min(want, free), 'write accepts exactly min(request, free)');
      written += n;
    } else {
      r.sync();
      const avail = r.available();
      assert.equal(avail, written - read, 'reader sees exactly what was written and not read');
      const want = randInt(rand, 1, 300);
      const n = r.read(out, want);
      assert.equal(n, Math.min(want, avail));
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < channels; c++) {
          const got = out[c]![i]!;
          if (got !== sentinel(read + i, c)) assert.fail(`frame ${read + i} ch ${c}: got ${got}, want ${sentinel(read + i, c)}`);
        }
      }
      read += n;
    }
  }
  assert.equal(written, read);
  return { readIndex: Atomics.load(ringViews(sab).ctl, Ctl.READ_INDEX) };
}

for (const [label, start] of [
  ['0', 0],
  ['2^31 - 5000 (Int32 overflow)', 2 ** 31 - 5000],
  ['2^32 - 5000 (wrap to 0)', 2 ** 32 - 5000],
] as const) {
  test(`random write and read sizes keep every frame in order across the buffer wrap, counters from ${label}`, () => {
    for (const seed of [1, 2, 3]) {
      const res = stress(seed, 1000, start, 200_000);
      assert.equal(res.readIndex, (start + 200_000) | 0, 'the read counter advanced by exactly the frames moved');
    }
    // A one-quantum ring wraps on nearly every call.
    stress(99, 128, start, 50_000);
  });
}

test('counters started near 2^31 really cross the Int32 sign boundary', () => {
  const res = stress(7, 512, 2 ** 31 - 100, 10_000);
  assert.ok(res.readIndex < 0, `read index ${res.readIndex} should have wrapped negative`);
});

test('a mono ring feeds every output channel; a stereo ring leaves a third output channel alone', () => {
  const mono = createRing(1, 256);
  const wm = new RingWriter(mono);
  wm.write(sentinelPlanes(1, 0, 128), 128);
  const rm = new RingReader(mono);
  rm.sync();
  const out = outputs(2);
  assert.equal(rm.read(out, 128), 128);
  for (let i = 0; i < 128; i++) {
    assert.equal(out[0]![i], sentinel(i, 0));
    assert.equal(out[1]![i], sentinel(i, 0));
  }
  const st = createRing(2, 256);
  new RingWriter(st).write(sentinelPlanes(2, 0, 128), 128);
  const rs = new RingReader(st);
  rs.sync();
  const out3 = outputs(3);
  out3[2]!.fill(7);
  assert.equal(rs.read(out3, 128), 128);
  assert.equal(out3[1]![5], sentinel(5, 1));
  assert.ok(out3[2]!.every((v) => v === 7));
});
