import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { PortRingWriter } from '../../src/ring/port-ring.js';
import { PortRingReader, portSlotCount } from '../../src/ring/port-queue.js';
import { SYNC_FLUSHED, SYNC_OK } from '../../src/ring/pcm-reader.js';
import type { MessagePortLike } from '../../src/ring/protocol.js';
import { KitharaError } from '../../src/platform/errors.js';
import { outputs, randInt, seeded, sentinel, sentinelPlanes } from './helpers.js';

const asPort = (p: MessagePort): MessagePortLike => p as unknown as MessagePortLike;

/** Resolves once `cond()` holds, letting port messages be delivered in between. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 5000;
  while (!cond()) {
    assert.ok(performance.now() < end, `timed out waiting for ${what}`);
    await new Promise((res) => setImmediate(res));
  }
}

/** A writer and a reader joined by a real node:worker_threads MessageChannel. */
function pair(t: { after(fn: () => void): void }, channels: number, capacity: number, batchFrames = 512) {
  const { port1, port2 } = new MessageChannel();
  const writer = new PortRingWriter(asPort(port1), { channels, capacity, batchFrames });
  const reader = new PortRingReader(channels, capacity, batchFrames);
  reader.attach(asPort(port2));
  t.after(() => {
    writer.close();
    port1.close();
    port2.close();
  });
  return { writer, reader };
}

test('moves 300k frames in order through a MessageChannel, reusing a bounded set of transferred buffers', async (t) => {
  const { writer, reader } = pair(t, 2, 4096, 512);
  const rand = seeded(5);
  const total = 300_000;
  const out = outputs(2, 300);
  let written = 0;
  let read = 0;
  while (read < total) {
    if (written < total) {
      const want = Math.min(randInt(rand, 1, 3000), total - written);
      const free = writer.free();
      const n = writer.write(sentinelPlanes(2, written, want), want);
      assert.equal(n, Math.min(want, free), 'write accepts exactly min(request, free)');
      written += n;
      assert.ok(writer.available() <= writer.capacity, 'never more than capacity in flight');
      if (written === total) writer.commit();
    }
    await new Promise((res) => setImmediate(res));
    for (let k = randInt(rand, 0, 20); k > 0; k--) {
      const n = reader.read(out, randInt(rand, 1, 300));
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < 2; c++) {
          if (out[c]![i] !== sentinel(read + i, c)) assert.fail(`frame ${read + i} ch ${c}: ${out[c]![i]}`);
        }
      }
      read += n;
    }
  }
  assert.equal(read, total);
  await until(() => writer.available() === 0, 'all credits');
  assert.ok(writer.allocatedBuffers <= portSlotCount(4096, 512) + 1, `allocated ${writer.allocatedBuffers} buffers`);
  assert.ok(writer.allocatedBuffers < total / 512 / 4, 'buffers are recycled, not made per batch');
});

test('a posted batch buffer is transferred, not copied', async (t) => {
  const { port1, port2 } = new MessageChannel();
  t.after(() => {
    port1.close();
    port2.close();
  });
  const writer = new PortRingWriter(asPort(port1), { channels: 1, capacity: 1024, batchFrames: 256 });
  let received: Float32Array | undefined;
  port2.on('message', (m: { type: string; data?: Float32Array }) => {
    if (m.type === 'pcm') received = m.data;
  });
  const src = sentinelPlanes(1, 0, 256);
  writer.write(src, 256);
  await until(() => received !== undefined, 'the batch');
  assert.equal(received!.length, 256);
  assert.equal(received![255], sentinel(255, 0));
  assert.equal(writer.free(), 1024 - 256);
});

test('a partial batch is posted at once while the reader is low, so a slow producer never starves it', async (t) => {
  const { writer, reader } = pair(t, 1, 8192, 2048);
  writer.write(sentinelPlanes(1, 0, 100), 100);
  const out = outputs(1);
  await until(() => reader.available() === 100, 'the partial batch');
  assert.equal(reader.read(out, 128), 100);
});

test('waitForSpace resolves when the reader credits frames back, and rejects on abort', async (t) => {
  const { writer, reader } = pair(t, 1, 1024, 256);
  assert.equal(writer.write(sentinelPlanes(1, 0, 1024), 1024), 1024);
  assert.equal(writer.free(), 0);
  let resolved = false;
  const wait = writer.waitForSpace(256).then(() => (resolved = true));
  await until(() => reader.available() === 1024, 'the batches');
  assert.equal(resolved, false);
  reader.read(outputs(1), 128);
  await new Promise((res) => setTimeout(res, 10));
  assert.equal(resolved, false, 'half a batch read: no credit yet');
  reader.read(outputs(1), 128);
  await wait;
  assert.equal(writer.free(), 256);

  writer.write(sentinelPlanes(1, 0, 256), 256);
  const ac = new AbortController();
  const aborted = writer.waitForSpace(512, ac.signal);
  ac.abort();
  await assert.rejects(aborted, (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
});

test('a flush drops every queued batch and the partial one; credits return their space', async (t) => {
  const { writer, reader } = pair(t, 1, 4096, 512);
  writer.write(sentinelPlanes(1, 0, 3000), 3000);
  await until(() => reader.available() >= 2560, 'old batches');
  reader.read(outputs(1), 128);
  assert.equal(reader.sync(), SYNC_OK);
  writer.flush(9);
  const fresh = new Float32Array(700).fill(0.25);
  writer.write([fresh], 700);
  writer.commit();
  await until(() => reader.epoch === 9 && reader.available() === 700, 'the flush and the new batches');
  assert.equal(reader.sync(), SYNC_FLUSHED);
  const out = outputs(1, 1024);
  assert.equal(reader.read(out, 1024), 700);
  assert.ok(out[0]!.subarray(0, 700).every((v) => v === 0.25), 'only new-epoch frames');
  await until(() => writer.available() === 0, 'credits for dropped and played frames');
});

test('end: the reader drains the partial batch, then reports the end; a flush clears it', async (t) => {
  const { writer, reader } = pair(t, 2, 4096, 512);
  writer.write(sentinelPlanes(2, 0, 1300), 1300);
  writer.setEnded();
  assert.throws(() => writer.write(sentinelPlanes(2, 0, 1), 1), /after setEnded/);
  await until(() => reader.available() === 1300, 'all batches');
  const out = outputs(2, 1300);
  assert.equal(reader.drainedEnd(), false);
  assert.equal(reader.read(out, 1300), 1300);
  assert.equal(out[1]![1299], sentinel(1299, 1));
  assert.equal(reader.drainedEnd(), true);
  writer.flush(1);
  await until(() => reader.epoch === 1, 'the flush');
  assert.equal(reader.drainedEnd(), false);
});
