/**
 * Worker side of the cross-thread ring test: a real RingWriter on its own thread.
 * workerData: { sab, mode: 'stream' | 'epochs', total, seed }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingWriter } from '../../src/ring/ring-writer.js';
import { randInt, seeded, sentinel } from './helpers.js';

interface Job {
  sab: SharedArrayBuffer;
  mode: 'stream' | 'epochs';
  total: number;
  seed: number;
}

const job = workerData as Job;
// A pending Atomics.waitAsync does not keep a Node event loop alive (a browser worker never exits
// on its own), so hold the loop open until the job is done.
const keepAlive = setInterval(() => {}, 1000);
const rand = seeded(job.seed);
const writer = new RingWriter(job.sab);
const channels = writer.channels;
const scratch = Array.from({ length: channels }, () => new Float32Array(4096));
let waits = 0;

/** Writes `frames` frames whose values come from `value(i, c)`, waiting for space as needed. */
async function writeAll(frames: number, value: (i: number, c: number) => number): Promise<void> {
  let done = 0;
  while (done < frames) {
    const n = Math.min(randInt(rand, 1, 4096), frames - done);
    for (let c = 0; c < channels; c++) {
      const p = scratch[c]!;
      for (let i = 0; i < n; i++) p[i] = value(done + i, c);
    }
    let off = 0;
    while (off < n) {
      const wrote = writer.write(scratch, n - off, off);
      off += wrote;
      if (off < n) {
        waits++;
        await writer.waitForSpace(Math.min(n - off, 1024));
      }
    }
    done += n;
  }
}

if (job.mode === 'stream') {
  await writeAll(job.total, (i, c) => sentinel(i, c));
} else {
  // Epoch e: channel 0 counts frames within the epoch, channel 1 holds e.
  let epoch = 0;
  let left = job.total;
  while (left > 50_000) {
    const n = randInt(rand, 1, 3000);
    await writeAll(n, (i, c) => (c === 0 ? i : epoch));
    left -= n;
    epoch++;
    writer.flush(epoch);
  }
  await writeAll(50_000, (i, c) => (c === 0 ? i : epoch));
  writer.setEnded();
}
clearInterval(keepAlive);
parentPort!.postMessage({ waits });
