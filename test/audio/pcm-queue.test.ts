// PcmQueue reads (whole, gathered and partial) and the PlaneArena that converters and decoders
// allocate their planes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcmQueue } from '../../src/audio/pcm-queue.js';
import { PlaneArena, releasePlanes } from '../../src/decode/plane-arena.js';

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

test('a block is used again only once every plane taken from it came back, and then zeroed', () => {
  const arena = new PlaneArena(1000); // 4 planes of 250 per block
  assert.equal(arena.take(0).length, 0, 'a zero-length plane before any block');
  const first = arena.planes(4, 250);
  first.forEach((p, i) => p.fill(i + 1));
  const next = arena.take(250); // the arena moves on: block 1 is retired
  next.fill(9);
  releasePlanes(first.slice(0, 3));
  assert.equal(arena.freeBlocks, 0, 'one plane of the block is still out');
  // A plane given back in parts (as partial queue takes cut it) counts by its floats.
  releasePlanes([first[3]!.subarray(0, 100), first[3]!.subarray(100)]);
  assert.equal(arena.freeBlocks, 1, 'every plane came back: the block is free');
  const rest = arena.planes(3, 250); // finishes block 2
  assert.ok(rest.every((p) => p.every((v) => v === 0)));
  const again = arena.take(250); // block 2 is retired; block 1 comes back
  assert.equal(again.buffer, first[0]!.buffer, 'the freed block serves the next plane');
  assert.ok(again.every((v) => v === 0), 'a reused block is zeroed');
  assert.ok(next.every((v) => v === 9), 'planes still out keep their samples');
});

test('a block with a plane never given back is never used again, and its planes stay intact', () => {
  const arena = new PlaneArena(1000);
  const kept = arena.planes(4, 250);
  kept.forEach((p, i) => p.fill(i + 1));
  releasePlanes(kept.slice(1)); // plane 0 stays out
  const buffers = new Set<ArrayBufferLike>();
  for (let i = 0; i < 40; i++) {
    const p = arena.take(250);
    buffers.add(p.buffer);
    p.fill(-1);
    releasePlanes([p]);
  }
  assert.ok(!buffers.has(kept[0]!.buffer), 'the block with a plane out was not reused');
  assert.ok(buffers.size <= 2, `released blocks were reused (${buffers.size} blocks for 40 planes)`);
  assert.ok(kept[0]!.every((v) => v === 1), 'the plane still out kept its samples');
  releasePlanes([new Float32Array(10)]); // a plane from no arena is ignored
});
