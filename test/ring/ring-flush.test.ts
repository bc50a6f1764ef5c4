import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ctl, createRing, ringViews } from '../../src/ring/spsc-ring.js';
import { RingWriter } from '../../src/ring/ring-writer.js';
import { RingReader } from '../../src/ring/ring-reader.js';
import { SYNC_BUSY, SYNC_FLUSHED, SYNC_OK } from '../../src/ring/pcm-reader.js';
import { FakeClock } from '../../src/platform/clock.js';
import { KitharaError } from '../../src/platform/errors.js';
import { outputs, sentinel, sentinelPlanes } from './helpers.js';

/** Planes whose channel 0 counts frames and channel 1 holds the epoch. */
function epochPlanes(epoch: number, start: number, frames: number): Float32Array[] {
  const a = new Float32Array(frames);
  const b = new Float32Array(frames).fill(epoch);
  for (let i = 0; i < frames; i++) a[i] = start + i;
  return [a, b];
}

test('a flush drops unread frames; the next frames read are the new epoch from its first frame', () => {
  const sab = createRing(2, 1024);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  w.write(epochPlanes(0, 0, 600), 600);
  assert.equal(r.sync(), SYNC_FLUSHED, 'the first sync applies the published (initial) flush');
  const out = outputs(2);
  r.read(out, 128);
  assert.equal(out[0]![0], 0);
  w.flush(5);
  w.write(epochPlanes(5, 0, 300), 300);
  assert.equal(r.sync(), SYNC_FLUSHED);
  assert.equal(r.epoch, 5);
  assert.equal(r.available(), 300, 'the 472 unread frames of epoch 0 are gone');
  assert.equal(r.read(out, 128), 128);
  assert.deepEqual([out[0]![0], out[1]![0], out[0]![127]], [0, 5, 127]);
  assert.equal(r.sync(), SYNC_OK);
});

test('two flushes before the reader runs drop both older epochs', () => {
  const sab = createRing(2, 2048);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  r.sync();
  w.write(epochPlanes(0, 0, 500), 500);
  w.flush(1);
  w.write(epochPlanes(1, 0, 300), 300);
  w.flush(2);
  w.write(epochPlanes(2, 0, 200), 200);
  assert.equal(r.sync(), SYNC_FLUSHED);
  assert.equal(r.epoch, 2);
  const out = outputs(2, 256);
  assert.equal(r.read(out, 256), 200);
  for (let i = 0; i < 200; i++) assert.deepEqual([out[0]![i], out[1]![i]], [i, 2]);
});

test('applying a flush never moves the read index backwards, so no frame is heard twice', () => {
  const sab = createRing(2, 1024);
  const ctl = ringViews(sab).ctl;
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  w.write(epochPlanes(0, 0, 100), 100);
  w.flush(1);
  w.write(epochPlanes(1, 0, 200), 200);
  r.sync();
  const out = outputs(2, 50);
  r.read(out, 50);
  assert.equal(out[0]![49], 49);
  // A later published sequence whose flush index the reader has already passed (what a reader
  // sees when it observes a newer sequence with an older index): it must not rewind.
  Atomics.store(ctl, Ctl.FLUSH_SEQ, Atomics.load(ctl, Ctl.FLUSH_SEQ) + 2);
  assert.equal(r.sync(), SYNC_FLUSHED);
  r.read(out, 50);
  assert.equal(out[0]![0], 50, 'continues after the frames already read');
});

test('while a flush is being published the reader outputs nothing and consumes nothing', () => {
  const sab = createRing(2, 1024);
  const ctl = ringViews(sab).ctl;
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  w.write(epochPlanes(0, 0, 400), 400);
  r.sync();
  const seq = Atomics.load(ctl, Ctl.FLUSH_SEQ);
  Atomics.store(ctl, Ctl.FLUSH_SEQ, seq + 1); // the writer is between its two FLUSH_SEQ stores
  assert.equal(r.sync(), SYNC_BUSY);
  const out = outputs(2);
  out[0]!.fill(9);
  assert.equal(r.read(out, 128), 0);
  assert.ok(out[0]!.every((v) => v === 9), 'outputs untouched');
  assert.equal(r.drainedEnd(), false);
  Atomics.store(ctl, Ctl.FLUSH_SEQ, seq); // (simulation only: restore)
  assert.equal(r.sync(), SYNC_OK);
  assert.equal(r.read(out, 128), 128);
  assert.equal(out[0]![0], 0, 'nothing was consumed during the busy quantum');
});

test('ended is reported only after the last frame of the ended epoch was read, and a flush clears it', () => {
  const sab = createRing(1, 1024);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  w.write(sentinelPlanes(1, 0, 200), 200);
  w.setEnded();
  assert.throws(() => w.write(sentinelPlanes(1, 0, 1), 1), /after setEnded/);
  r.sync();
  const out = outputs(1);
  r.read(out, 128);
  assert.equal(r.drainedEnd(), false);
  assert.equal(r.read(out, 128), 72);
  assert.equal(r.drainedEnd(), true);
  w.flush(1);
  w.write(sentinelPlanes(1, 0, 10), 10);
  r.sync();
  assert.equal(r.drainedEnd(), false, 'the end tag of the old epoch is stale after a flush');
  r.read(out, 128);
  assert.equal(r.drainedEnd(), false, 'epoch 1 has not ended');
});

test('an end set before the reader applied the flush counts only once the flush is applied', () => {
  const sab = createRing(1, 1024);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  r.sync();
  w.flush(3);
  w.setEnded(); // epoch 3 is empty (e.g. a seek to the very end)
  assert.equal(r.drainedEnd(), false, 'the reader still plays epoch 0');
  r.sync();
  assert.equal(r.epoch, 3);
  assert.equal(r.drainedEnd(), true);
});

test('waitForSpace resolves when the reader frees space (Atomics.waitAsync path)', async () => {
  const sab = createRing(2, 256);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  w.write(sentinelPlanes(2, 0, 256), 256);
  let resolved = false;
  const wait = w.waitForSpace(200).then(() => (resolved = true));
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(resolved, false, 'still full');
  r.sync();
  r.read(outputs(2), 128);
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(resolved, false, '128 free is not 200');
  const t0 = performance.now();
  r.read(outputs(2), 128);
  await wait;
  assert.ok(performance.now() - t0 < 500, 'woken by the reader, not by the safety timeout');
  assert.equal(w.free(), 256);
  assert.equal(Atomics.load(ringViews(sab).ctl, Ctl.WANT_FRAMES), 0);
});

test('a flush returns the dropped space to a waiting writer as soon as the reader syncs', async () => {
  const sab = createRing(1, 256);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  r.sync();
  w.write(sentinelPlanes(1, 0, 256), 256);
  w.flush(1);
  assert.equal(w.free(), 0, 'stale frames hold their space until the reader applies the flush');
  const wait = w.waitForSpace(256);
  r.sync();
  await wait;
  assert.equal(w.free(), 256);
});

test('the timer fallback sleeps for the time the reader needs, on the injected clock', async () => {
  const clock = new FakeClock();
  const sab = createRing(1, 4800);
  const w = new RingWriter(sab, { waitMode: 'timer', clock, sampleRate: 48000 });
  assert.equal(w.capacity, 8192);
  assert.equal(w.timerPeriod(960), 20, '960 frames at 48 kHz take 20 ms');
  assert.equal(w.timerPeriod(1), 2, 'never below the minimum');
  assert.equal(w.timerPeriod(1e6), 100, 'never above the maximum');
  const r = new RingReader(sab);
  w.write(sentinelPlanes(1, 0, 8192), 8192);
  let resolved = false;
  const wait = w.waitForSpace(960).then(() => (resolved = true));
  await Promise.resolve();
  clock.advance(20);
  await Promise.resolve();
  assert.equal(resolved, false, 'the reader has not consumed anything');
  r.sync();
  for (let i = 0; i < 8; i++) r.read(outputs(1), 128);
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(resolved, false, 'only the injected clock wakes the timer path');
  clock.advance(20);
  await wait;
  assert.equal(resolved, true);
});

test('waitForSpace rejects with an aborted KitharaError when its signal aborts (both wait paths)', async () => {
  for (const waitMode of ['auto', 'timer'] as const) {
    const sab = createRing(1, 128);
    const w = new RingWriter(sab, { waitMode, clock: new FakeClock() });
    w.write(sentinelPlanes(1, 0, 128), 128);
    const ac = new AbortController();
    const wait = w.waitForSpace(64, ac.signal);
    ac.abort();
    await assert.rejects(wait, (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
  }
});
