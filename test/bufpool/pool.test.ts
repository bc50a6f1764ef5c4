import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Float32Pool } from '../../src/bufpool/pool.js';
import { KitharaError } from '../../src/platform/errors.js';

describe('Float32Pool', () => {
  it('hands out power-of-two classes of at least the requested length', () => {
    const pool = new Float32Pool({ minLength: 64 });
    assert.equal(pool.acquire(0).length, 64);
    assert.equal(pool.acquire(1).length, 64);
    assert.equal(pool.acquire(64).length, 64);
    assert.equal(pool.acquire(65).length, 128);
    assert.equal(pool.acquire(4097).length, 8192);
  });

  it('reuses a released array of the same class', () => {
    const pool = new Float32Pool();
    const a = pool.acquire(1000);
    a[0] = 42;
    pool.release(a);
    const b = pool.acquire(600);
    assert.equal(b, a);
    assert.equal(b[0], 42, 'contents are stale, not cleared');
    assert.deepEqual(pool.stats(), { hits: 1, misses: 1, free: 0 });
    assert.notEqual(pool.acquire(1000), a, 'a handed-out array is not handed out again');
  });

  it('keeps at most perClass free arrays per class', () => {
    const pool = new Float32Pool({ perClass: 2 });
    const arrays = [pool.acquire(100), pool.acquire(100), pool.acquire(100)];
    for (const a of arrays) pool.release(a);
    assert.equal(pool.stats().free, 2);
    const again = [pool.acquire(100), pool.acquire(100), pool.acquire(100)];
    assert.equal(again.filter((a) => arrays.includes(a)).length, 2);
  });

  it('drops views, odd lengths, detached and oversized arrays', () => {
    const pool = new Float32Pool({ maxLength: 1024 });
    pool.release(new Float32Array(100));
    pool.release(new Float32Array(256).subarray(0, 128));
    pool.release(new Float32Array(new ArrayBuffer(2048), 0, 256)); // view of a bigger buffer
    const transferred = new Float32Array(256);
    structuredClone(transferred.buffer, { transfer: [transferred.buffer] });
    assert.equal(transferred.length, 0);
    pool.release(transferred);
    const big = pool.acquire(5000);
    assert.equal(big.length, 5000, 'above maxLength: exact allocation');
    pool.release(big);
    assert.equal(pool.stats().free, 0);
  });

  it('asserts on a double release', () => {
    const pool = new Float32Pool();
    const a = pool.acquire(10);
    pool.release(a);
    assert.throws(() => pool.release(a));
  });

  it('allocates nothing once warm', () => {
    const pool = new Float32Pool();
    const seen = new Set<Float32Array>();
    for (let round = 0; round < 50; round++) {
      const a = pool.acquire(4096);
      const b = pool.acquire(480);
      seen.add(a).add(b);
      pool.release(b);
      pool.release(a);
    }
    assert.equal(seen.size, 2);
    assert.deepEqual(pool.stats(), { hits: 98, misses: 2, free: 2 });
  });

  it('clear() forgets free arrays', () => {
    const pool = new Float32Pool();
    const a = pool.acquire(10);
    pool.release(a);
    pool.clear();
    assert.notEqual(pool.acquire(10), a);
  });

  it('rejects bad options with KitharaError unsupported', () => {
    for (const opts of [{ perClass: -1 }, { minLength: 100 }, { maxLength: 1000 }, { minLength: 1024, maxLength: 512 }]) {
      assert.throws(() => new Float32Pool(opts), (e: unknown) => e instanceof KitharaError && e.code === 'unsupported');
    }
  });
});
