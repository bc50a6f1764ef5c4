// PcmQueue reads (whole, gathered and partial) and the PlaneArena that converters and decoders
// allocate their planes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcmQueue } from '../../src/audio/pcm-queue.js';
import { PlaneArena } from '../../src/decode/plane-arena.js';

/** A stereo block whose samples are their running frame index (left) and its negative (right). */
function ramp(from: number, frames: number): { planes: Float32Array[]; frames: number } {
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    l[i] = from + i;
    r[i] = -(from + i);
  }
  return { planes: [l, r], frames };
}

function filledQueue(sizes: number[]): PcmQueue {
  const q = new PcmQueue();
  let at = 0;
  for (const n of sizes) {
    q.push(ramp(at, n));
    at += n;
  }
  return q;
}

test('partial takes never copy and never cross a block, and keep the order of every frame', () => {
  const sizes = [100, 37, 250, 1];
  const q = filledQueue(sizes);
  const seen: number[] = [];
  const lengths: number[] = [];
  for (let b = q.take(64, true); b !== null; b = q.take(64, true)) {
    lengths.push(b.frames);
    for (let i = 0; i < b.frames; i++) {
      seen.push(b.planes[0]![i]!);
      assert.equal(b.planes[1]![i], -b.planes[0]![i]!, 'channels stay paired');
    }
  }
  assert.deepEqual(lengths, [64, 36, 37, 64, 64, 64, 58, 1], 'at most the rest of the first block');
  assert.deepEqual(seen, Array.from({ length: 388 }, (_, i) => i));
  assert.equal(q.frames, 0);
});

test('a partial take is a view of the pushed plane; a gathering take is a copy', () => {
  const q = new PcmQueue();
  const block = ramp(0, 10);
  q.push(block);
  q.push(ramp(10, 10));
  const view = q.take(15, true);
  assert.equal(view?.frames, 10);
  assert.equal(view?.planes[0]!.buffer, block.planes[0]!.buffer, 'same memory');
  const q2 = filledQueue([10, 10]);
  const gathered = q2.take(15);
  assert.equal(gathered?.frames, 15, 'gathered across blocks');
  assert.deepEqual(Array.from(gathered!.planes[0]!), Array.from({ length: 15 }, (_, i) => i));
});

test('arena planes are zeroed, disjoint and stay valid when the arena moves to a new block', () => {
  const arena = new PlaneArena(4096);
  const planes: Float32Array[] = [];
  for (let i = 0; i < 40; i++) {
    const p = arena.take(300);
    assert.equal(p.length, 300);
    assert.ok(p.every((v) => v === 0), `plane ${i} starts zeroed`);
    p.fill(i + 1);
    planes.push(p);
  }
  planes.forEach((p, i) => assert.ok(p.every((v) => v === i + 1), `plane ${i} kept its samples`));
  const big = arena.take(2000);
  assert.equal(big.byteOffset, 0, 'a plane over a quarter block gets an array of its own');
  assert.equal(big.buffer.byteLength, 8000);
  const pair = arena.planes(2, 5);
  assert.notEqual(pair[0], pair[1]);
  pair[0]!.fill(7);
  assert.ok(pair[1]!.every((v) => v === 0), 'planes of one call do not overlap');
});
