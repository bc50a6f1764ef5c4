import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createRing } from '../../src/ring/spsc-ring.js';
import { RingReader } from '../../src/ring/ring-reader.js';
import { SYNC_BUSY } from '../../src/ring/pcm-reader.js';
import { outputs, randInt, seeded, sentinel } from './helpers.js';

const WORKER = new URL('./ring-writer.worker.ts', import.meta.url);

function startWriter(sab: SharedArrayBuffer, mode: 'stream' | 'epochs', total: number, seed: number) {
  // Node 20 does not hand tsx's loader to workers; a tiny bootstrap registers it, then imports the .ts.
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import { register } from ${api}; register(); await import(${JSON.stringify(WORKER.href)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: { sab, mode, total, seed } });
  const state = { failed: undefined as unknown };
  const done = new Promise<{ waits: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', (e) => reject((state.failed = e)));
    worker.once('exit', (code) => code !== 0 && reject((state.failed ??= new Error(`writer exited with ${code}`))));
  });
  done.catch(() => {});
  return { worker, done, state };
}

/** Lets the event loop run (so a failing writer is noticed) every so many idle polls. */
async function idle(count: number, state: { failed: unknown }): Promise<void> {
  if (count % 10_000 === 0) await new Promise((res) => setImmediate(res));
  if (state.failed !== undefined) throw state.failed;
}

/** Busy-waits about `ms` on the main thread (the reader sometimes lags, so the writer must wait). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('a writer thread moves 3 million frames to a reader thread with no loss, duplication or reordering', async (t) => {
  const total = 3_000_000;
  const sab = createRing(2, 8192, { initialIndex: 2 ** 31 - 1_000_000 });
  const { worker, done, state } = startWriter(sab, 'stream', total, 11);
  t.after(() => worker.terminate());
  let idles = 0;
  const reader = new RingReader(sab);
  const rand = seeded(12);
  const out = outputs(2, 512);
  let read = 0;
  const deadline = performance.now() + 30_000;
  while (read < total) {
    assert.ok(performance.now() < deadline, `stalled after ${read} frames`);
    reader.sync();
    const n = reader.read(out, randInt(rand, 1, 512));
    for (let i = 0; i < n; i++) {
      if (out[0]![i] !== sentinel(read + i, 0) || out[1]![i] !== sentinel(read + i, 1)) {
        assert.fail(`frame ${read + i}: got ${out[0]![i]}/${out[1]![i]}`);
      }
    }
    read += n;
    if (n === 0) await idle(++idles, state);
    if (rand() < 0.001) spin(2);
  }
  const { waits } = await done;
  assert.ok(waits > 0, 'the writer had to wait for space at least once');
});

test('flushes racing with a reader thread: every frame read belongs to the epoch the reader reports', async (t) => {
  const total = 2_000_000;
  const sab = createRing(2, 1024, { initialIndex: 2 ** 32 - 500_000 });
  const { worker, done, state } = startWriter(sab, 'epochs', total, 21);
  t.after(() => worker.terminate());
  let idles = 0;
  const reader = new RingReader(sab);
  const rand = seeded(22);
  const out = outputs(2, 256);
  let epoch = -1;
  let next = 0;
  let epochsSeen = 0;
  let finalCount = -1;
  const deadline = performance.now() + 30_000;
  for (;;) {
    assert.ok(performance.now() < deadline, `stalled in epoch ${epoch} at ${next}`);
    if (reader.sync() === SYNC_BUSY) {
      await idle(++idles, state);
      continue;
    }
    if (reader.epoch !== epoch) {
      assert.ok(reader.epoch > epoch, 'epochs only move forward');
      epoch = reader.epoch;
      next = 0;
      epochsSeen++;
    }
    const n = reader.read(out, randInt(rand, 1, 256));
    for (let i = 0; i < n; i++) {
      if (out[1]![i] !== epoch) assert.fail(`frame of epoch ${out[1]![i]} read while in epoch ${epoch}`);
      if (out[0]![i] !== next + i) assert.fail(`epoch ${epoch}: frame ${out[0]![i]} where ${next + i} was due`);
    }
    next += n;
    if (n === 0 && reader.drainedEnd()) {
      finalCount = next;
      break;
    }
    if (n === 0) await idle(++idles, state);
    if (rand() < 0.002) spin(1);
  }
  await done;
  assert.equal(finalCount, 50_000, 'the final epoch arrived complete');
  assert.ok(epochsSeen > 5, `the reader lived through several epochs (${epochsSeen})`);
});
