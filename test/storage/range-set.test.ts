import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RangeSet } from '../../src/storage/range-set.js';

/** Small deterministic PRNG (mulberry32) so random tests replay exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pairs(set: RangeSet): [number, number][] {
  return [...set].map((r) => [r.start, r.end]);
}

test('adding overlapping and touching ranges merges them', () => {
  const set = new RangeSet();
  set.add(10, 20);
  set.add(30, 40);
  assert.deepEqual(pairs(set), [[10, 20], [30, 40]]);
  set.add(20, 30); // touches both sides
  assert.deepEqual(pairs(set), [[10, 40]]);
  set.add(5, 12);
  set.add(50, 60);
  set.add(0, 1);
  assert.deepEqual(pairs(set), [[0, 1], [5, 40], [50, 60]]);
  set.add(2, 55);
  assert.deepEqual(pairs(set), [[0, 1], [2, 60]]);
  assert.equal(set.coveredBytes, 59);
  assert.equal(set.size, 2);
});

test('empty ranges are ignored and invalid ones rejected', () => {
  const set = new RangeSet();
  set.add(7, 7);
  assert.equal(set.size, 0);
  assert.throws(() => set.add(5, 4), RangeError);
  assert.throws(() => set.add(-1, 4), RangeError);
  assert.throws(() => set.add(0.5, 4), RangeError);
});

test('has is true only when every byte is covered', () => {
  const set = RangeSet.of([[0, 10], [20, 30]]);
  assert.equal(set.has(0, 10), true);
  assert.equal(set.has(3, 7), true);
  assert.equal(set.has(5, 5), true);
  assert.equal(set.has(9, 11), false);
  assert.equal(set.has(10, 20), false);
  assert.equal(set.has(10, 10), true);
  assert.equal(set.has(25, 31), false);
  assert.equal(set.has(19, 25), false);
});

test('firstGap and gaps find the holes, with and without an upper bound', () => {
  const set = RangeSet.of([[0, 10], [20, 30]]);
  assert.deepEqual(set.firstGap(0), { start: 10, end: 20 });
  assert.deepEqual(set.firstGap(12), { start: 12, end: 20 });
  assert.deepEqual(set.firstGap(20), { start: 30, end: Infinity });
  assert.deepEqual(set.firstGap(20, 30), undefined);
  assert.deepEqual(set.firstGap(25, 35), { start: 30, end: 35 });
  assert.deepEqual(set.gaps(0, 40), [{ start: 10, end: 20 }, { start: 30, end: 40 }]);
  assert.deepEqual(set.gaps(5, 25), [{ start: 10, end: 20 }]);
  assert.deepEqual(new RangeSet().gaps(3, 9), [{ start: 3, end: 9 }]);
  assert.deepEqual(set.gaps(0, Infinity), [{ start: 10, end: 20 }, { start: 30, end: Infinity }]);
});

test('coveredEnd returns the end of the run containing a position', () => {
  const set = RangeSet.of([[0, 10], [20, 30]]);
  assert.equal(set.coveredEnd(0), 10);
  assert.equal(set.coveredEnd(9), 10);
  assert.equal(set.coveredEnd(10), 10);
  assert.equal(set.coveredEnd(15), 15);
  assert.equal(set.coveredEnd(20), 30);
});

test('clone is independent and JSON round-trips', () => {
  const set = RangeSet.of([[4, 8], [100, 4_000_000_000_000]]);
  const copy = set.clone();
  copy.add(8, 100);
  assert.deepEqual(pairs(set), [[4, 8], [100, 4_000_000_000_000]]);
  assert.deepEqual(pairs(copy), [[4, 4_000_000_000_000]]);
  const back = RangeSet.fromJSON(JSON.parse(JSON.stringify(set)));
  assert.deepEqual(pairs(back), pairs(set));
  assert.throws(() => RangeSet.fromJSON({}), RangeError);
  assert.throws(() => RangeSet.fromJSON([[1]]), RangeError);
});

test('seeded random operations match a bitmap model', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const rand = rng(seed);
    const size = 300;
    const bitmap = new Uint8Array(size);
    const set = new RangeSet();
    const int = (n: number): number => Math.floor(rand() * n);
    for (let step = 0; step < 400; step++) {
      const a = int(size);
      const b = Math.min(size, a + int(40));
      set.add(a, b);
      bitmap.fill(1, a, b);

      // Normalized: sorted, disjoint, never touching, non-empty.
      const ranges = pairs(set);
      for (let i = 0; i < ranges.length; i++) {
        const [s, e] = ranges[i]!;
        assert.ok(s < e, `seed ${seed}: empty range`);
        if (i > 0) assert.ok(ranges[i - 1]![1] < s, `seed ${seed}: ranges touch or overlap`);
      }
      // Coverage equals the bitmap.
      const modelCount = bitmap.reduce((n, v) => n + v, 0);
      assert.equal(set.coveredBytes, modelCount, `seed ${seed}: coveredBytes`);

      const q0 = int(size);
      const q1 = q0 + int(size - q0 + 1);
      assert.equal(set.has(q0, q1), bitmap.subarray(q0, q1).every((v) => v === 1), `seed ${seed}: has(${q0},${q1})`);

      const modelGaps: { start: number; end: number }[] = [];
      for (let i = q0; i < q1; i++) {
        if (bitmap[i] === 1) continue;
        const last = modelGaps[modelGaps.length - 1];
        if (last !== undefined && last.end === i) modelGaps[modelGaps.length - 1] = { start: last.start, end: i + 1 };
        else modelGaps.push({ start: i, end: i + 1 });
      }
      assert.deepEqual(set.gaps(q0, q1), modelGaps, `seed ${seed}: gaps(${q0},${q1})`);
      assert.deepEqual(set.firstGap(q0, q1), modelGaps[0], `seed ${seed}: firstGap`);

      let runEnd = q0;
      while (runEnd < size && bitmap[runEnd] === 1) runEnd++;
      assert.equal(set.coveredEnd(q0), runEnd, `seed ${seed}: coveredEnd(${q0})`);
    }
  }
});
